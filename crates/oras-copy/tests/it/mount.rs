//! Cross-repository mounts: candidates in turn, refusals fall back to a copy.

use std::sync::{Arc, Mutex};

use oras_content::{ErrorKind, ReadOnlyStorage};
use oras_copy::{CopyEvent, CopyGraphOptions, copy_graph};
use oras_spec::Descriptor;

use crate::support::*;

fn setup(mounts: Vec<(&str, MountAnswer)>) -> (Fake, Fake, Descriptor, Vec<Descriptor>) {
    let src = Fake::plain();
    let layers = vec![layer(&src.store, "one"), layer(&src.store, "two")];
    let m = manifest(&src.store, layers.clone());
    let mut dst = Fake::new(Behaviour {
        mounts: mounts.into_iter().map(|(r, a)| (r.to_owned(), a)).collect(),
        ..Behaviour::default()
    });
    dst.mount_source = Some(src.store.clone());
    (src, dst, m, layers)
}

fn mount_from(repos: &[&str]) -> CopyGraphOptions {
    let repos: Vec<String> = repos.iter().map(|s| s.to_string()).collect();
    CopyGraphOptions::default().with_mount_from(move |_| {
        let repos = repos.clone();
        async move { Ok(repos) }
    })
}

#[tokio::test]
async fn blobs_are_mounted_from_the_first_candidate_that_accepts() {
    let (src, dst, m, layers) = setup(vec![
        ("declines", MountAnswer::Declined),
        ("accepts", MountAnswer::Mounted),
    ]);
    let mounted = Arc::new(Mutex::new(Vec::new()));
    let sink = mounted.clone();
    let events = Arc::new(Mutex::new(Vec::new()));
    let event_sink = events.clone();
    let opts = mount_from(&["declines", "accepts"])
        .with_on_mounted(move |d| {
            sink.lock().unwrap().push(d.digest.to_string());
            async { Ok(()) }
        })
        .with_progress(move |e| {
            if let CopyEvent::Mounted(d) = e {
                event_sink.lock().unwrap().push(d.digest.to_string());
            }
        });
    bounded(copy_graph(&src, &dst, &m, &opts)).await.unwrap();

    let pushed = dst.pushed_digests();
    for l in &layers {
        assert!(dst.store.exists(l).await.unwrap());
        assert!(
            !pushed.contains(&l.digest.to_string()),
            "mounted, not uploaded"
        );
        assert_eq!(src.fetches_of(l), 0);
    }
    // The two layers and the config.
    assert_eq!(mounted.lock().unwrap().len(), 3);
    let mut from_events = events.lock().unwrap().clone();
    let mut from_hook = mounted.lock().unwrap().clone();
    from_events.sort();
    from_hook.sort();
    assert_eq!(from_events, from_hook);
    let calls = dst.calls();
    // Manifests are never mounted; the config (a blob) is.
    assert!(!calls.mount.iter().any(|(d, _)| d.is_manifest()));
    assert!(pushed.contains(&m.digest.to_string()));
}

#[tokio::test]
async fn refused_or_declined_mounts_fall_back_to_a_copy() {
    let (src, dst, m, layers) = setup(vec![
        ("a", MountAnswer::Fails(ErrorKind::Unauthorized)),
        ("b", MountAnswer::Fails(ErrorKind::Denied)),
        ("c", MountAnswer::Declined),
    ]);
    let posted = Arc::new(Mutex::new(0));
    let count = posted.clone();
    let opts = mount_from(&["a", "b", "c"]).with_post_copy(move |_| {
        *count.lock().unwrap() += 1;
        async { Ok(()) }
    });
    bounded(copy_graph(&src, &dst, &m, &opts)).await.unwrap();
    for l in &layers {
        assert!(dst.store.exists(l).await.unwrap());
        let tries: Vec<String> = dst
            .calls()
            .mount
            .iter()
            .filter(|(d, _)| d.digest == l.digest)
            .map(|(_, r)| r.clone())
            .collect();
        assert_eq!(tries, ["a", "b", "c"]);
    }
    // post_copy for the 2 layers, the config and the manifest.
    assert_eq!(*posted.lock().unwrap(), 4);
}

#[tokio::test]
async fn other_mount_failures_stop_the_copy() {
    let (src, dst, m, _) = setup(vec![("a", MountAnswer::Fails(ErrorKind::Network))]);
    let err = copy_graph(&src, &dst, &m, &mount_from(&["a"]))
        .await
        .unwrap_err();
    let copy_err = err.as_copy_error().unwrap();
    assert_eq!(copy_err.op, "Mount");
    assert_eq!(copy_err.origin, oras_copy::Origin::Destination);
}

#[tokio::test]
async fn no_candidates_or_no_hook_means_no_mount() {
    let (src, dst, m, _) = setup(vec![("a", MountAnswer::Mounted)]);
    copy_graph(&src, &dst, &m, &mount_from(&[])).await.unwrap();
    copy_graph(&src, &Fake::plain(), &m, &CopyGraphOptions::default())
        .await
        .unwrap();
    assert!(dst.calls().mount.is_empty());
}
