//! A mirror that has the manifest but lost a blob it references: the
//! pull takes the manifest from the mirror and that blob from the next
//! endpoint (here the origin), instead of failing; `blob fetch` of that
//! blob finds it there too.

use oras_testkit::real::{Mode, start_for_test};

use super::support::{Env, write_file};

#[test]
fn a_blob_the_mirror_lacks_comes_from_the_origin() {
    let (Some(origin), Some(mirror)) = (start_for_test(Mode::Plain), start_for_test(Mode::Plain))
    else {
        return;
    };
    let (o, m) = (origin.host(), mirror.host());
    let env = Env::new();
    // The same file on both sides (the same layer blob); the manifests
    // differ (each push stamps its own creation time).
    let on_mirror = env.push(&format!("{m}/team/app:v1"), "layer", &["--plain-http"]);
    env.push(&format!("{o}/team/app:v1"), "layer", &["--plain-http"]);
    let manifest = Env::ok(
        env.oras(),
        &[
            "manifest",
            "fetch",
            "--plain-http",
            &format!("{m}/team/app:v1"),
        ],
    );
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    Env::ok(
        env.oras(),
        &[
            "blob",
            "delete",
            "--force",
            "--plain-http",
            &format!("{m}/team/app@{layer}"),
        ],
    );
    write_file(
        &env.containers_dir().join("registries.conf"),
        format!(
            "[[registry]]\nlocation = \"{o}\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"{m}\"\ninsecure = true\n"
        )
        .as_bytes(),
    );
    let out = env.path("pulled");
    let pulled = Env::run(
        env.oras_containers(),
        &[
            "pull",
            "--format",
            "go-template={{.reference}}",
            "-o",
            out.to_str().unwrap(),
            &format!("{o}/team/app:v1"),
        ],
    );
    assert!(pulled.ok, "{}", pulled.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("layer.txt")).unwrap(),
        "layer"
    );
    // The manifest was the mirror's.
    assert!(pulled.stdout.contains(&on_mirror), "{}", pulled.stdout);
    // `blob fetch` of the lost blob asks the next endpoint too.
    let fetched = Env::ok(
        env.oras_containers(),
        &[
            "blob",
            "fetch",
            "--output",
            "-",
            &format!("{o}/team/app@{layer}"),
        ],
    );
    assert_eq!(fetched, "layer");
    // `cp` from the mirrored source fills the same gap.
    let copied = Env::run(
        env.oras_containers(),
        &[
            "cp",
            "--to-plain-http",
            &format!("{o}/team/app:v1"),
            &format!("{o}/copied/app:v1"),
        ],
    );
    assert!(copied.ok, "{}", copied.stderr);
}
