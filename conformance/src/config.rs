//! The runner's configuration, from `OCI_*` variables (environment or
//! command-line flags, see [`VARIABLES`]).
//!
//! Both upstream configurations are read: the Ginkgo suite's variables drive the Ginkgo tree exactly
//! as upstream (workflows off unless `OCI_TEST_*` is true, teardown order
//! true when unset, …), and the redesigned runner's `OCI_VERSION`,
//! `OCI_API_*` and `OCI_DATA_*` drive the redesigned tree, with the
//! legacy variables mapped onto them when the new ones are unset, as the
//! redesign does. Booleans are parsed like Go's `strconv.ParseBool`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::random::Rng;

/// One configuration variable: set in the environment as `name`, on the
/// command line as `--flag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    /// `OCI_…`.
    pub name: &'static str,
    /// The command-line flag, without `--`.
    pub flag: &'static str,
    /// A boolean switch (`--flag` alone means true), else a value.
    pub switch: bool,
    /// What it does.
    pub help: &'static str,
}

impl Variable {
    /// A boolean switch.
    const fn switch(name: &'static str, flag: &'static str, help: &'static str) -> Variable {
        Variable {
            name,
            flag,
            switch: true,
            help,
        }
    }

    /// A variable with a value.
    const fn value(name: &'static str, flag: &'static str, help: &'static str) -> Variable {
        Variable {
            name,
            flag,
            switch: false,
            help,
        }
    }
}

/// Every variable, in `--help` order (one a line: a table reads best unwrapped).
#[rustfmt::skip]
pub const VARIABLES: &[Variable] = &[
    Variable::value("OCI_ROOT_URL", "root-url", "registry base URL, e.g. http://127.0.0.1:5000 (Ginkgo); wins over OCI_REGISTRY/OCI_TLS"),
    Variable::value("OCI_REGISTRY", "registry", "registry host[:port] (redesign; default localhost:5000)"),
    Variable::value("OCI_TLS", "tls", "enabled | insecure | disabled (redesign; default enabled for https URLs, disabled otherwise)"),
    Variable::value("OCI_NAMESPACE", "namespace", "repository under test (Ginkgo)"),
    Variable::value("OCI_REPO1", "repo1", "repository under test (redesign; wins over OCI_NAMESPACE; default conformance/repo1)"),
    Variable::value("OCI_CROSSMOUNT_NAMESPACE", "crossmount-namespace", "mount target of the Ginkgo suite (default conformance-<random>)"),
    Variable::value("OCI_REPO2", "repo2", "second repository of the redesign (default OCI_CROSSMOUNT_NAMESPACE, else conformance/repo2)"),
    Variable::value("OCI_USERNAME", "username", "user for Basic auth or the token service"),
    Variable::value("OCI_PASSWORD", "password", "password for Basic auth or the token service"),
    Variable::value("OCI_AUTH_SCOPE", "auth-scope", "replaces the scope of token requests"),
    Variable::value("OCI_SUITE", "suite", "ginkgo | redesign | all (default all)"),
    Variable::switch("OCI_TEST_PULL", "pull", "Ginkgo Pull workflow (default off)"),
    Variable::switch("OCI_TEST_PUSH", "push", "Ginkgo Push workflow (default off)"),
    Variable::switch("OCI_TEST_CONTENT_DISCOVERY", "content-discovery", "Ginkgo Content Discovery workflow (default off)"),
    Variable::switch("OCI_TEST_CONTENT_MANAGEMENT", "content-management", "Ginkgo Content Management workflow (default off)"),
    Variable::switch("OCI_DELETE_MANIFEST_BEFORE_BLOBS", "delete-manifest-before-blobs", "Ginkgo teardown order (default true)"),
    Variable::switch("OCI_AUTOMATIC_CROSSMOUNT", "automatic-crossmount", "unset: skip the mount-without-from specs; true: expect 201; false: expect 202"),
    Variable::value("OCI_TAG_NAME", "tag-name", "existing tag for Pull (with the two digests, skips Pull setup)"),
    Variable::value("OCI_MANIFEST_DIGEST", "manifest-digest", "existing manifest digest for Pull"),
    Variable::value("OCI_BLOB_DIGEST", "blob-digest", "existing blob digest for Pull"),
    Variable::value("OCI_TAG_LIST", "tag-list", "comma-separated existing tags for Content Discovery"),
    Variable::value("OCI_CONFIGURATION", "configuration", "redesign's YAML configuration file (default oci-conformance.yaml when it exists); variables win over it"),
    Variable::value("OCI_RO_DATA_TAGS", "ro-data-tags", "redesign: space-separated existing tags to pull read-only"),
    Variable::value("OCI_RO_DATA_MANIFESTS", "ro-data-manifests", "redesign: space-separated existing manifest digests to pull read-only"),
    Variable::value("OCI_RO_DATA_BLOBS", "ro-data-blobs", "redesign: space-separated existing blob digests to pull read-only"),
    Variable::value("OCI_RO_DATA_REFERRERS", "ro-data-referrers", "redesign: space-separated subject digests whose referrers are listed read-only"),
    Variable::value("OCI_REPORT_DIR", "report-dir", "where junit.xml, report.html and results.json go (default .; none disables)"),
    Variable::switch("OCI_DEBUG", "debug", "print every HTTP exchange"),
    Variable::value("OCI_HIDE_SKIPPED_WORKFLOWS", "hide-skipped-workflows", "1 hides disabled workflows in report.html"),
    Variable::value("OCI_VERSION", "version-profile", "redesign profile: 1.0 | 1.1 (default) | dev"),
    Variable::value("OCI_FILTER_TEST", "filter-test", "run only checks whose id starts with this prefix"),
    Variable::value("OCI_TIMEOUT", "timeout", "seconds per HTTP request (default 60)"),
    Variable::value("OCI_SEED", "seed", "seed of the generated test data (default: from the clock)"),
    Variable::switch("OCI_API_PING", "api-ping", "redesign: GET /v2/"),
    Variable::switch("OCI_API_PULL", "api-pull", "redesign: pull checks"),
    Variable::switch("OCI_API_PUSH", "api-push", "redesign: push checks"),
    Variable::switch("OCI_API_BLOBS_ATOMIC", "api-blobs-atomic", "redesign: a deleted blob is gone at once"),
    Variable::switch("OCI_API_BLOBS_DELETE", "api-blobs-delete", "redesign: blob delete"),
    Variable::switch("OCI_API_BLOBS_DIGEST_HEADER", "api-blobs-digest-header", "redesign: Docker-Content-Digest required on blobs (dev)"),
    Variable::switch("OCI_API_BLOBS_MOUNT_ANONYMOUS", "api-blobs-mount-anonymous", "redesign: mount without from (off in 1.0)"),
    Variable::switch("OCI_API_BLOBS_UPLOAD_CANCEL", "api-blobs-upload-cancel", "redesign: DELETE of an upload session (dev)"),
    Variable::switch("OCI_API_MANIFESTS_ATOMIC", "api-manifests-atomic", "redesign: a deleted manifest is gone at once"),
    Variable::switch("OCI_API_MANIFESTS_DELETE", "api-manifests-delete", "redesign: manifest delete"),
    Variable::switch("OCI_API_MANIFESTS_DIGEST_HEADER", "api-manifests-digest-header", "redesign: Docker-Content-Digest required on manifests (dev)"),
    Variable::switch("OCI_API_MANIFESTS_TAG_PARAM", "api-manifests-tag-param", "redesign: PUT ?tag= (dev)"),
    Variable::switch("OCI_API_TAGS_ATOMIC", "api-tags-atomic", "redesign: a deleted tag is gone at once"),
    Variable::switch("OCI_API_TAGS_DELETE", "api-tags-delete", "redesign: tag delete"),
    Variable::switch("OCI_API_TAGS_LIST", "api-tags-list", "redesign: tag listing"),
    Variable::switch("OCI_API_REFERRER", "api-referrer", "redesign: referrers API and OCI-Subject (off in 1.0)"),
    Variable::switch("OCI_DATA_IMAGE", "data-image", "data sets image, image-uncompressed, large-manifest, bad-digest-image"),
    Variable::switch("OCI_DATA_INDEX", "data-index", "data sets index, empty-index"),
    Variable::switch("OCI_DATA_INDEX_LIST", "data-index-list", "data set nested-index"),
    Variable::switch("OCI_DATA_SPARSE", "data-sparse", "data set sparse (default off)"),
    Variable::switch("OCI_DATA_ARTIFACT", "data-artifact", "data sets artifact, artifact-without-layers"),
    Variable::switch("OCI_DATA_ARTIFACT_LIST", "data-artifact-list", "data set artifact-index"),
    Variable::switch("OCI_DATA_SUBJECT", "data-subject", "data set artifacts-with-subject"),
    Variable::switch("OCI_DATA_SUBJECT_LIST", "data-subject-list", "data set index-with-subject"),
    Variable::switch("OCI_DATA_SUBJECT_MISSING", "data-subject-missing", "data set missing-subject"),
    Variable::switch("OCI_DATA_DATA_FIELD", "data-data-field", "data set data-field"),
    Variable::switch("OCI_DATA_NONDISTRIBUTABLE", "data-nondistributable", "data set non-distributable-layers"),
    Variable::switch("OCI_DATA_CUSTOM_FIELDS", "data-custom-fields", "data set custom-fields"),
    Variable::switch("OCI_DATA_NO_LAYERS", "data-no-layers", "data set no-layers"),
    Variable::switch("OCI_DATA_EMPTY_BLOB", "data-empty-blob", "the well-known empty and {} blobs"),
    Variable::switch("OCI_DATA_SHA512", "data-sha512", "sha512 blobs and the sha512 data set"),
];

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable has a value that cannot be used.
    #[error("{name}: {message}")]
    Invalid {
        /// The variable.
        name: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        message: message.into(),
    }
}

/// `OCI_VERSION` profiles of the redesigned runner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Spec 1.0: no referrers API, no anonymous mount.
    V1_0,
    /// Spec 1.1 (`stable`, the default).
    V1_1,
    /// `main`: upload cancel, required digest headers, tag parameters.
    Dev,
}

impl Profile {
    /// The profile's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::V1_0 => "1.0",
            Profile::V1_1 => "1.1",
            Profile::Dev => "dev",
        }
    }
}

/// Which trees run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suites {
    /// The Ginkgo v1.1 tree (79 specs).
    pub ginkgo: bool,
    /// The redesigned runner's tree.
    pub redesign: bool,
}

/// The Ginkgo workflows (`OCI_TEST_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Workflows {
    /// Pull.
    pub pull: bool,
    /// Push.
    pub push: bool,
    /// Content Discovery.
    pub content_discovery: bool,
    /// Content Management.
    pub content_management: bool,
}

/// The redesign's API switches (`OCI_API_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each field is its variable, documented in VARIABLES
pub struct Apis {
    pub ping: bool,
    pub pull: bool,
    pub push: bool,
    pub blobs_atomic: bool,
    pub blobs_delete: bool,
    pub blobs_digest_header: bool,
    pub blobs_mount_anonymous: bool,
    pub blobs_upload_cancel: bool,
    pub manifests_atomic: bool,
    pub manifests_delete: bool,
    pub manifests_digest_header: bool,
    pub manifests_tag_param: bool,
    pub tags_atomic: bool,
    pub tags_delete: bool,
    pub tags_list: bool,
    pub referrer: bool,
}

/// The redesign's data switches (`OCI_DATA_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each field is its variable, documented in VARIABLES
pub struct Data {
    pub image: bool,
    pub index: bool,
    pub index_list: bool,
    pub sparse: bool,
    pub artifact: bool,
    pub artifact_list: bool,
    pub subject: bool,
    pub subject_list: bool,
    pub subject_missing: bool,
    pub data_field: bool,
    pub nondistributable: bool,
    pub custom_fields: bool,
    pub no_layers: bool,
    pub empty_blob: bool,
    pub sha512: bool,
}

/// The redesign's read-only data (`OCI_RO_DATA_*`): existing content a
/// registry that refuses pushes can still be tested with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoData {
    /// `OCI_RO_DATA_TAGS`.
    pub tags: Vec<String>,
    /// `OCI_RO_DATA_MANIFESTS`.
    pub manifests: Vec<oras_spec::Digest>,
    /// `OCI_RO_DATA_BLOBS`.
    pub blobs: Vec<oras_spec::Digest>,
    /// `OCI_RO_DATA_REFERRERS` (subjects).
    pub referrers: Vec<oras_spec::Digest>,
}

impl RoData {
    /// True when no read-only data was given.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
            && self.manifests.is_empty()
            && self.blobs.is_empty()
            && self.referrers.is_empty()
    }
}

/// Everything a run needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// The registry's base URL.
    pub root_url: Url,
    /// Verify TLS certificates (`OCI_TLS=enabled`).
    pub verify_tls: bool,
    /// The repository under test.
    pub namespace: String,
    /// The Ginkgo mount target.
    pub crossmount_namespace: String,
    /// The redesign's second repository.
    pub repo2: String,
    /// Credentials.
    pub credentials: Option<(String, String)>,
    /// `OCI_AUTH_SCOPE`.
    pub auth_scope: Option<String>,
    /// Which trees run.
    pub suites: Suites,
    /// Ginkgo workflows.
    pub workflows: Workflows,
    /// `OCI_DELETE_MANIFEST_BEFORE_BLOBS`.
    pub delete_manifest_before_blobs: bool,
    /// `OCI_AUTOMATIC_CROSSMOUNT`.
    pub automatic_crossmount: Option<bool>,
    /// `OCI_TAG_NAME`.
    pub tag_name: Option<String>,
    /// `OCI_MANIFEST_DIGEST`.
    pub manifest_digest: Option<String>,
    /// `OCI_BLOB_DIGEST`.
    pub blob_digest: Option<String>,
    /// `OCI_TAG_LIST`.
    pub tag_list: Option<Vec<String>>,
    /// Where reports go; `None` for `OCI_REPORT_DIR=none`.
    pub report_dir: Option<PathBuf>,
    /// `OCI_DEBUG`.
    pub debug: bool,
    /// `OCI_HIDE_SKIPPED_WORKFLOWS=1`.
    pub hide_skipped_workflows: bool,
    /// `OCI_VERSION`.
    pub profile: Profile,
    /// `OCI_API_*`.
    pub api: Apis,
    /// `OCI_DATA_*`.
    pub data: Data,
    /// `OCI_RO_DATA_*`.
    pub ro_data: RoData,
    /// `OCI_FILTER_TEST`.
    pub filter: Option<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Seed of the generated data.
    pub seed: u64,
    /// The variables as given, for the reports (secrets masked there).
    pub variables: BTreeMap<String, String>,
    /// Non-fatal problems found while reading the variables.
    pub warnings: Vec<String>,
}

/// `OCI_RO_DATA_*`: space-separated lists, as upstream splits them; every
/// digest must parse.
fn ro_data(r: &Reader<'_>) -> Result<RoData, ConfigError> {
    let list = |name: &str| -> Vec<String> {
        r.text(name)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let digests = |name: &str| -> Result<Vec<oras_spec::Digest>, ConfigError> {
        list(name)
            .iter()
            .map(|d| {
                d.parse()
                    .map_err(|e| invalid(name, format!("{d:?} is not a digest: {e}")))
            })
            .collect()
    };
    Ok(RoData {
        tags: list("OCI_RO_DATA_TAGS"),
        manifests: digests("OCI_RO_DATA_MANIFESTS")?,
        blobs: digests("OCI_RO_DATA_BLOBS")?,
        referrers: digests("OCI_RO_DATA_REFERRERS")?,
    })
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Reads variables from a map (names as in [`VARIABLES`]).
struct Reader<'a> {
    vars: &'a BTreeMap<String, String>,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn text(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A Go boolean; an unparsable value counts as false (as upstream's
    /// `ParseBool` errors do) and is reported.
    fn flag(&mut self, name: &str) -> Option<bool> {
        let value = self.text(name)?;
        match parse_go_bool(&value) {
            Some(b) => Some(b),
            None => {
                let warning = format!("{name}={value:?} is not a boolean; taken as false");
                if !self.warnings.contains(&warning) {
                    self.warnings.push(warning);
                }
                Some(false)
            }
        }
    }
}

impl Config {
    /// The configuration from the process environment (every `OCI_*`).
    ///
    /// # Errors
    /// See [`Config::from_vars`].
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(&env_vars())
    }

    /// The configuration from a map of variables.
    ///
    /// # Errors
    /// An unusable URL, TLS mode, profile, repository name, number, or a
    /// partial credential.
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let mut r = Reader {
            vars,
            warnings: Vec::new(),
        };
        let (root_url, verify_tls) = registry_url(&r)?;
        let namespace = r
            .text("OCI_REPO1")
            .or_else(|| r.text("OCI_NAMESPACE"))
            .unwrap_or_else(|| "conformance/repo1".to_owned());
        let seed = match r.text("OCI_SEED") {
            Some(s) => s.parse().map_err(|_| invalid("OCI_SEED", "not a number"))?,
            None => Rng::seed_from_clock(),
        };
        let crossmount_namespace = r
            .text("OCI_CROSSMOUNT_NAMESPACE")
            .unwrap_or_else(|| format!("conformance-{}", Rng::new(seed ^ 0x5eed).uuid()));
        let repo2 = r
            .text("OCI_REPO2")
            .or_else(|| r.text("OCI_CROSSMOUNT_NAMESPACE"))
            .unwrap_or_else(|| "conformance/repo2".to_owned());
        for (name, value) in [
            ("OCI_REPO1/OCI_NAMESPACE", &namespace),
            ("OCI_CROSSMOUNT_NAMESPACE", &crossmount_namespace),
            ("OCI_REPO2", &repo2),
        ] {
            if !valid_repository(value) {
                return Err(invalid(
                    name,
                    format!("{value:?} is not a valid repository name"),
                ));
            }
        }
        let credentials = match (r.text("OCI_USERNAME"), r.text("OCI_PASSWORD")) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            (Some(user), None) => Some((user, String::new())),
            (None, Some(_)) => {
                return Err(invalid(
                    "OCI_USERNAME",
                    "OCI_PASSWORD is set without a user",
                ));
            }
        };
        let suites = match r.text("OCI_SUITE").as_deref() {
            None | Some("all") => Suites {
                ginkgo: true,
                redesign: true,
            },
            Some("ginkgo") => Suites {
                ginkgo: true,
                redesign: false,
            },
            Some("redesign") => Suites {
                ginkgo: false,
                redesign: true,
            },
            Some(other) => {
                return Err(invalid(
                    "OCI_SUITE",
                    format!("{other:?} is not ginkgo, redesign or all"),
                ));
            }
        };
        let workflows = Workflows {
            pull: r.flag("OCI_TEST_PULL").unwrap_or(false),
            push: r.flag("OCI_TEST_PUSH").unwrap_or(false),
            content_discovery: r.flag("OCI_TEST_CONTENT_DISCOVERY").unwrap_or(false),
            content_management: r.flag("OCI_TEST_CONTENT_MANAGEMENT").unwrap_or(false),
        };
        let profile = match r.text("OCI_VERSION").as_deref() {
            None | Some("1.1") | Some("stable") => Profile::V1_1,
            Some("1.0") => Profile::V1_0,
            Some("dev") | Some("1.1+dev") => Profile::Dev,
            Some(other) => {
                return Err(invalid(
                    "OCI_VERSION",
                    format!("{other:?} is not 1.0, 1.1, stable, dev or 1.1+dev"),
                ));
            }
        };
        let api = apis(&mut r, profile);
        let data = data(&mut r);
        let ro_data = ro_data(&r)?;
        let report_dir = match r
            .text("OCI_REPORT_DIR")
            .or_else(|| r.text("OCI_RESULTS_DIR"))
        {
            Some(dir) if dir == "none" => None,
            Some(dir) => Some(PathBuf::from(dir)),
            None => Some(PathBuf::from(".")),
        };
        let timeout = match r.text("OCI_TIMEOUT") {
            Some(s) => Duration::from_secs(
                s.parse()
                    .map_err(|_| invalid("OCI_TIMEOUT", "not a whole number of seconds"))?,
            ),
            None => Duration::from_secs(60),
        };
        let config = Config {
            root_url,
            verify_tls,
            namespace,
            crossmount_namespace,
            repo2,
            credentials,
            auth_scope: r.text("OCI_AUTH_SCOPE"),
            suites,
            workflows,
            delete_manifest_before_blobs: r
                .flag("OCI_DELETE_MANIFEST_BEFORE_BLOBS")
                .unwrap_or(true),
            automatic_crossmount: r.flag("OCI_AUTOMATIC_CROSSMOUNT"),
            tag_name: r.text("OCI_TAG_NAME"),
            manifest_digest: r.text("OCI_MANIFEST_DIGEST"),
            blob_digest: r.text("OCI_BLOB_DIGEST"),
            tag_list: r.text("OCI_TAG_LIST").map(|list| {
                list.split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect()
            }),
            report_dir,
            debug: r.flag("OCI_DEBUG").unwrap_or(false),
            hide_skipped_workflows: r.text("OCI_HIDE_SKIPPED_WORKFLOWS").as_deref() == Some("1"),
            profile,
            api,
            data,
            ro_data,
            filter: r.text("OCI_FILTER_TEST"),
            timeout,
            seed,
            variables: vars.clone(),
            warnings: Vec::new(),
        };
        Ok(Config {
            warnings: r.warnings,
            ..config
        })
    }

    /// Whether Pull setup runs: not when all three of `OCI_TAG_NAME`,
    /// `OCI_MANIFEST_DIGEST` and `OCI_BLOB_DIGEST` are set.
    pub fn run_pull_setup(&self) -> bool {
        !(self.tag_name.is_some() && self.manifest_digest.is_some() && self.blob_digest.is_some())
    }

    /// The configuration as the reports list it: effective settings and
    /// every variable given, credentials masked.
    pub fn redacted(&self) -> Vec<(String, String)> {
        let mut list = vec![
            (
                "OCI_ROOT_URL".to_owned(),
                self.root_url.as_str().trim_end_matches('/').to_owned(),
            ),
            ("OCI_NAMESPACE".to_owned(), self.namespace.clone()),
            (
                "OCI_CROSSMOUNT_NAMESPACE".to_owned(),
                self.crossmount_namespace.clone(),
            ),
            ("OCI_REPO2".to_owned(), self.repo2.clone()),
            ("OCI_VERSION".to_owned(), self.profile.as_str().to_owned()),
            ("OCI_SEED".to_owned(), self.seed.to_string()),
        ];
        for (name, value) in &self.variables {
            if list.iter().any(|(n, _)| n == name) || value.is_empty() {
                continue;
            }
            let shown = if name == "OCI_USERNAME" || crate::http::redact::is_secret_key(name) {
                crate::http::redact::MASK.to_owned()
            } else {
                value.clone()
            };
            list.push((name.clone(), shown));
        }
        list
    }
}

/// The `OCI_*` variables of the process environment.
pub fn env_vars() -> BTreeMap<String, String> {
    std::env::vars()
        .filter(|(name, _)| name.starts_with("OCI_"))
        .collect()
}

/// The base URL and whether to verify TLS.
fn registry_url(r: &Reader<'_>) -> Result<(Url, bool), ConfigError> {
    let tls = match r.text("OCI_TLS").as_deref() {
        None => None,
        Some("enabled") => Some((true, true)),
        Some("insecure") => Some((true, false)),
        Some("disabled") => Some((false, false)),
        Some(other) => {
            return Err(invalid(
                "OCI_TLS",
                format!("{other:?} is not enabled, insecure or disabled"),
            ));
        }
    };
    let url = if let Some(root) = r.text("OCI_ROOT_URL") {
        let url = Url::parse(&root).map_err(|e| invalid("OCI_ROOT_URL", e.to_string()))?;
        let https = url.scheme() == "https";
        let verify = match tls {
            Some((_, verify)) if https => verify,
            _ => https,
        };
        (url, verify)
    } else {
        let host = r
            .text("OCI_REGISTRY")
            .unwrap_or_else(|| "localhost:5000".to_owned());
        let (https, verify) = tls.unwrap_or((false, false));
        let scheme = if https { "https" } else { "http" };
        let url = Url::parse(&format!("{scheme}://{host}"))
            .map_err(|e| invalid("OCI_REGISTRY", e.to_string()))?;
        (url, verify)
    };
    if !matches!(url.0.scheme(), "http" | "https") || url.0.host_str().is_none() {
        return Err(invalid(
            "OCI_ROOT_URL",
            format!("{} is not an http(s) URL", url.0),
        ));
    }
    Ok(url)
}

/// `OCI_API_*`: profile defaults, then the legacy `OCI_TEST_*` mapping,
/// then the variables themselves (precedence).
fn apis(r: &mut Reader<'_>, profile: Profile) -> Apis {
    let dev = profile == Profile::Dev;
    let v1_1 = profile != Profile::V1_0;
    let mut api = Apis {
        ping: true,
        pull: true,
        push: true,
        blobs_atomic: true,
        blobs_delete: true,
        blobs_digest_header: dev,
        blobs_mount_anonymous: v1_1,
        blobs_upload_cancel: dev,
        manifests_atomic: true,
        manifests_delete: true,
        manifests_digest_header: dev,
        manifests_tag_param: dev,
        tags_atomic: true,
        tags_delete: true,
        tags_list: true,
        referrer: v1_1,
    };
    if let Some(on) = r.flag("OCI_TEST_PULL") {
        api.pull = on;
    }
    if let Some(on) = r.flag("OCI_TEST_PUSH") {
        api.push = on;
    }
    if let Some(on) = r.flag("OCI_TEST_CONTENT_DISCOVERY") {
        api.tags_list = on;
        api.referrer = on && v1_1;
    }
    if let Some(on) = r.flag("OCI_TEST_CONTENT_MANAGEMENT") {
        api.tags_delete = on;
        api.manifests_delete = on;
        api.blobs_delete = on;
    }
    let mut set = |name: &str, field: &mut bool| {
        if let Some(on) = r.flag(name) {
            *field = on;
        }
    };
    set("OCI_API_PING", &mut api.ping);
    set("OCI_API_PULL", &mut api.pull);
    set("OCI_API_PUSH", &mut api.push);
    set("OCI_API_BLOBS_ATOMIC", &mut api.blobs_atomic);
    set("OCI_API_BLOBS_DELETE", &mut api.blobs_delete);
    set("OCI_API_BLOBS_DIGEST_HEADER", &mut api.blobs_digest_header);
    set(
        "OCI_API_BLOBS_MOUNT_ANONYMOUS",
        &mut api.blobs_mount_anonymous,
    );
    set("OCI_API_BLOBS_UPLOAD_CANCEL", &mut api.blobs_upload_cancel);
    set("OCI_API_MANIFESTS_ATOMIC", &mut api.manifests_atomic);
    set("OCI_API_MANIFESTS_DELETE", &mut api.manifests_delete);
    set(
        "OCI_API_MANIFESTS_DIGEST_HEADER",
        &mut api.manifests_digest_header,
    );
    set("OCI_API_MANIFESTS_TAG_PARAM", &mut api.manifests_tag_param);
    set("OCI_API_TAGS_ATOMIC", &mut api.tags_atomic);
    set("OCI_API_TAGS_DELETE", &mut api.tags_delete);
    set("OCI_API_TAGS_LIST", &mut api.tags_list);
    set("OCI_API_REFERRER", &mut api.referrer);
    api
}

/// `OCI_DATA_*`: everything on but `SPARSE`.
fn data(r: &mut Reader<'_>) -> Data {
    let mut on = |name: &str, default: bool| r.flag(name).unwrap_or(default);
    Data {
        image: on("OCI_DATA_IMAGE", true),
        index: on("OCI_DATA_INDEX", true),
        index_list: on("OCI_DATA_INDEX_LIST", true),
        sparse: on("OCI_DATA_SPARSE", false),
        artifact: on("OCI_DATA_ARTIFACT", true),
        artifact_list: on("OCI_DATA_ARTIFACT_LIST", true),
        subject: on("OCI_DATA_SUBJECT", true),
        subject_list: on("OCI_DATA_SUBJECT_LIST", true),
        subject_missing: on("OCI_DATA_SUBJECT_MISSING", true),
        data_field: on("OCI_DATA_DATA_FIELD", true),
        nondistributable: on("OCI_DATA_NONDISTRIBUTABLE", true),
        custom_fields: on("OCI_DATA_CUSTOM_FIELDS", true),
        no_layers: on("OCI_DATA_NO_LAYERS", true),
        empty_blob: on("OCI_DATA_EMPTY_BLOB", true),
        sha512: on("OCI_DATA_SHA512", true),
    }
}

/// The spec's `<name>` grammar: path components of lower-case
/// alphanumerics joined by `.`, `_`, `__` or dashes.
pub fn valid_repository(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && name.split('/').all(valid_component)
}

fn valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or one or more `-`, then alnum.
        let start = i;
        match bytes[i] {
            b'.' => i += 1,
            b'_' => {
                i += if bytes.get(i + 1) == Some(&b'_') {
                    2
                } else {
                    1
                }
            }
            b'-' => {
                while bytes.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start || !bytes.get(i).copied().is_some_and(alnum) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ginkgo_defaults_follow_upstream() {
        let c = Config::from_vars(&vars(&[
            ("OCI_ROOT_URL", "http://127.0.0.1:5000"),
            ("OCI_NAMESPACE", "myorg/repo"),
        ]))
        .unwrap();
        assert_eq!(c.namespace, "myorg/repo");
        assert_eq!(c.workflows, Workflows::default());
        assert!(c.delete_manifest_before_blobs);
        assert_eq!(c.automatic_crossmount, None);
        assert!(c.crossmount_namespace.starts_with("conformance-"));
        assert!(!c.verify_tls);
        assert!(c.run_pull_setup());
        assert_eq!(c.report_dir, Some(PathBuf::from(".")));
        assert!(c.api.referrer && !c.api.blobs_upload_cancel);
    }

    #[test]
    fn go_booleans_and_switches() {
        let c = Config::from_vars(&vars(&[
            ("OCI_TEST_PULL", "T"),
            ("OCI_TEST_PUSH", "yes"),
            ("OCI_DELETE_MANIFEST_BEFORE_BLOBS", "0"),
            ("OCI_AUTOMATIC_CROSSMOUNT", "false"),
            ("OCI_HIDE_SKIPPED_WORKFLOWS", "true"),
            ("OCI_REPORT_DIR", "none"),
            ("OCI_TAG_NAME", "t"),
            ("OCI_MANIFEST_DIGEST", "sha256:x"),
            ("OCI_BLOB_DIGEST", "sha256:y"),
            ("OCI_TAG_LIST", "a, b,,c"),
        ]))
        .unwrap();
        assert!(c.workflows.pull && !c.workflows.push);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(!c.delete_manifest_before_blobs);
        assert_eq!(c.automatic_crossmount, Some(false));
        assert!(!c.hide_skipped_workflows, "only the exact value 1 hides");
        assert_eq!(c.report_dir, None);
        assert!(!c.run_pull_setup());
        assert_eq!(c.tag_list.unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn profiles_and_legacy_mapping() {
        let c = Config::from_vars(&vars(&[("OCI_VERSION", "1.0")])).unwrap();
        assert!(!c.api.referrer && !c.api.blobs_mount_anonymous);
        let c = Config::from_vars(&vars(&[("OCI_VERSION", "dev")])).unwrap();
        assert!(
            c.api.blobs_upload_cancel && c.api.manifests_tag_param && c.api.blobs_digest_header
        );
        let c = Config::from_vars(&vars(&[
            ("OCI_TEST_CONTENT_MANAGEMENT", "0"),
            ("OCI_API_BLOBS_DELETE", "1"),
        ]))
        .unwrap();
        assert!(!c.api.tags_delete && !c.api.manifests_delete && c.api.blobs_delete);
        assert!(Config::from_vars(&vars(&[("OCI_VERSION", "2.0")])).is_err());
    }

    #[test]
    fn registry_url_from_new_variables() {
        let c = Config::from_vars(&vars(&[
            ("OCI_REGISTRY", "reg.example:443"),
            ("OCI_TLS", "insecure"),
        ]))
        .unwrap();
        assert_eq!(c.root_url.as_str(), "https://reg.example/");
        assert!(!c.verify_tls);
        let c = Config::from_vars(&vars(&[("OCI_ROOT_URL", "https://reg.example")])).unwrap();
        assert!(c.verify_tls);
        assert!(Config::from_vars(&vars(&[("OCI_ROOT_URL", "ftp://x")])).is_err());
    }

    #[test]
    fn repository_grammar() {
        for ok in ["a", "a/b", "a.b", "a_b", "a__b", "a--b", "conformance-1f2e"] {
            assert!(valid_repository(ok), "{ok}");
        }
        for bad in ["", "A", "a/", "-a", "a_", "a___b", "a..b", "a/B"] {
            assert!(!valid_repository(bad), "{bad}");
        }
    }

    #[test]
    fn redaction_masks_credentials() {
        let c = Config::from_vars(&vars(&[("OCI_USERNAME", "u"), ("OCI_PASSWORD", "p")])).unwrap();
        let listed = c.redacted();
        assert!(
            listed
                .iter()
                .any(|(n, v)| n == "OCI_USERNAME" && v == "*****")
        );
        assert!(
            listed
                .iter()
                .any(|(n, v)| n == "OCI_PASSWORD" && v == "*****")
        );
        assert!(!listed.iter().any(|(_, v)| v == "u" || v == "p"));
    }
}
