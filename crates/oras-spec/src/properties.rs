//! Property tests: references and digests built from generated valid parts
//! display as text that parses back to the same value, and text that
//! parses displays as itself. Few cases by default (`PROPTEST_CASES`
//! raises them).

use proptest::prelude::*;

use crate::{Algorithm, Digest, Reference, ReferenceTarget};

/// A repository in the distribution grammar: components of
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`.
fn repository() -> impl Strategy<Value = String> {
    let component = "[a-z0-9]{1,8}((\\.|_|__|-{1,3})[a-z0-9]{1,8}){0,2}";
    prop::collection::vec(component, 1..4).prop_map(|parts| parts.join("/"))
}

/// A registry: a DNS name, an IPv4 or IPv6 address, with or without a
/// port.
fn registry() -> impl Strategy<Value = String> {
    let host = prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,6}){0,2}",
        (0u8..=255, 0u8..=255, 0u8..=255, 1u8..=254)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        Just("[::1]".to_owned()),
        Just("localhost".to_owned()),
    ];
    (host, prop::option::of(1u16..=65535)).prop_map(|(host, port)| match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha384),
        Just(Algorithm::Sha512),
    ]
}

fn digest() -> impl Strategy<Value = Digest> {
    (algorithm(), prop::collection::vec(any::<u8>(), 0..64))
        .prop_map(|(algorithm, data)| Digest::compute(algorithm, &data))
}

fn target() -> impl Strategy<Value = Option<ReferenceTarget>> {
    prop_oneof![
        Just(None),
        "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}".prop_map(|t| Some(ReferenceTarget::Tag(t))),
        digest().prop_map(|d| Some(ReferenceTarget::Digest(d))),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn reference_parts_display_and_parse_back(
        registry in registry(),
        repository in repository(),
        target in target(),
    ) {
        let built = Reference::new(&registry, &repository, target).unwrap();
        let text = built.to_string();
        let parsed = Reference::parse(&text).unwrap();
        prop_assert_eq!(&parsed, &built);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn parsed_reference_text_displays_as_itself(text in "[a-z0-9.:/@_-]{1,40}") {
        if let Ok(reference) = Reference::parse(&text) {
            let shown = reference.to_string();
            prop_assert_eq!(Reference::parse(&shown).unwrap(), reference);
        }
    }

    #[test]
    fn digest_displays_and_parses_back(digest in digest()) {
        let text = digest.to_string();
        let parsed: Digest = text.parse().unwrap();
        prop_assert_eq!(&parsed, &digest);
        prop_assert_eq!(parsed.to_string(), text);
        let json = serde_json::to_string(&digest).unwrap();
        prop_assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), digest);
    }

    #[test]
    fn digest_text_round_trips_or_is_refused(
        algorithm in "sha256|sha384|sha512|md5|SHA256",
        encoded in "[0-9a-fA-F]{0,130}",
    ) {
        let text = format!("{algorithm}:{encoded}");
        if let Ok(digest) = text.parse::<Digest>() {
            prop_assert_eq!(digest.to_string(), text);
        }
    }
}
