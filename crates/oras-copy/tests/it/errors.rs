//! CopyError: the failing step, its side and oras-go's wording.

use oras_content::{ErrorKind, memory};
use oras_copy::{CopyGraphOptions, CopyOptions, Error, Origin, copy, copy_graph};

use crate::support::*;

#[tokio::test]
async fn a_missing_source_reference_names_resolve_on_source() {
    let src = memory::Store::new();
    let dst = memory::Store::new();
    let err = copy(&src, "missing", &dst, "", &CopyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"failed to perform "Resolve" on source: missing: not found"#
    );
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let copy_err = err.as_copy_error().unwrap();
    assert_eq!((copy_err.op, copy_err.origin), ("Resolve", Origin::Source));

    let registry = Fake::registry();
    let err = copy(&registry, "missing", &dst, "", &CopyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.as_copy_error().unwrap().op, "FetchReference");
}

#[tokio::test]
async fn failures_name_the_step_and_side() {
    let src = Fake::plain();
    let l = layer(&src.store, "layer");
    let m = manifest(&src.store, vec![l.clone()]);

    let dst = Fake::new(Behaviour {
        fail_push: [(l.digest.to_string(), ErrorKind::Denied)].into(),
        ..Behaviour::default()
    });
    let err = copy_graph(&src, &dst, &m, &CopyGraphOptions::default())
        .await
        .unwrap_err();
    let copy_err = err.as_copy_error().unwrap();
    assert_eq!(
        (copy_err.op, copy_err.origin),
        ("Push", Origin::Destination)
    );
    assert_eq!(err.kind(), ErrorKind::Denied);
    assert!(
        err.to_string()
            .starts_with(r#"failed to perform "Push" on destination: "#),
        "{err}"
    );
    assert!(
        !dst.store.exists_sync(&m),
        "a parent is never pushed after a child failed"
    );

    let broken = Fake::over(
        src.store.clone(),
        Behaviour {
            fail_fetch: vec![l.digest.to_string()],
            ..Behaviour::default()
        },
    );
    let err = copy_graph(
        &broken,
        &memory::Store::new(),
        &m,
        &CopyGraphOptions::default(),
    )
    .await
    .unwrap_err();
    let copy_err = err.as_copy_error().unwrap();
    assert_eq!((copy_err.op, copy_err.origin), ("Fetch", Origin::Source));
}

#[tokio::test]
async fn an_existing_layer_push_answer_is_not_an_error() {
    let src = Fake::plain();
    let l = layer(&src.store, "layer");
    let dst = Fake::new(Behaviour {
        fail_push: [(l.digest.to_string(), ErrorKind::AlreadyExists)].into(),
        ..Behaviour::default()
    });
    copy_graph(&src, &dst, &l, &CopyGraphOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn hook_errors_pass_through_unwrapped() {
    let src = memory::Store::new();
    let l = layer(&src, "layer");
    let opts = CopyGraphOptions::default()
        .with_post_copy(|_| async { Err(oras_content::Error::Unsupported("stop here".into())) });
    let err = copy_graph(&src, &memory::Store::new(), &l, &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Content(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

trait ExistsSync {
    fn exists_sync(&self, d: &oras_spec::Descriptor) -> bool;
}

impl ExistsSync for memory::Store {
    fn exists_sync(&self, d: &oras_spec::Descriptor) -> bool {
        futures::executor::block_on(oras_content::ReadOnlyStorage::exists(self, d)).unwrap()
    }
}

#[tokio::test]
async fn manifests_over_the_metadata_limit_are_refused() {
    let src = memory::Store::new();
    let m = manifest(&src, vec![layer(&src, "l")]);
    let opts = CopyGraphOptions {
        max_metadata_bytes: 64,
        ..CopyGraphOptions::default()
    };
    let err = copy_graph(&src, &memory::Store::new(), &m, &opts)
        .await
        .unwrap_err();
    assert_eq!(err.as_copy_error().unwrap().op, "FindSuccessors");
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);
}
