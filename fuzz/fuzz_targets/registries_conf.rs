//! registries.conf (containers-registries.conf(5)) as the system file:
//! loading any file never panics; a malformed one fails with an error
//! naming the file and a line in it; reading the text from disk and
//! parsing it in memory agree; a configuration that loads resolves
//! references (fixed ones and ones built from its own prefixes, mirrors,
//! aliases and search registries) for pulls and pushes without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_containers_config::{ContainersConfig, RegistriesConf};
use oras_fuzz::containers::{Sandbox, check_names_file, references_of, resolve_all};

fuzz_target!(|data: &[u8]| {
    let Some((sandbox, [conf])) = Sandbox::with_files([("etc/containers/registries.conf", data)])
    else {
        return;
    };
    let loaded = ContainersConfig::load_with(sandbox.env());
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = RegistriesConf::parse(&conf, text);
        match (&loaded, &parsed) {
            (Ok(config), Ok(parsed)) => assert_eq!(config.registries(), parsed),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("load and parse disagree: {loaded:?} / {parsed:?}"),
        }
    }
    match loaded {
        Ok(config) => resolve_all(&config, &references_of(config.registries())),
        Err(err) => check_names_file(&err, &conf, data),
    }
});
