//! Platform selection: map_root / with_target_platform, resolve, fetch.

use oras_content::{ErrorKind, ReadOnlyStorage, Resolver, Tagger, memory};
use oras_copy::{
    CopyOptions, FetchBytesOptions, ResolveOptions, copy, fetch, fetch_bytes, resolve,
    select_manifest,
};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};

use crate::support::*;

struct Multi {
    src: memory::Store,
    amd64: Descriptor,
    arm64: Descriptor,
    armv7: Descriptor,
    index: Descriptor,
}

fn multi() -> Multi {
    let src = memory::Store::new();
    let amd64 = image(&src, "linux", "amd64", "");
    let arm64 = image(&src, "linux", "arm64", "v8");
    let armv7 = image(&src, "linux", "arm", "v7");
    let unplatformed = manifest(&src, vec![]);
    let mut arm64_platform = platform("linux", "arm64");
    arm64_platform.variant = "v8".into();
    let mut armv7_platform = platform("linux", "arm");
    armv7_platform.variant = "v7".into();
    let index = index(
        &src,
        vec![
            (unplatformed, None),
            (amd64.clone(), Some(platform("linux", "amd64"))),
            (arm64.clone(), Some(arm64_platform)),
            (armv7.clone(), Some(armv7_platform)),
        ],
    );
    Multi {
        src,
        amd64,
        arm64,
        armv7,
        index,
    }
}

#[tokio::test]
async fn copy_selects_the_first_matching_entry_of_an_index() {
    let g = multi();
    g.src.tag(&g.index, "multi").await.unwrap();
    let dst = memory::Store::new();
    let opts = CopyOptions::default().with_target_platform(platform("linux", "arm64"));
    let root = copy(&g.src, "multi", &dst, "arm", &opts).await.unwrap();
    assert_eq!(root.digest, g.arm64.digest);
    assert_eq!(dst.resolve("arm").await.unwrap().digest, g.arm64.digest);
    assert!(!dst.exists(&g.index).await.unwrap());
    assert!(!dst.exists(&g.amd64).await.unwrap());
    assert_eq!(dst.len(), 3, "manifest, config, layer");

    let mut v6 = platform("linux", "arm");
    v6.variant = "v6".into();
    let opts = CopyOptions::default().with_target_platform(v6);
    let err = copy(&g.src, "multi", &dst, "", &opts).await.unwrap_err();
    let copy_err = err.as_copy_error().unwrap();
    assert_eq!(copy_err.op, "MapRoot");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        err.to_string()
            .contains("no matching manifest was found in the manifest list"),
        "{err}"
    );
}

#[tokio::test]
async fn a_single_manifest_is_checked_against_its_config() {
    let g = multi();
    let mut v7 = platform("linux", "arm");
    v7.variant = "v7".into();
    assert_eq!(
        select_manifest(&g.src, &g.armv7, &v7).await.unwrap(),
        g.armv7
    );
    let err = select_manifest(&g.src, &g.armv7, &platform("linux", "amd64"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        err.to_string()
            .contains("platform in manifest does not match target platform")
    );

    // An artifact whose config is not an image config cannot be matched.
    let artifact = manifest(&g.src, vec![]);
    let err = select_manifest(&g.src, &artifact, &v7).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    // Nor can a blob.
    let blob = layer(&g.src, "blob");
    let err = select_manifest(&g.src, &blob, &v7).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn a_docker_manifest_needs_a_docker_config() {
    let src = memory::Store::new();
    let config = put(
        &src,
        media_type::DOCKER_CONFIG,
        br#"{"architecture":"amd64","os":"linux"}"#,
    );
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::DOCKER_MANIFEST.into(),
        artifact_type: String::new(),
        config,
        layers: vec![],
        subject: None,
        annotations: Default::default(),
    };
    let parsed = Parsed::from_value(manifest.clone());
    let docker = put(&src, media_type::DOCKER_MANIFEST, parsed.bytes());
    assert_eq!(
        select_manifest(&src, &docker, &platform("linux", "amd64"))
            .await
            .unwrap(),
        docker
    );

    // An OCI manifest with a Docker config is not recognised.
    let mut oci = manifest;
    oci.media_type = media_type::IMAGE_MANIFEST.into();
    let parsed = Parsed::from_value(oci);
    let oci = put(&src, media_type::IMAGE_MANIFEST, parsed.bytes());
    let err = select_manifest(&src, &oci, &platform("linux", "amd64"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn resolve_and_fetch_with_a_platform() {
    let g = multi();
    let registry = Fake::registry();
    for d in [&g.index, &g.amd64, &g.arm64, &g.armv7] {
        oras_copy::copy_graph(&g.src, registry.store.as_ref(), d, &Default::default())
            .await
            .unwrap();
    }
    registry.store.tag(&g.index, "multi").await.unwrap();
    g.src.tag(&g.index, "multi").await.unwrap();
    let opts = ResolveOptions {
        target_platform: Some(platform("linux", "amd64")),
        ..ResolveOptions::default()
    };
    assert_eq!(
        resolve(&g.src, "multi", &opts).await.unwrap().digest,
        g.amd64.digest
    );
    assert_eq!(
        resolve(&registry, "multi", &opts).await.unwrap().digest,
        g.amd64.digest
    );
    assert_eq!(registry.calls().fetch_reference, vec!["multi".to_owned()]);
    assert!(registry.calls().resolve.is_empty());
    assert_eq!(
        resolve(&g.src, "multi", &ResolveOptions::default())
            .await
            .unwrap()
            .digest,
        g.index.digest
    );

    let (desc, _) = fetch(&registry, "multi", &opts).await.unwrap();
    assert_eq!(desc.digest, g.amd64.digest);
    let bytes_opts = FetchBytesOptions {
        resolve: opts.clone(),
        max_bytes: 0,
    };
    let (desc, content) = fetch_bytes(&g.src, "multi", &bytes_opts).await.unwrap();
    assert_eq!(desc.digest, g.amd64.digest);
    assert!(desc.digest.verifies(&content));

    // A blob cannot be platform-resolved.
    let blob = layer(registry.store.as_ref(), "blob");
    registry.store.tag(&blob, "blob").await.unwrap();
    let err = resolve(&registry, "blob", &opts).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}
