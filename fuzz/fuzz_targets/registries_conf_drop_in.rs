//! A registries.conf drop-in (`registries.conf.d/*.conf`) merged over a
//! base file; the input is the base, a NUL byte, then the drop-in.
//! Invariants: the merge fails exactly when one of the files fails alone,
//! naming the first failing file (the base before the drop-in); a merged
//! configuration has one registry per prefix, sorted by prefix, each the
//! drop-in's when both files set that prefix, and resolves references
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_containers_config::{ContainersConfig, RegistriesConf};
use oras_fuzz::containers::{Sandbox, check_names_file, references_of, resolve_all};
use oras_fuzz::split;

fuzz_target!(|data: &[u8]| {
    let (base_text, drop_in_text) = split(data);
    let Some((sandbox, [base, drop_in])) = Sandbox::with_files([
        ("etc/containers/registries.conf", base_text),
        (
            "etc/containers/registries.conf.d/50-fuzz.conf",
            drop_in_text,
        ),
    ]) else {
        return;
    };
    let alone = |path: &std::path::Path| RegistriesConf::load(path, &[], None);
    let (base_alone, drop_in_alone) = (alone(&base), alone(&drop_in));
    match ContainersConfig::load_with(sandbox.env()) {
        Err(err) => match (&base_alone, &drop_in_alone) {
            (Err(_), _) => check_names_file(&err, &base, base_text),
            (Ok(_), Err(_)) => check_names_file(&err, &drop_in, drop_in_text),
            (Ok(_), Ok(_)) => panic!("both files load alone but not merged: {err}"),
        },
        Ok(config) => {
            let (Ok(base_alone), Ok(drop_in_alone)) = (base_alone, drop_in_alone) else {
                panic!("the merge loaded though a file fails alone");
            };
            let merged = config.registries();
            let prefixes: Vec<&str> = merged
                .registries
                .iter()
                .map(|r| r.prefix.as_str())
                .collect();
            assert!(
                prefixes.windows(2).all(|w| w[0] < w[1]),
                "prefixes not unique and sorted: {prefixes:?}"
            );
            for registry in &drop_in_alone.registries {
                assert!(merged.registries.contains(registry), "lost {registry:?}");
            }
            for registry in &base_alone.registries {
                let kept = merged.registries.contains(registry)
                    || drop_in_alone
                        .registries
                        .iter()
                        .any(|r| r.prefix == registry.prefix);
                assert!(kept, "lost {registry:?}");
            }
            resolve_all(&config, &references_of(merged));
        }
    }
});
