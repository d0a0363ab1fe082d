//! Tag and catalog listings with pagination.

use super::support::*;

#[tokio::test]
async fn tag_list_sorting_and_pagination() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        for tag in ["test1", "TEST0", "test0", "a", "test3", "test2"] {
            assert_eq!(
                api.put_manifest("r", tag, media_type::IMAGE_MANIFEST, &manifest)
                    .await
                    .status,
                201
            );
        }
        let all = api.get("/v2/r/tags/list").await;
        assert_eq!(all.status, 200);
        assert_eq!(
            all.json(),
            json!({"name": "r", "tags": ["TEST0", "a", "test0", "test1", "test2", "test3"]})
        );
        assert_eq!(all.header("link"), None);

        let page = api.get("/v2/r/tags/list?n=2").await;
        assert_eq!(page.json()["tags"], json!(["TEST0", "a"]));
        assert_eq!(
            page.header("link"),
            Some("</v2/r/tags/list?n=2&last=a>; rel=\"next\"")
        );
        let next = api.get("/v2/r/tags/list?n=2&last=a").await;
        assert_eq!(next.json()["tags"], json!(["test0", "test1"]));
        let last_only = api.get("/v2/r/tags/list?last=test1").await;
        assert_eq!(last_only.json()["tags"], json!(["test2", "test3"]));
        assert_eq!(last_only.header("link"), None);
        let end = api.get("/v2/r/tags/list?n=2&last=test1").await;
        assert_eq!(end.json()["tags"], json!(["test2", "test3"]));
        assert_eq!(end.header("link"), None);
        let zero = api.get("/v2/r/tags/list?n=0").await;
        assert_eq!(
            (zero.json()["tags"].clone(), zero.header("link")),
            (json!([]), None)
        );
        let bad = api.get("/v2/r/tags/list?n=x").await;
        assert_eq!(bad.status, 400);
        let unknown = api.get("/v2/none/tags/list").await;
        assert_eq!(
            (unknown.status, unknown.code()),
            (404, "NAME_UNKNOWN".into())
        );
    })
    .await;
}

#[tokio::test]
async fn page_size_switch_caps_tags_and_catalog() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            page_size: Some(2),
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_manifest("r", media_type::IMAGE_MANIFEST, &b"{}"[..]);
        for tag in ["a", "b", "c"] {
            registry.tag("r", tag, &digest);
        }
        for repo in ["x", "y"] {
            registry.put_blob(repo, &b"1"[..]);
        }
        let page = api.get("/v2/r/tags/list").await;
        assert_eq!(page.json()["tags"], json!(["a", "b"]));
        assert_eq!(
            page.header("link"),
            Some("</v2/r/tags/list?n=2&last=b>; rel=\"next\"")
        );
        let page = api.get("/v2/r/tags/list?n=10").await;
        assert_eq!(
            page.json()["tags"],
            json!(["a", "b"]),
            "the cap wins over n"
        );
        let follow = api.get("/v2/r/tags/list?n=2&last=b").await;
        assert_eq!(follow.json()["tags"], json!(["c"]));

        let catalog = api.get("/v2/_catalog").await;
        assert_eq!(catalog.json(), json!({"repositories": ["r", "x"]}));
        assert_eq!(
            catalog.header("link"),
            Some("</v2/_catalog?n=2&last=x>; rel=\"next\"")
        );
        let rest = api.get("/v2/_catalog?n=2&last=x").await;
        assert_eq!(rest.json(), json!({"repositories": ["y"]}));
    })
    .await;
}

#[tokio::test]
async fn catalog_lists_repositories_with_n_and_last() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        for repo in ["b/one", "a", "c"] {
            registry.put_blob(repo, &b"1"[..]);
        }
        assert_eq!(
            api.get("/v2/_catalog").await.json(),
            json!({"repositories": ["a", "b/one", "c"]})
        );
        let page = api.get("/v2/_catalog?n=1&last=a").await;
        assert_eq!(page.json(), json!({"repositories": ["b/one"]}));
        assert_eq!(
            page.header("link"),
            Some("</v2/_catalog?n=1&last=b%2Fone>; rel=\"next\"")
        );
        assert_eq!(registry.repositories(), ["a", "b/one", "c"]);
    })
    .await;
}
