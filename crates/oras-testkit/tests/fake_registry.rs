//! The fake registry driven by a plain hyper client: the strict behaviour
//! of every endpoint, and that each switch changes exactly its behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use oras_spec::{Algorithm, Digest, media_type};
use oras_testkit::fake::{
    Auth, BearerAuth, DigestHeader, FakeConfig, FakeRegistry, Fault, Origin, TagDelete,
    dropping_download, dropping_upload,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

/// Every test runs under this bound.
async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out");
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn code(&self) -> String {
        let v = self.json();
        v["errors"][0]["code"].as_str().unwrap().to_owned()
    }
}

struct Api {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Api {
    fn new(registry: &FakeRegistry) -> Api {
        Api {
            base: registry.url(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
        let mut req = Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.client
            .request(req.body(Full::new(body.into())).unwrap())
            .await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        let resp = self.raw(method, path, headers, body).await.unwrap();
        let (parts, body) = resp.into_parts();
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, &[], Bytes::new()).await
    }

    async fn head(&self, path: &str) -> Reply {
        self.send(Method::HEAD, path, &[], Bytes::new()).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, &[], Bytes::new()).await
    }

    /// POST then PUT with the whole blob.
    async fn push_blob(&self, repo: &str, data: &[u8]) -> Digest {
        let digest = Digest::sha256(data);
        let post = self
            .send(
                Method::POST,
                &format!("/v2/{repo}/blobs/uploads/"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(post.status, 202);
        let put = self
            .send(
                Method::PUT,
                &with_query(
                    post.header("location").unwrap(),
                    &format!("digest={digest}"),
                ),
                &[("content-type", "application/octet-stream")],
                data.to_vec(),
            )
            .await;
        assert_eq!(put.status, 201, "{}", String::from_utf8_lossy(&put.body));
        digest
    }

    async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
    ) -> Reply {
        self.send(
            Method::PUT,
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("content-type", media_type)],
            body.to_vec(),
        )
        .await
    }
}

fn with_query(location: &str, query: &str) -> String {
    if location.contains('?') {
        format!("{location}&{query}")
    } else {
        format!("{location}?{query}")
    }
}

fn desc(media_type: &str, data: &[u8]) -> Value {
    json!({
        "mediaType": media_type,
        "digest": Digest::sha256(data).to_string(),
        "size": data.len(),
    })
}

/// An OCI image manifest of `config` and `layers`, plus extra fields.
fn image(config: &[u8], layers: &[&[u8]], extra: Value) -> Vec<u8> {
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": media_type::IMAGE_MANIFEST,
        "config": desc(media_type::IMAGE_CONFIG, config),
        "layers": layers.iter().map(|l| desc(media_type::IMAGE_LAYER, l)).collect::<Vec<_>>(),
    });
    if let (Some(m), Some(extra)) = (manifest.as_object_mut(), extra.as_object()) {
        m.extend(extra.clone());
    }
    serde_json::to_vec(&manifest).unwrap()
}

/// Pushes config `{}` and one layer to `repo` and returns an image
/// manifest of them with `extra` fields.
async fn image_with_blobs(api: &Api, repo: &str, layer: &[u8], extra: Value) -> Vec<u8> {
    api.push_blob(repo, b"{}").await;
    api.push_blob(repo, layer).await;
    image(b"{}", &[layer], extra)
}

fn subject_of(manifest: &[u8]) -> Value {
    desc(media_type::IMAGE_MANIFEST, manifest)
}

// ------------------------------------------------------------- base, auth

#[tokio::test]
async fn base_endpoint_answers_200_with_api_version() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let reply = api.get("/v2/").await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("docker-distribution-api-version"),
            Some("registry/2.0")
        );
        assert_eq!(reply.json(), json!({}));
        assert!(registry.host().starts_with("127.0.0.1:"));
        assert_eq!(registry.url(), format!("http://{}", registry.host()));
        assert_ne!(registry.host(), registry.other_host());
    })
    .await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_logged_as_unexpected() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        assert_eq!(api.get("/nope").await.status, 404);
        let reply = api
            .send(Method::POST, "/v2/repo/manifests/latest", &[], Bytes::new())
            .await;
        assert_eq!(reply.status, 405);
        assert_eq!(reply.code(), "UNSUPPORTED");
        assert_eq!(api.get("/v2/").await.status, 200);
        let unexpected = registry.unexpected_requests();
        assert_eq!(unexpected.len(), 2);
        assert_eq!(unexpected[0].path, "/nope");
    })
    .await;
}

#[tokio::test]
async fn basic_auth_challenges_and_accepts_credentials() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::basic("u", "p"))).await;
        let api = Api::new(&registry);
        let reply = api.get("/v2/").await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.code(), "UNAUTHORIZED");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Basic realm=\"fake-registry\"")
        );
        let ok = api
            .send(
                Method::GET,
                "/v2/",
                &[("authorization", "Basic dTpw")],
                Bytes::new(),
            )
            .await;
        assert_eq!(ok.status, 200);
        let wrong = api
            .send(
                Method::GET,
                "/v2/",
                &[("authorization", "Basic dTp4")],
                Bytes::new(),
            )
            .await;
        assert_eq!(wrong.status, 401);
        let log = registry.requests();
        assert!(!log[0].has_authorization());
        assert_eq!(log[1].authorization(), Some("Basic dTpw"));
        assert_eq!(log[1].status, 200);
    })
    .await;
}

#[tokio::test]
async fn bearer_auth_issues_scoped_tokens() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("u", "p"))).await;
        let api = Api::new(&registry);
        let seeded = registry.put_blob("team/app", &b"data"[..]);
        let blob_path = format!("/v2/team/app/blobs/{seeded}");

        // Challenge with realm, service and scope.
        let reply = api.get(&blob_path).await;
        assert_eq!(reply.status, 401);
        let challenge = reply.header("www-authenticate").unwrap();
        assert_eq!(
            challenge,
            format!(
                "Bearer realm=\"{}/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\"",
                registry.url()
            )
        );

        // Anonymous token: issued, but grants nothing.
        let anon = api
            .get("/token?service=fake-registry&scope=repository:team/app:pull")
            .await;
        assert_eq!(anon.status, 200);
        let anon_token = anon.json()["token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {anon_token}");
        let refused = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(refused.status, 401);
        assert!(refused.header("www-authenticate").unwrap().contains("error=\"insufficient_scope\""));

        // With credentials: pull granted, push not asked for.
        let got = api
            .send(
                Method::GET,
                "/token?service=fake-registry&scope=repository:team/app:pull",
                &[("authorization", "Basic dTpw")],
                Bytes::new(),
            )
            .await;
        assert_eq!(got.status, 200);
        let token = got.json()["access_token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {token}");
        let pulled = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(pulled.status, 200);
        assert_eq!(&pulled.body[..], b"data");
        let push = api
            .send(Method::POST, "/v2/team/app/blobs/uploads/", &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(push.status, 401);
        assert!(
            push.header("www-authenticate")
                .unwrap()
                .contains("scope=\"repository:team/app:pull,push\"")
        );

        // Wrong credentials at the token endpoint.
        let wrong = api
            .send(
                Method::GET,
                "/token?service=fake-registry&scope=repository:team/app:pull",
                &[("authorization", "Basic dTp4")],
                Bytes::new(),
            )
            .await;
        assert_eq!(wrong.status, 401);

        // Revocation forces a new token.
        registry.revoke_tokens();
        let revoked = api
            .send(Method::GET, &blob_path, &[("authorization", &bearer)], Bytes::new())
            .await;
        assert_eq!(revoked.status, 401);
        assert!(revoked.header("www-authenticate").unwrap().contains("error=\"invalid_token\""));

        let log = registry.token_requests();
        assert_eq!(registry.token_request_count(), 3);
        assert_eq!(log[0].username, None);
        assert!(log[0].granted.is_empty());
        assert_eq!(log[1].username.as_deref(), Some("u"));
        assert_eq!(log[1].granted, ["repository:team/app:pull"]);
        assert_eq!(log[1].scopes, ["repository:team/app:pull"]);
        assert_eq!(log[2].status, 401);
    })
    .await;
}

#[tokio::test]
async fn bearer_auth_oauth2_password_and_refresh_grants() {
    bounded(async {
        let mut bearer = BearerAuth::new("u", "p");
        bearer.refresh_token = Some("identity-token".into());
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::Bearer(bearer))).await;
        let api = Api::new(&registry);
        let form = [("content-type", "application/x-www-form-urlencoded")];

        let password = api
            .send(
                Method::POST,
                "/token",
                &form,
                "grant_type=password&username=u&password=p&service=fake-registry&client_id=oras-go&scope=repository%3Aa%3Apull%2Cpush+registry%3Acatalog%3A%2A",
            )
            .await;
        assert_eq!(password.status, 200);
        let answer = password.json();
        assert_eq!(answer["scope"], "repository:a:pull,push registry:catalog:*");
        let access = answer["access_token"].as_str().unwrap();
        let refresh = answer["refresh_token"].as_str().unwrap().to_owned();
        let auth = format!("Bearer {access}");
        let catalog = api
            .send(Method::GET, "/v2/_catalog", &[("authorization", &auth)], Bytes::new())
            .await;
        assert_eq!(catalog.status, 200);
        let post = api
            .send(Method::POST, "/v2/a/blobs/uploads/", &[("authorization", &auth)], Bytes::new())
            .await;
        assert_eq!(post.status, 202);

        for token in [refresh.as_str(), "identity-token"] {
            let body = format!(
                "grant_type=refresh_token&refresh_token={token}&service=fake-registry&client_id=oras-go&scope=repository%3Aa%3Apull"
            );
            let reply = api.send(Method::POST, "/token", &form, body).await;
            assert_eq!(reply.status, 200, "refresh with {token}");
        }
        let bad = api
            .send(
                Method::POST,
                "/token",
                &form,
                "grant_type=refresh_token&refresh_token=nope&service=fake-registry&client_id=x",
            )
            .await;
        assert_eq!(bad.status, 401);
        let no_client = api
            .send(Method::POST, "/token", &form, "grant_type=password&username=u&password=p&service=fake-registry")
            .await;
        assert_eq!(no_client.status, 400);
        let tokens = registry.token_requests();
        assert_eq!(tokens.len(), 5);
        assert!(tokens[1].used_refresh_token);
        assert_eq!(tokens[0].grant_type.as_deref(), Some("password"));
        assert_eq!(tokens[0].client_id.as_deref(), Some("oras-go"));
    })
    .await;
}

#[tokio::test]
async fn bearer_anonymous_pull_switch_grants_pull_only() {
    bounded(async {
        let mut bearer = BearerAuth::new("u", "p");
        bearer.anonymous_pull = true;
        let registry = FakeRegistry::start(FakeConfig::with_auth(Auth::Bearer(bearer))).await;
        let api = Api::new(&registry);
        let reply = api
            .get("/token?service=fake-registry&scope=repository:r:pull,push")
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(registry.token_requests()[0].granted, ["repository:r:pull"]);
        let auth = format!("Bearer {}", reply.json()["token"].as_str().unwrap());
        let tags = api
            .send(
                Method::GET,
                "/v2/r/tags/list",
                &[("authorization", &auth)],
                Bytes::new(),
            )
            .await;
        assert_eq!(tags.status, 404, "authorised; the repository is unknown");
        let push = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/",
                &[("authorization", &auth)],
                Bytes::new(),
            )
            .await;
        assert_eq!(push.status, 401);
    })
    .await;
}

// ------------------------------------------------------------------ blobs

#[tokio::test]
async fn blob_get_and_head_carry_the_spec_headers() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = api.push_blob("a/b", b"hello world").await;
        let path = format!("/v2/a/b/blobs/{digest}");
        for reply in [api.get(&path).await, api.head(&path).await] {
            assert_eq!(reply.status, 200);
            assert_eq!(reply.header("content-length"), Some("11"));
            assert_eq!(
                reply.header("content-type"),
                Some("application/octet-stream")
            );
            assert_eq!(
                reply.header("docker-content-digest"),
                Some(digest.to_string().as_str())
            );
            assert_eq!(reply.header("accept-ranges"), Some("bytes"));
        }
        assert_eq!(&api.get(&path).await.body[..], b"hello world");
        assert!(api.head(&path).await.body.is_empty());
        assert_eq!(
            registry.blob("a/b", &digest).as_deref(),
            Some(&b"hello world"[..])
        );

        let missing = api
            .get(&format!("/v2/a/b/blobs/{}", Digest::sha256(b"x")))
            .await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.code(), "BLOB_UNKNOWN");
        assert_eq!(
            api.head(&format!("/v2/a/b/blobs/{}", Digest::sha256(b"x")))
                .await
                .status,
            404
        );
        let other_repo = api.get(&format!("/v2/c/blobs/{digest}")).await;
        assert_eq!(other_repo.status, 404, "blobs are per repository");
        let bad = api.get("/v2/a/b/blobs/sha256:nothex").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.code(), "DIGEST_INVALID");
        let bad_name = api.get(&format!("/v2/A/blobs/{digest}")).await;
        assert_eq!(bad_name.status, 400);
        assert_eq!(bad_name.code(), "NAME_INVALID");
    })
    .await;
}

#[tokio::test]
async fn blob_range_requests() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let digest = registry.put_blob("r", data.clone());
        let path = format!("/v2/r/blobs/{digest}");
        let range = |r: &'static str| {
            let api = &api;
            let path = path.clone();
            async move {
                api.send(Method::GET, &path, &[("range", r)], Bytes::new())
                    .await
            }
        };
        let reply = range("bytes=100-199").await;
        assert_eq!(reply.status, 206);
        assert_eq!(reply.header("content-range"), Some("bytes 100-199/1000"));
        assert_eq!(reply.header("content-length"), Some("100"));
        assert_eq!(&reply.body[..], &data[100..200]);
        let reply = range("bytes=900-").await;
        assert_eq!(
            (reply.status, reply.header("content-range")),
            (206, Some("bytes 900-999/1000"))
        );
        let reply = range("bytes=-10").await;
        assert_eq!(&reply.body[..], &data[990..]);
        let reply = range("bytes=500-5000").await;
        assert_eq!(reply.header("content-range"), Some("bytes 500-999/1000"));
        for bad in ["bytes=500-0", "bytes=5000-10000"] {
            let reply = range(bad).await;
            assert_eq!(reply.status, 416, "{bad}");
            assert_eq!(reply.header("content-range"), Some("bytes */1000"));
            assert!(reply.body.is_empty());
        }
        let log = registry.requests();
        assert_eq!(log[0].range(), Some("bytes=100-199"));
        assert_eq!(log[0].response_content_range(), Some("bytes 100-199/1000"));
    })
    .await;
}

#[tokio::test]
async fn blob_delete() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"x"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        assert_eq!(api.delete(&path).await.status, 202);
        assert_eq!(api.get(&path).await.status, 404);
        let again = api.delete(&path).await;
        assert_eq!((again.status, again.code()), (404, "BLOB_UNKNOWN".into()));
    })
    .await;
}

// ---------------------------------------------------------------- uploads

#[tokio::test]
async fn monolithic_upload_post_then_put() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert_eq!(post.status, 202);
        let location = post.header("location").unwrap().to_owned();
        let uuid = post.header("docker-upload-uuid").unwrap();
        assert_eq!(location, format!("/v2/r/blobs/uploads/{uuid}"));
        assert_eq!(post.header("range"), Some("0-0"));
        assert_eq!(post.header("oci-chunk-min-length"), None);
        assert_eq!(registry.uploads().len(), 1);

        let digest = Digest::sha256(b"blob");
        let put = api
            .send(
                Method::PUT,
                &format!("{location}?digest={digest}"),
                &[],
                &b"blob"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(
            put.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(
            put.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert!(registry.uploads().is_empty());
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.body, "blob");
    })
    .await;
}

#[tokio::test]
async fn closing_put_with_the_wrong_digest_is_digest_invalid() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let location = post.header("location").unwrap();
        let wrong = Digest::sha256(b"other");
        let put = api
            .send(
                Method::PUT,
                &format!("{location}?digest={wrong}"),
                &[],
                &b"blob"[..],
            )
            .await;
        assert_eq!((put.status, put.code()), (400, "DIGEST_INVALID".into()));
        assert!(registry.blob("r", &wrong).is_none());
        let missing = api.send(Method::PUT, location, &[], Bytes::new()).await;
        assert_eq!(missing.status, 404, "the failed commit closed the session");
    })
    .await;
}

#[tokio::test]
async fn single_post_upload_and_its_switch() {
    bounded(async {
        let data = &b"single post"[..];
        let digest = Digest::sha256(data);
        let path = format!("/v2/r/blobs/uploads/?digest={digest}");

        let strict = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&strict);
        let reply = api.send(Method::POST, &path, &[], data).await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.status, 200);
        let bad = api
            .send(
                Method::POST,
                &format!("/v2/r/blobs/uploads/?digest={}", Digest::sha256(b"z")),
                &[],
                data,
            )
            .await;
        assert_eq!((bad.status, bad.code()), (400, "DIGEST_INVALID".into()));

        let config = FakeConfig {
            single_post_upload: false,
            ..FakeConfig::default()
        };
        let lax = FakeRegistry::start(config).await;
        let api = Api::new(&lax);
        let reply = api.send(Method::POST, &path, &[], data).await;
        assert_eq!(reply.status, 202);
        assert!(
            reply
                .header("location")
                .unwrap()
                .starts_with("/v2/r/blobs/uploads/")
        );
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn chunked_upload_follows_the_conformance_sequence() {
    bounded(async {
        let config = FakeConfig {
            chunk_min_length: Some(22),
            ..FakeConfig::default()
        };
        let registry = FakeRegistry::start(config).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..42u8).collect();
        let (one, two) = data.split_at(22);
        let octet = ("content-type", "application/octet-stream");

        // Out of order on a fresh session.
        let post = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/",
                &[("content-length", "0")],
                Bytes::new(),
            )
            .await;
        assert_eq!(post.header("oci-chunk-min-length"), Some("22"));
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "22-41")],
                two.to_vec(),
            )
            .await;
        assert_eq!(reply.status, 416);

        // In order.
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let first = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "0-21")],
                one.to_vec(),
            )
            .await;
        assert_eq!(first.status, 202);
        assert_eq!(first.header("range"), Some("0-21"));
        assert_eq!(first.header("location"), Some(loc.as_str()));
        let retry = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "0-21")],
                one.to_vec(),
            )
            .await;
        assert_eq!(retry.status, 416);
        let status = api.get(&loc).await;
        assert_eq!(status.status, 204);
        assert_eq!(status.header("range"), Some("0-21"));
        assert_eq!(status.header("location"), Some(loc.as_str()));
        let second = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "22-41")],
                two.to_vec(),
            )
            .await;
        assert_eq!((second.status, second.header("range")), (202, Some("0-41")));
        let digest = Digest::sha256(&data);
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[("content-length", "0")],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(registry.blob("r", &digest).as_deref(), Some(&data[..]));
        let log = registry.requests();
        assert_eq!(log[1].content_range(), Some("22-41"));
        assert_eq!(log[1].status, 416);
    })
    .await;
}

#[tokio::test]
async fn streamed_patch_and_last_chunk_on_put() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let patch = api.send(Method::PATCH, &loc, &[], &b"abc"[..]).await;
        assert_eq!((patch.status, patch.header("range")), (202, Some("0-2")));
        let digest = Digest::sha256(b"abcdef");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[("content-range", "3-5")],
                &b"def"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(registry.blob("r", &digest).unwrap(), "abcdef");
    })
    .await;
}

#[tokio::test]
async fn chunk_length_must_match_its_range() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "0-9")],
                &b"short"[..],
            )
            .await;
        assert_eq!((reply.status, reply.code()), (400, "SIZE_INVALID".into()));
        let malformed = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "bytes 0-4")],
                &b"short"[..],
            )
            .await;
        assert_eq!(
            (malformed.status, malformed.code()),
            (400, "BLOB_UPLOAD_INVALID".into())
        );
        assert_eq!(registry.uploads()[0].size, 0);
    })
    .await;
}

#[tokio::test]
async fn upload_cancel_and_unknown_sessions() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert_eq!(api.delete(&loc).await.status, 204);
        for reply in [
            api.delete(&loc).await,
            api.get(&loc).await,
            api.send(Method::PATCH, &loc, &[], &b"x"[..]).await,
        ] {
            assert_eq!(
                (reply.status, reply.code()),
                (404, "BLOB_UPLOAD_UNKNOWN".into())
            );
        }
        // A session belongs to its repository.
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let id = post.header("docker-upload-uuid").unwrap();
        assert_eq!(
            api.get(&format!("/v2/other/blobs/uploads/{id}"))
                .await
                .status,
            404
        );
    })
    .await;
}

#[tokio::test]
async fn sha512_blobs_and_manifests() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data = &b"sha512 content"[..];
        let digest = Digest::compute(Algorithm::Sha512, data);
        let post = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/?digest-algorithm=sha512",
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(post.status, 202);
        let put = api
            .send(
                Method::PUT,
                &format!("{}?digest={digest}", post.header("location").unwrap()),
                &[],
                data,
            )
            .await;
        assert_eq!(put.status, 201);
        let get = api.get(&format!("/v2/r/blobs/{digest}")).await;
        assert_eq!(
            get.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );

        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let by_512 = Digest::compute(Algorithm::Sha512, &manifest);
        let reply = api
            .put_manifest(
                "r",
                &by_512.to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(by_512.to_string().as_str())
        );
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{by_512}")).await.body,
            manifest
        );
    })
    .await;
}

#[tokio::test]
async fn large_blob_in_chunks_round_trips() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..(8 * 1024 * 1024u32)).map(|i| (i % 253) as u8).collect();
        let post = api
            .send(Method::POST, "/v2/big/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let chunk = 3 * 1024 * 1024;
        for (i, part) in data.chunks(chunk).enumerate() {
            let first = i * chunk;
            let range = format!("{first}-{}", first + part.len() - 1);
            let reply = api
                .send(
                    Method::PATCH,
                    &loc,
                    &[("content-range", &range)],
                    part.to_vec(),
                )
                .await;
            assert_eq!(reply.status, 202);
            assert_eq!(
                reply.header("range"),
                Some(format!("0-{}", first + part.len() - 1).as_str())
            );
        }
        let digest = Digest::sha256(&data);
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        let got = api.get(&format!("/v2/big/blobs/{digest}")).await;
        assert_eq!(got.body.len(), data.len());
        assert!(got.body == data);
    })
    .await;
}

// ------------------------------------------------------------------ mount

#[tokio::test]
async fn mount_from_another_repository() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("source", &b"shared"[..]);
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={digest}&from=source"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/cross/blobs/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(
            api.get(&format!("/v2/cross/blobs/{digest}")).await.body,
            "shared"
        );

        let missing = Digest::sha256(b"missing");
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={missing}&from=source"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 202);
        assert!(
            reply
                .header("location")
                .unwrap()
                .starts_with("/v2/cross/blobs/uploads/")
        );

        // Without `from` and without automatic mount: a session.
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/third/blobs/uploads/?mount={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 202);
    })
    .await;
}

#[tokio::test]
async fn mount_switches_off_and_automatic() {
    bounded(async {
        let off = FakeRegistry::start(FakeConfig {
            mount: false,
            ..FakeConfig::default()
        })
        .await;
        let digest = off.put_blob("source", &b"shared"[..]);
        let path = format!("/v2/cross/blobs/uploads/?mount={digest}&from=source");
        let reply = Api::new(&off)
            .send(Method::POST, &path, &[], Bytes::new())
            .await;
        assert_eq!(reply.status, 202);
        assert!(off.blob("cross", &digest).is_none());

        let auto = FakeRegistry::start(FakeConfig {
            automatic_mount: true,
            ..FakeConfig::default()
        })
        .await;
        auto.put_blob("source", &b"shared"[..]);
        let reply = Api::new(&auto)
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 201);
        assert!(auto.blob("cross", &digest).is_some());
    })
    .await;
}

// -------------------------------------------------------------- manifests

#[tokio::test]
async fn manifest_push_and_pull_by_tag_and_digest() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/r/manifests/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(reply.header("oci-subject"), None);

        for reference in ["v1".to_owned(), digest.to_string()] {
            let path = format!("/v2/r/manifests/{reference}");
            let get = api.get(&path).await;
            assert_eq!(get.status, 200);
            assert_eq!(get.body, manifest);
            assert_eq!(get.header("content-type"), Some(media_type::IMAGE_MANIFEST));
            assert_eq!(
                get.header("docker-content-digest"),
                Some(digest.to_string().as_str())
            );
            let head = api.head(&path).await;
            assert_eq!(head.status, 200);
            assert_eq!(
                head.header("content-length"),
                Some(manifest.len().to_string().as_str())
            );
            assert!(head.body.is_empty());
        }
        let stored = registry.manifest("r", "v1").unwrap();
        assert_eq!(stored.digest, digest);
        assert_eq!(stored.media_type, media_type::IMAGE_MANIFEST);
        assert_eq!(registry.tags("r"), ["v1"]);

        let missing = api.get("/v2/r/manifests/.INVALID_MANIFEST_NAME").await;
        assert_eq!(missing.status, 404);
        let missing = api.get("/v2/r/manifests/nope").await;
        assert_eq!(
            (missing.status, missing.code()),
            (404, "MANIFEST_UNKNOWN".into())
        );
        let wrong = api.get("/v2/r/manifests/sha256:totallywrong").await;
        assert_eq!((wrong.status, wrong.code()), (400, "DIGEST_INVALID".into()));
    })
    .await;
}

#[tokio::test]
async fn manifest_push_is_validated() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image(b"{}", &[b"layer"], json!({}));

        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_BLOB_UNKNOWN".into())
        );

        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_INDEX, &manifest)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into()),
            "type mismatch"
        );
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, b"not json")
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into())
        );
        let reply = api
            .put_manifest("r", "v1", "application/x-custom", b"{}")
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into())
        );
        let reply = api
            .put_manifest(
                "r",
                &Digest::sha256(b"x").to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!((reply.status, reply.code()), (400, "DIGEST_INVALID".into()));
        let reply = api
            .put_manifest(
                "r",
                "sha256:baddigeststring",
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 400);
        let reply = api
            .put_manifest("r", "-bad-tag", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 400);

        // A wrong size in a descriptor.
        let mut lying: Value = serde_json::from_slice(&manifest).unwrap();
        lying["layers"][0]["size"] = json!(99);
        let lying = serde_json::to_vec(&lying).unwrap();
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &lying)
            .await;
        assert_eq!(reply.status, 400);

        // An index needs its children.
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_INDEX,
            "manifests": [desc(media_type::IMAGE_MANIFEST, &manifest)],
        }))
        .unwrap();
        let reply = api
            .put_manifest("r", "idx", media_type::IMAGE_INDEX, &index)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_BLOB_UNKNOWN".into())
        );
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            201
        );
        assert_eq!(
            api.put_manifest("r", "idx", media_type::IMAGE_INDEX, &index)
                .await
                .status,
            201
        );
        assert!(registry.unexpected_requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn manifest_size_limit_is_413() {
    bounded(async {
        let strict = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&strict);
        // 4 MiB is accepted (a valid manifest padded with an annotation).
        let base = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let pad = 4 * 1024 * 1024 - base.len() - 40;
        let big = image(
            b"{}",
            &[b"layer"],
            json!({"annotations": {"pad": "x".repeat(pad)}}),
        );
        assert!(big.len() <= 4 * 1024 * 1024);
        assert_eq!(
            api.put_manifest("r", "big", media_type::IMAGE_MANIFEST, &big)
                .await
                .status,
            201
        );
        let too_big = image(
            b"{}",
            &[b"layer"],
            json!({"annotations": {"pad": "x".repeat(4 * 1024 * 1024)}}),
        );
        assert_eq!(
            api.put_manifest("r", "huge", media_type::IMAGE_MANIFEST, &too_big)
                .await
                .status,
            413
        );

        let small = FakeRegistry::start(FakeConfig {
            max_manifest_size: 100,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&small);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            413
        );
    })
    .await;
}

#[tokio::test]
async fn manifest_blob_check_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            manifest_blob_check: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let manifest = image(b"{}", &[b"layer"], json!({}));
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            201
        );
        // Other rules still hold.
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_INDEX, &manifest)
                .await
                .status,
            400
        );
    })
    .await;
}

#[tokio::test]
async fn tag_parameters_answer_oci_tag() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        let reply = api
            .put_manifest(
                "r",
                &format!("{digest}?tag=a&tag=b"),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        let tags: Vec<&str> = reply
            .headers
            .get_all("oci-tag")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(tags, ["a", "b"]);
        assert_eq!(registry.tags("r"), ["a", "b"]);
    })
    .await;
}

#[tokio::test]
async fn manifest_delete_by_digest_and_tag() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        for tag in ["a", "b", "c"] {
            api.put_manifest("r", tag, media_type::IMAGE_MANIFEST, &manifest)
                .await;
        }
        assert_eq!(api.delete("/v2/r/manifests/a").await.status, 202);
        assert_eq!(registry.tags("r"), ["b", "c"]);
        assert_eq!(api.get("/v2/r/manifests/a").await.status, 404);
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{digest}")).await.status,
            200
        );
        assert_eq!(
            api.delete(&format!("/v2/r/manifests/{digest}"))
                .await
                .status,
            202
        );
        assert!(registry.tags("r").is_empty(), "tags go with the manifest");
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{digest}")).await.status,
            404
        );
        let again = api.delete(&format!("/v2/r/manifests/{digest}")).await;
        assert_eq!(
            (again.status, again.code()),
            (404, "MANIFEST_UNKNOWN".into())
        );
    })
    .await;
}

#[tokio::test]
async fn delete_switches() {
    bounded(async {
        for (tag_delete, status) in [
            (TagDelete::RefuseBadRequest, 400),
            (TagDelete::RefuseMethodNotAllowed, 405),
        ] {
            let registry = FakeRegistry::start(FakeConfig {
                tag_delete,
                ..FakeConfig::default()
            })
            .await;
            let api = Api::new(&registry);
            let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
            api.put_manifest("r", "t", media_type::IMAGE_MANIFEST, &manifest)
                .await;
            let reply = api.delete("/v2/r/manifests/t").await;
            assert_eq!((reply.status, reply.code()), (status, "UNSUPPORTED".into()));
            assert_eq!(registry.tags("r"), ["t"]);
            // Deleting by digest still works.
            let digest = Digest::sha256(&manifest);
            assert_eq!(
                api.delete(&format!("/v2/r/manifests/{digest}"))
                    .await
                    .status,
                202
            );
        }

        let registry = FakeRegistry::start(FakeConfig {
            manifest_delete: false,
            blob_delete: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        api.put_manifest("r", "t", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        let reply = api
            .delete(&format!("/v2/r/manifests/{}", Digest::sha256(&manifest)))
            .await;
        assert_eq!((reply.status, reply.code()), (405, "UNSUPPORTED".into()));
        let reply = api
            .delete(&format!("/v2/r/blobs/{}", Digest::sha256(b"layer")))
            .await;
        assert_eq!((reply.status, reply.code()), (405, "UNSUPPORTED".into()));
        assert_eq!(
            api.delete("/v2/r/manifests/t").await.status,
            202,
            "tag deletes are separate"
        );
    })
    .await;
}

#[tokio::test]
async fn digest_header_switches_touch_only_their_kind() {
    bounded(async {
        for (blob_mode, manifest_mode) in [
            (DigestHeader::Wrong, DigestHeader::Correct),
            (DigestHeader::Missing, DigestHeader::Correct),
            (DigestHeader::Correct, DigestHeader::Wrong),
            (DigestHeader::Correct, DigestHeader::Missing),
        ] {
            let registry = FakeRegistry::start(FakeConfig {
                blob_digest_header: blob_mode,
                manifest_digest_header: manifest_mode,
                ..FakeConfig::default()
            })
            .await;
            let api = Api::new(&registry);
            let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
            let put = api
                .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await;
            let manifest_digest = Digest::sha256(&manifest).to_string();
            assert_eq!(
                put.header("docker-content-digest"),
                Some(manifest_digest.as_str()),
                "PUT untouched"
            );
            let blob_digest = Digest::sha256(b"layer").to_string();
            let check = |reply: &Reply, mode: DigestHeader, truth: &str| match mode {
                DigestHeader::Correct => {
                    assert_eq!(reply.header("docker-content-digest"), Some(truth))
                }
                DigestHeader::Missing => assert_eq!(reply.header("docker-content-digest"), None),
                DigestHeader::Wrong => {
                    let lie = reply.header("docker-content-digest").unwrap();
                    assert_ne!(lie, truth);
                    assert!(lie.parse::<Digest>().is_ok());
                }
            };
            for reply in [
                api.get(&format!("/v2/r/blobs/{blob_digest}")).await,
                api.head(&format!("/v2/r/blobs/{blob_digest}")).await,
            ] {
                check(&reply, blob_mode, &blob_digest);
            }
            for reply in [
                api.get("/v2/r/manifests/v1").await,
                api.head("/v2/r/manifests/v1").await,
            ] {
                check(&reply, manifest_mode, &manifest_digest);
            }
        }
    })
    .await;
}

// --------------------------------------------------------------- listings

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

// -------------------------------------------------------------- referrers

/// Pushes a subject and three referrers (two of type `t/one`).
async fn referrers_fixture(api: &Api) -> (Vec<u8>, Vec<Digest>) {
    let subject = image_with_blobs(api, "r", b"layer", json!({})).await;
    let mut referrers = Vec::new();
    for (i, artifact_type) in ["t/one", "t/two", "t/one"].iter().enumerate() {
        let manifest = image(
            b"{}",
            &[b"layer"],
            json!({
                "artifactType": artifact_type,
                "subject": subject_of(&subject),
                "annotations": {"n": i.to_string()},
            }),
        );
        let reply = api
            .put_manifest(
                "r",
                &Digest::sha256(&manifest).to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("oci-subject"),
            Some(Digest::sha256(&subject).to_string().as_str())
        );
        referrers.push(Digest::sha256(&manifest));
    }
    (subject, referrers)
}

#[tokio::test]
async fn referrers_api_lists_and_filters() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        // Referrers pushed before their subject exists are accepted.
        let (subject, referrers) = referrers_fixture(&api).await;
        let subject_digest = Digest::sha256(&subject);
        let path = format!("/v2/r/referrers/{subject_digest}");

        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some(media_type::IMAGE_INDEX));
        assert_eq!(reply.header("oci-filters-applied"), None);
        let index = reply.json();
        assert_eq!(index["schemaVersion"], 2);
        assert_eq!(index["mediaType"], media_type::IMAGE_INDEX);
        let listed = index["manifests"].as_array().unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0]["digest"], referrers[0].to_string());
        assert_eq!(listed[0]["artifactType"], "t/one");
        assert_eq!(listed[0]["annotations"], json!({"n": "0"}));
        assert_eq!(listed[1]["mediaType"], media_type::IMAGE_MANIFEST);

        let filtered = api.get(&format!("{path}?artifactType=t%2Fone")).await;
        assert_eq!(filtered.header("oci-filters-applied"), Some("artifactType"));
        assert_eq!(filtered.json()["manifests"].as_array().unwrap().len(), 2);

        let unknown = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(b"none")))
            .await;
        assert_eq!(
            (unknown.status, unknown.json()["manifests"].clone()),
            (200, json!([]))
        );
        let unknown_repo = api
            .get(&format!("/v2/nothing/referrers/{subject_digest}"))
            .await;
        assert_eq!(unknown_repo.status, 200);
        let bad = api.get("/v2/r/referrers/sha256:bad").await;
        assert_eq!((bad.status, bad.code()), (400, "DIGEST_INVALID".into()));

        // Deleting a referrer removes it from the list.
        api.delete(&format!("/v2/r/manifests/{}", referrers[1]))
            .await;
        assert_eq!(
            api.get(&path).await.json()["manifests"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn referrers_page_size_switch_paginates() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            referrers_page_size: Some(2),
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let (subject, referrers) = referrers_fixture(&api).await;
        let path = format!("/v2/r/referrers/{}", Digest::sha256(&subject));
        let first = api.get(&path).await;
        assert_eq!(first.json()["manifests"].as_array().unwrap().len(), 2);
        let link = first.header("link").unwrap().to_owned();
        let next = link.trim_start_matches('<').split('>').next().unwrap();
        assert!(next.starts_with(&path));
        let second = api.get(next).await;
        let rest = second.json()["manifests"].as_array().unwrap().clone();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0]["digest"], referrers[2].to_string());
        assert_eq!(second.header("link"), None);
    })
    .await;
}

#[tokio::test]
async fn referrers_switches() {
    bounded(async {
        // No API: plain 404, no NAME_UNKNOWN, no OCI-Subject.
        let off = FakeRegistry::start(FakeConfig {
            referrers_api: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&off);
        let subject = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let referrer = image(b"{}", &[b"layer"], json!({"subject": subject_of(&subject)}));
        let put = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &referrer)
            .await;
        assert_eq!((put.status, put.header("oci-subject")), (201, None));
        let reply = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(&subject)))
            .await;
        assert_eq!(reply.status, 404);
        assert!(!String::from_utf8_lossy(&reply.body).contains("NAME_UNKNOWN"));
        assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
        assert!(off.unexpected_requests().is_empty());

        // No OCI-Subject, API still there.
        let quiet = FakeRegistry::start(FakeConfig {
            oci_subject_header: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&quiet);
        let subject = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let referrer = image(b"{}", &[b"layer"], json!({"subject": subject_of(&subject)}));
        let put = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &referrer)
            .await;
        assert_eq!((put.status, put.header("oci-subject")), (201, None));
        let list = api
            .get(&format!("/v2/r/referrers/{}", Digest::sha256(&subject)))
            .await;
        assert_eq!(list.json()["manifests"].as_array().unwrap().len(), 1);

        // Filtered without saying so.
        let unsaid = FakeRegistry::start(FakeConfig {
            filters_applied_header: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&unsaid);
        let (subject, _) = referrers_fixture(&api).await;
        let reply = api
            .get(&format!(
                "/v2/r/referrers/{}?artifactType=t%2Fone",
                Digest::sha256(&subject)
            ))
            .await;
        assert_eq!(reply.header("oci-filters-applied"), None);
        assert_eq!(reply.json()["manifests"].as_array().unwrap().len(), 2);

        // Not filtering at all.
        let unfiltered = FakeRegistry::start(FakeConfig {
            referrers_filtering: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&unfiltered);
        let (subject, _) = referrers_fixture(&api).await;
        let reply = api
            .get(&format!(
                "/v2/r/referrers/{}?artifactType=t%2Fone",
                Digest::sha256(&subject)
            ))
            .await;
        assert_eq!(reply.header("oci-filters-applied"), None);
        assert_eq!(reply.json()["manifests"].as_array().unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn missing_subject_is_accepted_with_oci_subject() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        api.push_blob("r", b"{}").await;
        let ghost = desc(media_type::IMAGE_MANIFEST, b"never pushed");
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_MANIFEST,
            "artifactType": "application/x.example",
            "config": desc(media_type::EMPTY_JSON, b"{}"),
            "layers": [desc(media_type::EMPTY_JSON, b"{}")],
            "subject": ghost,
        }))
        .unwrap();
        let reply = api
            .put_manifest("r", "ref", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("oci-subject"),
            Some(Digest::sha256(b"never pushed").to_string().as_str())
        );
        let list = api
            .get(&format!(
                "/v2/r/referrers/{}",
                Digest::sha256(b"never pushed")
            ))
            .await;
        assert_eq!(
            list.json()["manifests"][0]["artifactType"],
            "application/x.example"
        );
    })
    .await;
}

// --------------------------------------------------------------- switches

#[tokio::test]
async fn out_of_order_switch_accepts_the_chunk() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            out_of_order_416: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "22-25")],
                &b"abcd"[..],
            )
            .await;
        assert_eq!((reply.status, reply.header("range")), (202, Some("0-3")));
        // Length checks still apply.
        let reply = api
            .send(Method::PATCH, &loc, &[("content-range", "4-9")], &b"ab"[..])
            .await;
        assert_eq!(reply.status, 400);
    })
    .await;
}

#[tokio::test]
async fn range_switch_serves_whole_blobs() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            range_requests: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"0123456789"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        let reply = api
            .send(Method::GET, &path, &[("range", "bytes=2-4")], Bytes::new())
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "0123456789");
        assert_eq!(reply.header("accept-ranges"), None);
        assert_eq!(reply.header("content-range"), None);
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn blob_redirect_switch_sends_gets_to_the_other_origin() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            blob_redirect: true,
            auth: Auth::basic("u", "p"),
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"cdn bytes"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        let auth = [("authorization", "Basic dTpw")];
        let reply = api.send(Method::GET, &path, &auth, Bytes::new()).await;
        assert_eq!(reply.status, 307);
        let target = reply.header("location").unwrap().to_owned();
        assert_eq!(target, format!("{}{path}", registry.other_url()));
        let head = api.send(Method::HEAD, &path, &auth, Bytes::new()).await;
        assert_eq!(head.status, 200, "HEAD is answered by the registry");

        let cdn = api.get(&target).await;
        assert_eq!((cdn.status, &cdn.body[..]), (200, &b"cdn bytes"[..]));
        let log = registry.requests();
        let hop = log.iter().find(|r| r.origin == Origin::Other).unwrap();
        assert!(!hop.has_authorization());
        assert_eq!(hop.path, path);
    })
    .await;
}

#[tokio::test]
async fn foreign_upload_location_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            foreign_upload_location: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert!(loc.starts_with(&format!("{}/v2/r/blobs/uploads/", registry.other_url())));
        let digest = Digest::sha256(b"x");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                &b"x"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(
            put.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(registry.requests()[1].origin, Origin::Other);
        // Blob and manifest locations are unchanged.
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert!(reply.header("location").unwrap().starts_with("/v2/"));
    })
    .await;
}

#[tokio::test]
async fn absolute_location_and_cross_origin_link_switches() {
    bounded(async {
        let absolute = FakeRegistry::start(FakeConfig {
            absolute_location: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&absolute);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert!(
            post.header("location")
                .unwrap()
                .starts_with(&format!("{}/v2/r/blobs/uploads/", absolute.url()))
        );

        let cross = FakeRegistry::start(FakeConfig {
            cross_origin_link: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&cross);
        let digest = cross.put_manifest("r", media_type::IMAGE_MANIFEST, &b"{}"[..]);
        cross.tag("r", "a", &digest);
        cross.tag("r", "b", &digest);
        let page = api.get("/v2/r/tags/list?n=1").await;
        let link = page.header("link").unwrap();
        assert_eq!(
            link,
            format!(
                "<{}/v2/r/tags/list?n=1&last=a>; rel=\"next\"",
                cross.other_url()
            )
        );
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert!(
            post.header("location").unwrap().starts_with("/v2/"),
            "locations untouched"
        );
    })
    .await;
}

#[tokio::test]
async fn upload_state_param_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            upload_state_param: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert!(loc.contains("?_state="));
        let bare = loc.split('?').next().unwrap();
        let refused = api.send(Method::PATCH, bare, &[], &b"ab"[..]).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "BLOB_UPLOAD_INVALID".into())
        );
        let patch = api.send(Method::PATCH, &loc, &[], &b"ab"[..]).await;
        assert_eq!(patch.status, 202);
        let digest = Digest::sha256(b"ab");
        let put = api
            .send(
                Method::PUT,
                &with_query(&loc, &format!("digest={digest}")),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
    })
    .await;
}

// ----------------------------------------------------------------- faults

#[tokio::test]
async fn fault_fails_the_nth_matching_request() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::status(Method::GET, "/v2/*/tags/list", 503).nth(2),
        ]))
        .await;
        let api = Api::new(&registry);
        registry.put_blob("r", &b"x"[..]);
        let statuses: Vec<u16> = {
            let mut out = Vec::new();
            for _ in 0..3 {
                out.push(api.get("/v2/r/tags/list").await.status);
            }
            out
        };
        assert_eq!(statuses, [200, 503, 200]);
        assert_eq!(api.get("/v2/").await.status, 200);
        let log = registry.requests();
        assert!(log[1].fault.is_some());
        assert!(log[0].fault.is_none());
    })
    .await;
}

#[tokio::test]
async fn server_errors_then_success_and_429_with_retry_after() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::server_errors(Method::HEAD, "/v2/*/manifests/*", 502, 2),
            Fault::too_many_requests(Method::GET, "/v2/", 3),
        ]))
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_manifest("r", media_type::IMAGE_MANIFEST, &b"{}"[..]);
        let path = format!("/v2/r/manifests/{digest}");
        assert_eq!(api.head(&path).await.status, 502);
        assert_eq!(api.head(&path).await.status, 502);
        assert_eq!(api.head(&path).await.status, 200);
        let limited = api.get("/v2/").await;
        assert_eq!(limited.status, 429);
        assert_eq!(limited.header("retry-after"), Some("3"));
        assert_eq!(limited.code(), "TOOMANYREQUESTS");
        assert_eq!(api.get("/v2/").await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn dropping_download_cuts_the_body_and_range_resumes() {
    bounded(async {
        let registry =
            FakeRegistry::start(FakeConfig::with_faults(vec![dropping_download(1000, 1)])).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 249) as u8).collect();
        let digest = registry.put_blob("r", data.clone());
        let path = format!("/v2/r/blobs/{digest}");

        let resp = api
            .raw(Method::GET, &path, &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-length"], "100000");
        let mut body = resp.into_body();
        let mut received = Vec::new();
        let error = loop {
            match body.frame().await {
                Some(Ok(frame)) => received.extend_from_slice(&frame.into_data().unwrap()),
                Some(Err(err)) => break Some(err),
                None => break None,
            }
        };
        assert!(error.is_some(), "the body must end in an error");
        assert_eq!(received, &data[..1000]);

        let rest = api
            .send(
                Method::GET,
                &path,
                &[("range", "bytes=1000-")],
                Bytes::new(),
            )
            .await;
        assert_eq!(rest.status, 206);
        assert_eq!(&rest.body[..], &data[1000..]);
    })
    .await;
}

#[tokio::test]
async fn dropping_upload_keeps_the_received_bytes() {
    bounded(async {
        let registry =
            FakeRegistry::start(FakeConfig::with_faults(vec![dropping_upload(5, 1)])).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let broken = api
            .raw(
                Method::PATCH,
                &loc,
                &[("content-range", "0-9")],
                &b"0123456789"[..],
            )
            .await;
        assert!(broken.is_err(), "the connection must be cut");
        let status = api.get(&loc).await;
        assert_eq!((status.status, status.header("range")), (204, Some("0-4")));
        let resumed = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "5-9")],
                &b"56789"[..],
            )
            .await;
        assert_eq!(
            (resumed.status, resumed.header("range")),
            (202, Some("0-9"))
        );
        let digest = Digest::sha256(b"0123456789");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        let log = registry.requests();
        assert_eq!(log[1].status, 0, "no response to the broken PATCH");
    })
    .await;
}

#[tokio::test]
async fn close_connection_and_delay_faults() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::close_connection(Method::GET, "/v2/"),
            Fault::delay(Method::GET, "/v2/_catalog", Duration::from_millis(200)),
        ]))
        .await;
        let api = Api::new(&registry);
        assert!(
            api.raw(Method::GET, "/v2/", &[], Bytes::new())
                .await
                .is_err()
        );
        assert_eq!(api.get("/v2/").await.status, 200);
        let started = std::time::Instant::now();
        assert_eq!(api.get("/v2/_catalog").await.status, 200);
        assert!(started.elapsed() >= Duration::from_millis(200));
    })
    .await;
}

// ------------------------------------------------------------- lifecycle

#[tokio::test]
async fn seeded_content_is_served_and_stop_closes_the_port() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob_with("r", Algorithm::Sha512, &b"seed"[..]);
        assert_eq!(registry.blobs("r"), std::slice::from_ref(&digest));
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.body, "seed");
        let manifest = registry.put_manifest(
            "r",
            media_type::IMAGE_INDEX,
            &b"{\"schemaVersion\":2,\"manifests\":[]}"[..],
        );
        registry.tag("r", "latest", &manifest);
        let got = api.get("/v2/r/manifests/latest").await;
        assert_eq!(got.header("content-type"), Some(media_type::IMAGE_INDEX));
        assert_eq!(registry.manifests("r").len(), 1);

        let addr = registry.addr();
        registry.stop();
        let mut closed = false;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                closed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(closed, "the listener must close after stop()");
    })
    .await;
}

#[tokio::test]
async fn request_log_records_headers_and_statuses() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        api.send(
            Method::GET,
            "/v2/r/tags/list?n=1",
            &[("authorization", "Bearer x")],
            Bytes::new(),
        )
        .await;
        let log = registry.requests();
        assert_eq!(log.len(), 1);
        let record = &log[0];
        assert_eq!(record.method, Method::GET);
        assert_eq!(record.path, "/v2/r/tags/list?n=1");
        assert_eq!(record.path_only(), "/v2/r/tags/list");
        assert_eq!(record.authorization(), Some("Bearer x"));
        assert_eq!(record.status, 404);
        assert_eq!(record.origin, Origin::Registry);
        assert_eq!(
            record.response_header("content-type"),
            Some("application/json")
        );
        registry.clear_requests();
        assert!(registry.requests().is_empty());
    })
    .await;
}
