//! Helpers: a plain hyper client, replies, manifest builders, the time bound.

pub(crate) use std::future::Future;
pub(crate) use std::time::Duration;

pub(crate) use bytes::Bytes;
pub(crate) use http::{HeaderMap, Method, Request};
pub(crate) use http_body_util::{BodyExt, Full};
pub(crate) use hyper_util::client::legacy::Client;
pub(crate) use hyper_util::client::legacy::connect::HttpConnector;
pub(crate) use hyper_util::rt::TokioExecutor;
pub(crate) use oras_spec::{Algorithm, Digest, media_type};
pub(crate) use oras_testkit::fake::{
    Auth, BearerAuth, DigestHeader, FakeConfig, FakeRegistry, Fault, Origin, TagDelete,
    dropping_download, dropping_upload,
};
pub(crate) use serde_json::{Value, json};

/// Every test runs under this bound.
pub(crate) async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out");
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub(crate) fn code(&self) -> String {
        let v = self.json();
        v["errors"][0]["code"].as_str().unwrap().to_owned()
    }
}

pub(crate) struct Api {
    pub(crate) base: String,
    pub(crate) client: Client<HttpConnector, Full<Bytes>>,
}

impl Api {
    pub(crate) fn new(registry: &FakeRegistry) -> Api {
        Api {
            base: registry.url(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub(crate) async fn raw(
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

    pub(crate) async fn send(
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

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, &[], Bytes::new()).await
    }

    pub(crate) async fn head(&self, path: &str) -> Reply {
        self.send(Method::HEAD, path, &[], Bytes::new()).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, &[], Bytes::new()).await
    }

    /// POST then PUT with the whole blob.
    pub(crate) async fn push_blob(&self, repo: &str, data: &[u8]) -> Digest {
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

    pub(crate) async fn put_manifest(
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

pub(crate) fn with_query(location: &str, query: &str) -> String {
    if location.contains('?') {
        format!("{location}&{query}")
    } else {
        format!("{location}?{query}")
    }
}

pub(crate) fn desc(media_type: &str, data: &[u8]) -> Value {
    json!({
        "mediaType": media_type,
        "digest": Digest::sha256(data).to_string(),
        "size": data.len(),
    })
}

/// An OCI image manifest of `config` and `layers`, plus extra fields.
pub(crate) fn image(config: &[u8], layers: &[&[u8]], extra: Value) -> Vec<u8> {
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
pub(crate) async fn image_with_blobs(api: &Api, repo: &str, layer: &[u8], extra: Value) -> Vec<u8> {
    api.push_blob(repo, b"{}").await;
    api.push_blob(repo, layer).await;
    image(b"{}", &[layer], extra)
}

pub(crate) fn subject_of(manifest: &[u8]) -> Value {
    desc(media_type::IMAGE_MANIFEST, manifest)
}
