//! Digests (`algorithm:encoded`): a parsed digest displays as the text it
//! came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_spec::Digest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(digest) = text.parse::<Digest>() {
        assert_eq!(digest.to_string(), text, "display differs from the input");
        let again: Digest = digest
            .to_string()
            .parse()
            .unwrap_or_else(|e| panic!("{text:?} displayed as text that fails: {e}"));
        assert_eq!(again, digest);
    }
});
