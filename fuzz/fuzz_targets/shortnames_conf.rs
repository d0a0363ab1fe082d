//! The short-name alias file (`short-name-aliases.conf`, the `[aliases]`
//! table of containers-registries.conf(5)); the input is the file, a NUL
//! byte, then a name to resolve. Invariants: a malformed file fails naming
//! it; every alias it defines resolves to exactly one fully qualified
//! name, keeping the tag asked for and remembering the file it came from;
//! with no search registries configured, any name resolves only to
//! fully qualified names or fails; nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_containers_config::{candidates, is_short_name};
use oras_fuzz::containers::{Sandbox, references_of, resolve_all};
use oras_fuzz::split;

fuzz_target!(|data: &[u8]| {
    let (file, name) = split(data);
    let Some((_sandbox, aliases, config)) =
        Sandbox::load_one("home/.cache/containers/short-name-aliases.conf", file)
    else {
        return;
    };
    let conf = config.registries();
    assert!(
        conf.unqualified_search_registries.is_empty(),
        "the alias file set search registries"
    );
    for (short, alias) in conf.aliases.iter().take(32) {
        assert_eq!(alias.origin, aliases);
        let found = candidates(conf, &format!("{short}:v1"));
        match found.as_deref() {
            Ok([one]) => {
                assert!(one.ends_with(":v1"), "{short:?} -> {one:?}");
                assert!(!is_short_name(one), "{short:?} -> {one:?}");
            }
            other => panic!("alias {short:?} = {:?} resolves to {other:?}", alias.value),
        }
    }
    let name = String::from_utf8_lossy(name);
    if let Ok(found) = candidates(conf, &name) {
        assert!(
            found.iter().all(|c| !is_short_name(c)),
            "{name:?} resolves to a short name: {found:?}"
        );
    }
    let mut references = references_of(conf);
    references.push(name.into_owned());
    resolve_all(&config, &references);
});
