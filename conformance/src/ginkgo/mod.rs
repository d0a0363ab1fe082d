//! The Ginkgo suite of distribution-spec v1.1 (79 specs), in source
//! order, with the state the specs share.
//!
//! The tree follows the suite's last Ginkgo revision (6a670ad): the
//! second chunk must answer `Range: 0-<end>`, Discovery also pushes the
//! upper-case tags `TEST0..3`, the tag list must be sorted (lexically or
//! by bytes) and the `last` spec checks the second response. Deliberate
//! departures from upstream quirks, each documented in the README: an
//! error `code` must be a real code (upstream's list has five empty
//! entries that let `""` pass), and `OCI_MANIFEST_DIGEST`/`OCI_BLOB_DIGEST`
//! replace the digests of the Pull workflow only.
//!
//! Like upstream, a failed spec does not stop later ones; they run on the
//! state it left (`lastResponse`, `prevResponse`, tag lists), and may fail
//! because of it. Locations are followed by path and query only
//! (`GetRelativeLocation`), always against `OCI_ROOT_URL`.

mod discovery;
pub mod fixtures;
mod management;
mod pull;
mod push;

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderName, Method};
use url::Url;

use crate::http::{Client, Request, Response};
use crate::outcome::{Status, Step, Stop, describe, expect_2xx, fail};
use crate::runner::{Check, Runner};
use fixtures::{Blob, Fixtures};

/// The top-level container's text.
pub const SUITE: &str = "OCI Distribution Conformance Tests";

/// The message of a spec whose workflow is off (`SkipIfDisabled`).
pub const DISABLED: &str = "you have skipped this test; to run it, set one of OCI_TEST_PULL, OCI_TEST_PUSH, \
     OCI_TEST_CONTENT_DISCOVERY, OCI_TEST_CONTENT_MANAGEMENT to true";

/// The message of `RunOnlyIf`/`RunOnlyIfNot`.
pub const RUN_ONLY_IF: &str = "you have skipped this test.";

/// The nonexistent manifest reference (not even a valid tag).
pub const NONEXISTENT_MANIFEST: &str = ".INVALID_MANIFEST_NAME";

/// The error codes a 400 body may carry (`errorCodes`, without the
/// empty entries).
pub const ERROR_CODES: &[&str] = &[
    "BLOB_UNKNOWN",
    "BLOB_UPLOAD_INVALID",
    "BLOB_UPLOAD_UNKNOWN",
    "DIGEST_INVALID",
    "MANIFEST_BLOB_UNKNOWN",
    "MANIFEST_INVALID",
    "MANIFEST_UNKNOWN",
    "MANIFEST_UNVERIFIED",
    "NAME_INVALID",
    "NAME_UNKNOWN",
    "SIZE_INVALID",
    "TAG_INVALID",
    "UNAUTHORIZED",
    "DENIED",
    "UNSUPPORTED",
];

/// The four workflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workflow {
    /// Pull.
    Pull,
    /// Push.
    Push,
    /// Content Discovery.
    ContentDiscovery,
    /// Content Management.
    ContentManagement,
}

impl Workflow {
    /// The container's text.
    pub fn title(self) -> &'static str {
        match self {
            Workflow::Pull => "Pull",
            Workflow::Push => "Push",
            Workflow::ContentDiscovery => "Content Discovery",
            Workflow::ContentManagement => "Content Management",
        }
    }
}

/// Runs the Ginkgo tree.
pub async fn run(runner: &mut Runner<'_>) {
    let fixtures = Fixtures::generate(runner.config.seed);
    let mut g = Ginkgo {
        ns: runner.config.namespace.clone(),
        cross: runner.config.crossmount_namespace.clone(),
        fx: fixtures,
        r: runner,
    };
    if g.r.wants("ginkgo/pull") {
        pull::run(&mut g).await;
    }
    if g.r.wants("ginkgo/push") {
        push::run(&mut g).await;
    }
    if g.r.wants("ginkgo/content-discovery") {
        discovery::run(&mut g).await;
    }
    if g.r.wants("ginkgo/content-management") {
        management::run(&mut g).await;
    }
}

/// The suite's context: runner, data, repository names.
pub(crate) struct Ginkgo<'a, 'p> {
    r: &'a mut Runner<'p>,
    fx: Fixtures,
    ns: String,
    cross: String,
}

/// One spec as declared: its place in the tree (workflow and context),
/// its text, the spec section and endpoints it covers, and its setup
/// condition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SpecDef<'a> {
    /// The workflow container.
    pub(crate) workflow: Workflow,
    /// The context container (`Setup`, `Pull blobs`, `Teardown`, …).
    pub(crate) context: &'a str,
    /// The spec's text.
    pub(crate) name: &'a str,
    /// The section of the spec it checks.
    pub(crate) section: &'a str,
    /// The endpoint ids of the spec's table (`end-2`, …).
    pub(crate) endpoints: &'a [&'static str],
    /// Upstream's `RunOnlyIf`: false skips the spec (it still counts).
    pub(crate) run_only_if: bool,
}

impl<'a, 'p> Ginkgo<'a, 'p> {
    fn enabled(&self, workflow: Workflow) -> bool {
        let w = &self.r.config.workflows;
        match workflow {
            Workflow::Pull => w.pull,
            Workflow::Push => w.push,
            Workflow::ContentDiscovery => w.content_discovery,
            Workflow::ContentManagement => w.content_management,
        }
    }

    /// Runs one spec: records it as disabled when its workflow is off
    /// (`SkipIfDisabled`), as skipped when its condition does not hold
    /// (`RunOnlyIf`), else runs `body` and records its outcome. `None`
    /// when the body did not run.
    async fn check(
        &mut self,
        def: SpecDef<'_>,
        body: impl AsyncFnOnce(&mut Ginkgo<'a, 'p>, &mut Check) -> Step,
    ) -> Option<Status> {
        let meta = self.r.meta(
            "ginkgo",
            &[SUITE, def.workflow.title(), def.context],
            def.name,
            def.section,
            def.endpoints,
        );
        if !self.enabled(def.workflow) {
            self.r.record(meta, Status::Disabled, DISABLED);
            return None;
        }
        let mut check = self.r.start(meta);
        if !def.run_only_if {
            self.r
                .finish(check, Err(Stop::Skip(RUN_ONLY_IF.to_owned())));
            return None;
        }
        let step = body(self, &mut check).await;
        Some(self.r.finish(check, step))
    }

    fn client(&self) -> &Client {
        &self.r.client
    }

    /// `/v2/<ns><tail>` on the registry.
    fn url(&self, tail: &str) -> Url {
        self.url_in(&self.ns, tail)
    }

    /// `/v2/<name><tail>` on the registry.
    fn url_in(&self, name: &str, tail: &str) -> Url {
        self.r.client.url(&format!("/v2/{name}{tail}"))
    }
}

/// Adds a query parameter.
pub(crate) fn with_query(mut url: Url, key: &str, value: &str) -> Url {
    url.query_pairs_mut().append_pair(key, value);
    url
}

/// The Location of `resp` reduced to path and query, on the registry's
/// base URL (reggie's `GetRelativeLocation`).
pub(crate) fn relative(client: &Client, resp: &Response) -> Step<Url> {
    match resp.relative_location() {
        Some(path) => Ok(client.url(&path)),
        None => fail(format!(
            "expected a Location header, got {}",
            describe(resp)
        )),
    }
}

/// A request with headers.
pub(crate) fn request(method: Method, url: Url, headers: &[(HeaderName, &str)]) -> Request {
    headers
        .iter()
        .fold(Request::new(method, url), |r, (name, value)| {
            r.header(name.clone(), *value)
        })
}

/// `POST …/uploads/` then `PUT <location>?digest=` with the blob; the
/// PUT must be 2xx (the POST status is not checked).
pub(crate) async fn push_blob(
    g: &Ginkgo<'_, '_>,
    c: &mut Check,
    name: &str,
    blob: &Blob,
) -> Step<Response> {
    let client = g.client();
    let post = c
        .send(
            client,
            Request::new(Method::POST, g.url_in(name, "/blobs/uploads/")),
        )
        .await?;
    let location = relative(client, &post)?;
    let put = request(
        Method::PUT,
        with_query(location, "digest", &blob.digest),
        &[(CONTENT_TYPE, "application/octet-stream")],
    )
    .body(blob.data.clone());
    let resp = c.send(client, put).await?;
    expect_2xx(&resp)?;
    Ok(resp)
}

/// `PUT /manifests/<reference>` with `content_type`; must be 2xx.
pub(crate) async fn push_manifest(
    g: &Ginkgo<'_, '_>,
    c: &mut Check,
    reference: &str,
    content_type: &str,
    manifest: &Blob,
) -> Step<Response> {
    let url = g.url(&format!("/manifests/{reference}"));
    let put =
        request(Method::PUT, url, &[(CONTENT_TYPE, content_type)]).body(manifest.data.clone());
    let resp = c.send(g.client(), put).await?;
    expect_2xx(&resp)?;
    Ok(resp)
}

/// `DELETE` of a manifest or blob path, accepting `accepted` besides 2xx.
pub(crate) async fn delete(
    g: &Ginkgo<'_, '_>,
    c: &mut Check,
    tail: &str,
    also: &[u16],
) -> Step<Response> {
    let resp = c
        .send(g.client(), Request::new(Method::DELETE, g.url(tail)))
        .await?;
    let ok = (200..300).contains(&resp.status) || also.contains(&resp.status);
    if !ok {
        let extra: Vec<String> = also.iter().map(u16::to_string).collect();
        return fail(format!(
            "expected a 2xx status or {}, got {}",
            extra.join(" or "),
            describe(&resp)
        ));
    }
    Ok(resp)
}

/// `Accept: <OCI manifest>` for manifest requests.
pub(crate) fn accept_manifest() -> (HeaderName, &'static str) {
    (ACCEPT, oras_spec::media_type::IMAGE_MANIFEST)
}

/// Checks `Docker-Content-Digest` equals `digest` when present.
pub(crate) fn digest_header_if_present(resp: &Response, digest: &str) -> Step {
    match resp.header("docker-content-digest") {
        Some(value) if value != digest => fail(format!(
            "Docker-Content-Digest is {value}, expected {digest}"
        )),
        _ => Ok(()),
    }
}

/// The `errors[0].code` of an error body.
pub(crate) fn first_error_code(resp: &Response) -> Step<String> {
    let value: serde_json::Value = serde_json::from_slice(&resp.body)
        .map_err(|e| Stop::Fail(format!("error body is not JSON ({e}): {}", describe(resp))))?;
    let errors = value
        .get("errors")
        .and_then(|e| e.as_array())
        .ok_or_else(|| Stop::Fail(format!("error body has no errors list: {}", describe(resp))))?;
    let first = errors
        .first()
        .ok_or_else(|| Stop::Fail("error body has an empty errors list".to_owned()))?;
    Ok(first
        .get("code")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_owned())
}

/// The `tags` of a tag-list body.
pub(crate) fn tags_of(resp: &Response) -> Step<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct TagList {
        tags: Option<Vec<String>>,
    }
    let list: TagList = serde_json::from_slice(&resp.body).map_err(|e| {
        Stop::Fail(format!(
            "tag list is not {{\"name\",\"tags\"}} JSON ({e}): {}",
            describe(resp)
        ))
    })?;
    Ok(list.tags.unwrap_or_default())
}
