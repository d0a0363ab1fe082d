//! `--cert-file` and `--key-file`: only together.

use crate::support::Env;

#[test]
fn cert_file_and_key_file_must_be_given_together() {
    let env = Env::new();
    let cert = env.write("client.crt", b"not used");
    let key = env.write("client.key", b"not used");
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());

    let err = env.fails(&["repo", "tags", "--cert-file", cert, "127.0.0.1:1/e2e/x"]);
    assert!(
        err.contains("--cert-file must be used in conjunction with --key-file"),
        "{err}"
    );
    let err = env.fails(&["repo", "tags", "--key-file", key, "127.0.0.1:1/e2e/x"]);
    assert!(
        err.contains("--key-file must be used in conjunction with --cert-file"),
        "{err}"
    );
}
