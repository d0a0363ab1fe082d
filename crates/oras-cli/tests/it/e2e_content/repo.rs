//! `repo ls` and `repo tags` against the registry.

use crate::e2e_content::support::{Env, json, push_image, registry, repository, runtime, setup};

/// The lines of `text`, sorted (Distribution lists tags in storage order).
fn sorted(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

#[test]
fn repo_ls() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    setup(&rt, async {
        for name in ["alpha", "ns/one", "ns/two/deep", "zeta"] {
            push_image(&repository(&registry, name), "amd64", name, "v1").await;
        }
    });
    let env = Env::new();
    let host = registry.host();

    assert_eq!(
        env.ok(&["repo", "ls", "--plain-http", &host]),
        "alpha\nns/one\nns/two/deep\nzeta\n"
    );
    assert_eq!(
        env.ok(&["repo", "list", "--plain-http", &format!("{host}/ns")]),
        "one\ntwo/deep\n"
    );
    // JSON keeps full names.
    let model = json(&env.ok(&[
        "repo",
        "ls",
        "--plain-http",
        &format!("{host}/ns"),
        "--format",
        "json",
    ]));
    assert_eq!(
        model,
        serde_json::json!({"registry": host, "repositories": ["ns/one", "ns/two/deep"]})
    );
    let listed = env.ok(&[
        "repo",
        "ls",
        "--plain-http",
        &host,
        "--format",
        "go-template",
        "--template",
        "{{range .repositories}}{{.}},{{end}}",
    ]);
    assert_eq!(listed, "alpha,ns/one,ns/two/deep,zeta,");
    assert_eq!(
        env.ok(&["repo", "ls", "--plain-http", "--last", "ns/two/deep", &host]),
        "zeta\n"
    );
    let err = env.fails(&["repo", "ls", "--plain-http", &format!("{host}/ns:v1")]);
    assert_eq!(
        err,
        "Error: could not parse repository path: tags or digests should not be provided\n"
    );
}

#[test]
fn repo_tags() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "tags/app");
    let (one, _) = setup(&rt, async {
        let one = push_image(&repo, "amd64", "one", "v1").await;
        let two = push_image(&repo, "amd64", "two", "v2").await;
        for tag in [
            "latest",
            &format!("sha256-{}", one.manifest.digest.encoded()),
        ] {
            oras_content::Tagger::tag(&repo, &one.manifest, tag)
                .await
                .unwrap();
        }
        (one, two)
    });
    let env = Env::new();
    let name = format!("{}/tags/app", registry.host());
    let digest_tag = format!("sha256-{}", one.manifest.digest.encoded());

    let all = env.ok(&["repo", "tags", "--plain-http", &name]);
    assert_eq!(sorted(&all), ["latest", &digest_tag, "v1", "v2"]);
    let plain = env.ok(&[
        "repo",
        "show-tags",
        "--plain-http",
        "--exclude-digest-tags",
        &name,
    ]);
    assert_eq!(sorted(&plain), ["latest", "v1", "v2"]);
    let model = json(&env.ok(&[
        "repo",
        "tags",
        "--plain-http",
        "--exclude-digest-tags",
        "--format",
        "json",
        &name,
    ]));
    let mut listed: Vec<String> = serde_json::from_value(model["tags"].clone()).unwrap();
    listed.sort();
    assert_eq!(listed, ["latest", "v1", "v2"]);
    // The tags of one manifest, by tag or by digest (with a warning on stderr).
    let out = env
        .oras()
        .args(["repo", "tags", "--plain-http", &format!("{name}:v1")])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        sorted(&String::from_utf8_lossy(&out.stdout)),
        ["latest", &digest_tag, "v1"]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("querying tags associated to"));
    let by_digest = format!("{name}@{}", one.manifest.digest);
    let same = env.ok(&[
        "repo",
        "tags",
        "--plain-http",
        "--exclude-digest-tags",
        &by_digest,
    ]);
    assert_eq!(sorted(&same), ["latest", "v1"]);
    let err = env.fails(&[
        "repo",
        "tags",
        "--plain-http",
        &format!("{}/tags/none", registry.host()),
    ]);
    assert!(err.starts_with("Error"), "{err}");
}
