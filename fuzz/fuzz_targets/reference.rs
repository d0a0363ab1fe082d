//! References (`registry/repository[:tag][@digest]`): a parsed reference
//! displays as text that parses to the same reference.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_spec::{Reference, ReferenceTarget};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reference) = Reference::parse(text) {
        let shown = reference.to_string();
        let again = Reference::parse(&shown)
            .unwrap_or_else(|e| panic!("{text:?} displayed as {shown:?}, which fails: {e}"));
        assert_eq!(
            again.to_string(),
            shown,
            "display of {text:?} is not stable"
        );
    }
    let _ = text.parse::<ReferenceTarget>();
});
