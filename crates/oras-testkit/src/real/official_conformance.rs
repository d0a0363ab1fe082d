//! The official distribution-spec conformance suite (the Ginkgo v1.1
//! suite), built from the Go module proxy so our runner can be compared
//! with it check by check.
//!
//! [`official_ginkgo_suite`] downloads
//! `github.com/opencontainers/distribution-spec/conformance` at
//! [`GINKGO_SUITE_VERSION`] with `go mod download`, copies the module into
//! `<target>/reference-tools/`, and compiles its tests with `go test -c`
//! into `<target>/reference-tools/distribution-spec-conformance-<version>.test`,
//! once per process and once per machine under a lock, bounded in time.
//! The binary is configured by the suite's `OCI_*` variables and writes
//! `junit.xml` and `report.html` into its working directory (or
//! `OCI_REPORT_DIR`).
//!
//! The module has no tagged versions and the module proxy serves only
//! some of its pseudo-versions: the newest Ginkgo revision it serves is the
//! one of 2023-11-01; the redesigned runner (merged in 2026) is not served.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::error::Result;
use super::go_tool::{GoBuild, built_once, tools_dir};

/// The module path of the official suite.
pub const GINKGO_SUITE_MODULE: &str = "github.com/opencontainers/distribution-spec/conformance";

/// The pseudo-version built: the Ginkgo suite of 2023-11-01 (commit
/// f2182352d4cc).
pub const GINKGO_SUITE_VERSION: &str = "v0.0.0-20231101194043-f2182352d4cc";

/// Environment variable naming a prebuilt `conformance.test` binary to use
/// instead of building one.
pub const GINKGO_SUITE_BIN_ENV: &str = "ORAS_TEST_OFFICIAL_CONFORMANCE_BIN";

/// Returns the official Ginkgo suite's test binary, building it first
/// when missing.
///
/// # Errors
/// [`Error::GoTool`](super::Error::GoTool) when the variable names no executable, Go is missing,
/// the module cannot be downloaded or the build fails.
pub fn official_ginkgo_suite() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    built_once(
        GINKGO_SUITE_BIN_ENV,
        "official conformance suite",
        &BUILT,
        build,
    )
}

/// Downloads the module, copies it to a writable directory and runs
/// `go test -c` there.
fn build() -> Result<PathBuf> {
    let tools = tools_dir()?;
    let output = tools.join(format!(
        "distribution-spec-conformance-{GINKGO_SUITE_VERSION}.test"
    ));
    let work = tools.join(format!(
        "distribution-spec-conformance-{GINKGO_SUITE_VERSION}.src"
    ));
    GoBuild {
        name: "distribution-spec-conformance",
        output,
        script: "cd \"$(dirname \"$1\")\"; \
                 src=$(\"$2\" mod download -json \"$3\" | sed -n 's/^[[:space:]]*\"Dir\": \"\\(.*\\)\",$/\\1/p'); \
                 if [ -z \"$src\" ]; then echo \"go mod download $3 gave no directory\" >&2; exit 1; fi; \
                 rm -rf \"$4\"; cp -R \"$src\" \"$4\"; chmod -R u+w \"$4\"; cd \"$4\"; \
                 exec \"$2\" test -c -trimpath -o \"$1\" .",
        args: vec![
            OsString::from(format!("{GINKGO_SUITE_MODULE}@{GINKGO_SUITE_VERSION}")),
            OsString::from(work),
        ],
        goflags: "-mod=mod",
    }
    .run()
}
