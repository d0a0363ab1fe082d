//! Tag and catalog listing: `n`/`last`, `Link` pagination on the same
//! origin, the page cap, the body cap, and ping.

use http::Method;
use oras_content::{ErrorKind, TagLister};
use oras_remote::{Registry, RepositoryOptions};

use crate::support::{Finish, Script, bounded, resp};

#[tokio::test]
async fn follows_same_origin_links_with_n_and_last() {
    let script = Script::new();
    script.expect(Method::GET, "/v2/app/tags/list?n=2&last=a", |seen| {
        assert_eq!(seen.scopes, vec!["repository:app:pull".to_owned()]);
        resp(200)
            .header("link", r#"</v2/app/tags/list?n=2&last=c>; rel="next""#)
            .body_bytes(r#"{"name":"app","tags":["b","c"]}"#)
    });
    script.expect(Method::GET, "/v2/app/tags/list?n=2&last=c", |_| {
        resp(200)
            .header(
                "link",
                r#"<https://r.example:443/v2/app/tags/list?n=2&last=e>; rel="next""#,
            )
            .body_bytes(r#"{"name":"app","tags":["d","e"]}"#)
    });
    script.expect(Method::GET, "/v2/app/tags/list?n=2&last=e", |_| {
        resp(200).body_bytes(r#"{"name":"app","tags":null}"#)
    });
    let registry = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(RepositoryOptions {
            page_size: Some(2),
            ..RepositoryOptions::default()
        });
    let repo = registry.repository("app").unwrap();
    assert_eq!(
        bounded(repo.tags(Some("a"))).await.unwrap(),
        ["b", "c", "d", "e"]
    );
    script.finish();
}

#[tokio::test]
async fn a_link_to_another_origin_is_refused() {
    for link in [
        "<https://evil.example/v2/app/tags/list?last=b>; rel=\"next\"",
        "<http://r.example/v2/app/tags/list?last=b>; rel=\"next\"",
        "<https://r.example:8443/v2/app/tags/list?last=b>; rel=\"next\"",
    ] {
        let script = Script::new();
        script.expect(Method::GET, "/v2/app/tags/list", move |_| {
            resp(200)
                .header("link", link)
                .body_bytes(r#"{"tags":["a"]}"#)
        });
        let err = bounded(script.repository("app").tags(None))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Denied, "{link}: {err}");
        assert!(err.to_string().contains("another origin"), "{err}");
        // Nothing was sent to the other origin.
        assert_eq!(script.seen().len(), 1);
        script.finish();
    }
}

#[tokio::test]
async fn pagination_stops_at_the_page_cap() {
    let script = Script::new();
    for _ in 0..3 {
        script.expect(Method::GET, "/v2/app/tags/list", |_| {
            resp(200)
                .header("link", r#"</v2/app/tags/list>; rel="next""#)
                .body_bytes(r#"{"tags":["loop"]}"#)
        });
    }
    let registry = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(RepositoryOptions {
            max_pages: 3,
            ..RepositoryOptions::default()
        });
    let err = bounded(registry.repository("app").unwrap().tags(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyPages, "{err}");
    script.finish();
}

#[tokio::test]
async fn tag_list_bodies_are_capped() {
    let script = Script::new();
    script.expect(Method::GET, "/v2/app/tags/list", |_| {
        // Chunked (no declared length) and over the cap.
        let mut body = String::from(r#"{"tags":["#);
        while body.len() < 5 * 1024 * 1024 {
            body.push_str(r#""aaaaaaaaaaaaaaaa","#);
        }
        resp(200).body_bytes(body)
    });
    let err = bounded(script.repository("app").tags(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    script.finish();
}

#[tokio::test]
async fn catalog_and_ping() {
    let script = Script::new();
    script.expect(Method::GET, "/v2/", |_| resp(200).body_bytes("{}"));
    script.expect(Method::GET, "/v2/", |_| resp(404).empty());
    script.expect(Method::GET, "/v2/_catalog", |seen| {
        assert_eq!(seen.scopes, vec!["registry:catalog:*".to_owned()]);
        resp(200)
            .header("link", r#"</v2/_catalog?last=b>; rel="next""#)
            .body_bytes(r#"{"repositories":["a","b"]}"#)
    });
    script.expect(Method::GET, "/v2/_catalog?last=b", |_| {
        resp(200).body_bytes(r#"{"repositories":["c"]}"#)
    });
    let registry = Registry::with_config("r.example", script.config()).unwrap();
    bounded(registry.ping()).await.unwrap();
    let err = bounded(registry.ping()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        bounded(registry.repositories(None)).await.unwrap(),
        ["a", "b", "c"]
    );
    script.finish();
}

#[tokio::test]
async fn error_bodies_are_read_only_up_to_8_kib() {
    let script = Script::new();
    script.expect(Method::GET, "/v2/app/tags/list", |_| {
        // A huge error body: only its start is read, the status decides.
        resp(403).body_bytes(vec![b'x'; 16 * 1024 * 1024])
    });
    let err = bounded(script.repository("app").tags(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied);
    assert!(err.to_string().ends_with("403: Forbidden"), "{err}");
    script.finish();
}

/// A page of about 4 MiB: one tag and padding, under the metadata cap.
fn padded_page(what: &str) -> String {
    let pad = "x".repeat(4 * 1024 * 1024 - 100);
    format!(r#"{{"{what}":["t"],"pad":"{pad}"}}"#)
}

#[tokio::test]
async fn a_tag_listing_holds_at_most_64_mib_of_pages_by_default() {
    let script = Script::new();
    // 17 pages of 4 MiB go over 64 MiB; the 17th is the last one read.
    for _ in 0..17 {
        script.expect(Method::GET, "/v2/app/tags/list", |_| {
            resp(200)
                .header("link", r#"</v2/app/tags/list>; rel="next""#)
                .body_bytes(padded_page("tags"))
        });
    }
    let err = bounded(script.repository("app").tags(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    assert!(
        err.to_string()
            .contains("tags of app: listing exceeds 67108864 bytes in all"),
        "{err}"
    );
    assert_eq!(script.seen().len(), 17);
    script.finish();
}

#[tokio::test]
async fn catalog_and_referrers_listings_are_capped_in_all() {
    let options = RepositoryOptions {
        max_listing_bytes: 100,
        ..RepositoryOptions::default()
    };
    let script = Script::new();
    for _ in 0..2 {
        script.expect(Method::GET, "/v2/_catalog", |_| {
            resp(200)
                .header("link", r#"</v2/_catalog>; rel="next""#)
                .body_bytes(format!(r#"{{"repositories":["{}"]}}"#, "r".repeat(40)))
        });
    }
    let registry = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(options.clone());
    let err = bounded(registry.repositories(None)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    assert!(err.to_string().contains("catalog"), "{err}");
    script.finish();

    let subject = oras_spec::Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, b"s");
    let path = format!("/v2/app/referrers/{}", subject.digest);
    let script = Script::new();
    for _ in 0..2 {
        let link = format!(r#"<{path}>; rel="next""#);
        script.expect(Method::GET, &path, move |_| {
            resp(200)
                .header("content-type", oras_spec::media_type::IMAGE_INDEX)
                .header("link", link.as_str())
                .body_bytes(
                    r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
                )
        });
    }
    let repository = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(options)
        .repository("app")
        .unwrap();
    let err = bounded(oras_content::ReferrerLister::referrers(
        &repository,
        &subject,
        None,
    ))
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    assert!(err.to_string().contains("referrers of"), "{err}");
    script.finish();
}
