//! `resolve --full-reference` (`-l`): `<repo>@<digest>` instead of the
//! bare digest, for a registry and an OCI layout.

use oras_testkit::real::{Mode, start_for_test};

use crate::e2e_flags::support::{Env, digest_of};

#[test]
fn full_reference_on_an_oci_layout() {
    let env = Env::new();
    env.write("a.txt", b"a");
    let digest = digest_of(&env.ok(&["push", "--oci-layout", "layout:v1", "a.txt"]));

    assert_eq!(
        env.ok(&["resolve", "--oci-layout", "layout:v1"]).trim_end(),
        digest
    );
    for flag in ["--full-reference", "-l"] {
        let out = env.ok(&["resolve", flag, "--oci-layout", "layout:v1"]);
        assert_eq!(out, format!("layout@{digest}\n"));
    }
}

#[test]
fn full_reference_on_a_registry() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    env.write("a.txt", b"a");
    let repo = format!("{}/e2e/resolve", registry.host());
    let reference = format!("{repo}:v1");
    let digest = digest_of(&env.ok(&["push", "--plain-http", &reference, "a.txt"]));

    assert_eq!(
        env.ok(&["resolve", "--plain-http", &reference]).trim_end(),
        digest
    );
    for flag in ["--full-reference", "-l"] {
        let out = env.ok(&["resolve", "--plain-http", flag, &reference]);
        assert_eq!(out, format!("{repo}@{digest}\n"));
    }
    registry.stop().unwrap();
}
