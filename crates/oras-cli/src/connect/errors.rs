//! The Go CLI's error shapes (`cmd/oras/internal/errors`,
//! `option.Target.ModifyError`, `option.Remote.ModifyError`, the copy
//! error handling of `cp`):
//!
//! * an error response of the registry a target names is printed as
//!   `Error response from registry: <the registry's errors>` (only the
//!   `errors` list, e.g. `unauthorized: authentication required`; the
//!   request line when the body had none), with the docker.io namespace
//!   hint for a 401 on a single-segment repository;
//! * a "not found" from a registry target keeps its message under the same
//!   prefix; errors of OCI layouts keep `Error:`;
//! * a failed copy step names its side: `Error from source registry for
//!   "<ref>": …` (or `destination`, `oci-layout`);
//! * a refused path traversal recommends `--allow-path-traversal`.
//!
//! Library errors reach the CLI wrapped in one another (oras-copy's
//! `CopyError` around an `oras_content::Error` around oras-remote's error
//! …); [`causes`] walks all of them, including the `External` errors the
//! standard `source()` chain does not expose.

use oras_content::ErrorKind;
use oras_remote::ResponseError;

use crate::error::{CliError, quote};
use crate::options::{Target, TargetKind};

/// The prefix of errors from a registry (Go `RegistryErrorPrefix`).
pub const REGISTRY_ERROR_PREFIX: &str = "Error response from registry:";

/// Which registry an error response must come from to get the registry
/// prefix.
#[derive(Clone, Copy, Debug)]
pub enum RegistryErrorScope<'a> {
    /// Any registry (Go `Remote.ModifyError`: login, repo ls).
    Any,
    /// The registry of this target (Go `Target.ModifyError`).
    Target(&'a Target),
}

/// Every error inside `err`: its `source()` chain, and inside each
/// `oras_content::Error::External` the wrapped error and its chain.
pub fn causes(err: &anyhow::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut pending: Vec<&(dyn std::error::Error + 'static)> = err.chain().collect();
    pending.reverse();
    // Bounded: error chains are short; a cycle would be a bug elsewhere.
    while let Some(cause) = pending.pop() {
        if out.len() >= 64 {
            break;
        }
        out.push(cause);
        let mut inner: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
        if let Some(content) = cause.downcast_ref::<oras_content::Error>()
            && let Some(external) = content.external_source()
        {
            let external: &(dyn std::error::Error + 'static) = external;
            inner.push(external);
        }
        // A transparent wrapper's `source()` skips the error it wraps.
        if let Some(oras_copy::Error::Content(content)) = cause.downcast_ref::<oras_copy::Error>() {
            inner.push(content);
        } else if let Some(next) = cause.source() {
            inner.push(next);
        }
        inner.reverse();
        pending.extend(inner);
    }
    out
}

/// The message of `err` and its causes (see [`causes`]), joined by `: `
/// as `{:#}` does,
/// leaving out a cause whose text the message already holds (many
/// library errors repeat their source in their own message).
pub fn chain_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    let all = causes(err);
    let os_texts = go_os_texts(&all);
    // A transport error of oras-remote already words its causes as Go's
    // `url.Error` does; they are not repeated under it.
    let mut worded: Vec<*const ()> = Vec::new();
    for cause in all {
        let address = cause as *const dyn std::error::Error as *const ();
        if worded.contains(&address) {
            continue;
        }
        if let Some(oras_remote::Error::Transport { .. }) =
            cause.downcast_ref::<oras_remote::Error>()
        {
            let mut below = cause.source();
            while let Some(next) = below
                && worded.len() < 64
            {
                worded.push(next as *const dyn std::error::Error as *const ());
                below = next.source();
            }
        }
        let mut part = cause.to_string();
        for (rust, go) in &os_texts {
            part = part.replace(rust, go);
        }
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// The texts of the OS errors among `causes` and their Go wording
/// (`*fs.PathError`: `stat /a/b: no such file or directory` where the file
/// store says `failed to stat /a/b: No such file or directory (os error
/// 2)`), longest first.
fn go_os_texts(causes: &[&(dyn std::error::Error + 'static)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for cause in causes {
        if let Some(oras_store_file::Error::Io {
            context, source, ..
        }) = cause.downcast_ref::<oras_store_file::Error>()
        {
            // The file store's steps, named as Go's `os` functions name them.
            let op = [
                ("failed to stat ", "stat "),
                ("creating directory ", "mkdir "),
                ("opening ", "open "),
            ]
            .into_iter()
            .find_map(|(ours, go)| context.strip_prefix(ours).map(|path| format!("{go}{path}")));
            // Go `os.MkdirAll` of a path that is a file fails with
            // ENOTDIR where Rust's `create_dir_all` says EEXIST; oras-go's
            // file store words it `failed to ensure directories of the
            // target path: mkdir <path>: not a directory`.
            if let Some(path) = context.strip_prefix("creating ")
                && source.kind() == std::io::ErrorKind::AlreadyExists
                && std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
            {
                out.push((
                    cause.to_string(),
                    format!(
                        "failed to ensure directories of the target path: mkdir {path}: {}",
                        crate::error::os_error_text(&std::io::Error::from_raw_os_error(20))
                    ),
                ));
                // Its OS error, now worded above, is not repeated.
                out.push((source.to_string(), String::new()));
                continue;
            }
            if let Some(op) = op {
                out.push((
                    cause.to_string(),
                    format!("{op}: {}", crate::error::os_error_text(source)),
                ));
                out.push((source.to_string(), String::new()));
                continue;
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            let go = crate::error::os_error_text(io);
            let rust = io.to_string();
            if rust != go && !rust.is_empty() {
                out.push((rust, go));
            }
        }
    }
    out.sort_by_key(|(rust, _)| std::cmp::Reverse(rust.len()));
    out
}

/// Whether `err` is oras-auth's "basic credential not found" (a Basic
/// challenge and no credential to answer it).
fn is_basic_credential_not_found(err: &anyhow::Error) -> bool {
    causes(err).into_iter().any(|cause| {
        matches!(
            cause.downcast_ref::<oras_auth::Error>(),
            Some(oras_auth::Error::BasicCredentialNotFound { .. })
        )
    })
}

/// Go `oerrors.TrimErrBasicCredentialNotFound`: the text of `err` up to
/// the request that needed the credential, then `basic credential not
/// found` (the request line and the host are left out).
fn trim_basic_credential_not_found(err: &anyhow::Error) -> String {
    const SENTINEL: &str = "basic credential not found";
    let text = chain_text(err);
    let request = causes(err).into_iter().find_map(|cause| {
        match cause.downcast_ref::<oras_remote::Error>() {
            Some(transport @ oras_remote::Error::Transport { .. }) => Some(transport.to_string()),
            _ => None,
        }
    });
    match request.and_then(|request| text.find(&request)) {
        Some(at) => format!("{}{SENTINEL}", &text[..at]),
        None => SENTINEL.to_owned(),
    }
}

/// Go `DecorateCredentialError`: the error, and a hint to check the
/// credential saved in the authentication file.
fn credential_error(err: &anyhow::Error, configs: &[std::path::PathBuf]) -> anyhow::Error {
    let path = oras_credentials::docker_config_path(configs.first().map(|p| p.as_path()))
        .map(|p| format!(" at {} ", quote(&p.to_string_lossy())))
        .unwrap_or_else(|_| " ".to_owned());
    CliError::new(trim_basic_credential_not_found(err))
        .with_recommendation(format!(
            "Please check whether the registry credential stored in the authentication file{path}is correct"
        ))
        .into()
}

/// The registry error response inside `err`, if any.
pub fn response_error(err: &anyhow::Error) -> Option<&ResponseError> {
    causes(err).into_iter().find_map(|cause| {
        cause.downcast_ref::<ResponseError>().or_else(|| {
            cause
                .downcast_ref::<oras_remote::Error>()
                .and_then(oras_remote::Error::response)
        })
    })
}

/// The kind of the first library error inside `err` that has one.
pub fn error_kind(err: &anyhow::Error) -> Option<ErrorKind> {
    causes(err).into_iter().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<oras_copy::Error>() {
            Some(e.kind())
        } else if let Some(e) = cause.downcast_ref::<oras_content::Error>() {
            Some(e.kind())
        } else if let Some(e) = cause.downcast_ref::<oras_remote::Error>() {
            Some(e.kind())
        } else if let Some(e) = cause.downcast_ref::<oras_store_file::Error>() {
            Some(e.kind())
        } else {
            cause
                .downcast_ref::<oras_store_oci::Error>()
                .map(|e| e.kind())
        }
    })
}

/// Whether `err` holds a library error of `kind`.
pub fn has_kind(err: &anyhow::Error, kind: ErrorKind) -> bool {
    causes(err).into_iter().any(|cause| {
        cause
            .downcast_ref::<oras_content::Error>()
            .is_some_and(|e| e.kind() == kind)
            || cause
                .downcast_ref::<oras_copy::Error>()
                .is_some_and(|e| e.kind() == kind)
            || cause
                .downcast_ref::<oras_remote::Error>()
                .is_some_and(|e| e.kind() == kind)
            || cause
                .downcast_ref::<oras_store_file::Error>()
                .is_some_and(|e| e.kind() == kind)
    })
}

/// The text Go's `ReportErrResp` gives: the registry's errors, or the
/// whole response line when it sent none.
pub fn report_response(resp: &ResponseError) -> String {
    // oras-go `errcode.Errors.Error`: several errors joined by `; `.
    resp.errors_text().unwrap_or_else(|| resp.to_string())
}

/// `host[:port]` of an error response's URL.
fn response_host(resp: &ResponseError) -> &str {
    let rest = resp
        .url
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(&resp.url);
    rest.split(['/', '?']).next().unwrap_or_default()
}

/// Maps the error of an operation on a registry (Go
/// `Remote.ModifyError`, used by login and repo ls): an error response
/// gets the registry prefix and only the registry's errors.
pub fn registry_error(err: anyhow::Error) -> anyhow::Error {
    if err.downcast_ref::<CliError>().is_some() {
        return err;
    }
    if is_basic_credential_not_found(&err) {
        return credential_error(&err, &[]);
    }
    match response_error(&err) {
        Some(resp) => CliError::new(report_response(resp))
            .with_prefix(REGISTRY_ERROR_PREFIX)
            .into(),
        None => match token_response(&err) {
            Some(resp) => CliError::new(report_response(&resp))
                .with_prefix(REGISTRY_ERROR_PREFIX)
                .into(),
            None => err,
        },
    }
}

/// The refusal of a token request as the error response oras-go makes of
/// it (`errutil.ParseErrorResponse` of the token server's answer), which
/// Go's `Remote.ModifyError` finds like any other.
fn token_response(err: &anyhow::Error) -> Option<ResponseError> {
    causes(err)
        .into_iter()
        .find_map(|cause| match cause.downcast_ref::<oras_auth::Error>() {
            Some(oras_auth::Error::TokenStatus {
                method,
                realm,
                status,
                body,
            }) => Some(ResponseError::new(
                http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET),
                realm.clone(),
                *status,
                body.as_bytes(),
            )),
            _ => None,
        })
}

/// Maps the error of an operation on `target` (Go `Target.ModifyError`).
/// `command` is the command path (`oras pull`) for the docker.io hint.
pub fn target_error(err: anyhow::Error, target: &Target, command: &str) -> anyhow::Error {
    // Go short-circuits on `IsOCILayout`, set by `--oci-layout` only: an
    // `--oci-layout-path` target still gets the not-found prefix below.
    let layout_flag = target.kind == TargetKind::OciLayout && !target.from_layout_path;
    if layout_flag || err.downcast_ref::<CliError>().is_some() {
        return err;
    }
    if let Some(reference) = &target.remote_reference {
        if is_basic_credential_not_found(&err) {
            return credential_error(&err, &target.remote.registry_configs);
        }
        if let Some(resp) = response_error(&err) {
            if !response_host(resp).eq_ignore_ascii_case(reference.host()) {
                return err;
            }
            let mut cli = CliError::new(report_response(resp)).with_prefix(REGISTRY_ERROR_PREFIX);
            if let Some(hint) = namespace_hint(target, resp, command) {
                cli = cli.with_recommendation(hint);
            }
            return cli.into();
        }
    }
    // Go `Target.ModifyError` prefixes `errdef.ErrNotFound` only; a local
    // file that is missing is an `*fs.PathError` there and keeps `Error:`.
    if has_kind(&err, ErrorKind::NotFound) && !is_local_error(&err) {
        return CliError::new(chain_text(&err))
            .with_prefix(REGISTRY_ERROR_PREFIX)
            .into();
    }
    err
}

/// Whether `err` comes from the local file system (a file store's or an
/// OS error) rather than from the registry.
fn is_local_error(err: &anyhow::Error) -> bool {
    causes(err).into_iter().any(|cause| {
        cause.is::<oras_store_file::Error>()
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.raw_os_error().is_some())
    })
}

/// The docker.io hint: a 401 on `docker.io/<name>` suggests
/// `docker.io/library/<name>`.
fn namespace_hint(target: &Target, resp: &ResponseError, command: &str) -> Option<String> {
    let reference = target.remote_reference.as_ref()?;
    if reference.registry() != "docker.io"
        || resp.status != http::StatusCode::UNAUTHORIZED
        || reference.repository().contains('/')
    {
        return None;
    }
    let suggested = match reference.target() {
        Some(oras_spec::ReferenceTarget::Tag(tag)) => {
            format!("docker.io/library/{}:{tag}", reference.repository())
        }
        Some(oras_spec::ReferenceTarget::Digest(d)) => {
            format!("docker.io/library/{}@{d}", reference.repository())
        }
        None => format!("docker.io/library/{}", reference.repository()),
    };
    Some(format!(
        "Namespace seems missing. Do you mean `{command} {suggested}`?"
    ))
}

/// Maps the error of a copy between `source` and `destination` (Go `cp`):
/// a failed copy step is reported as `Error from <side> <kind> for
/// "<reference>": <inner error>`, where an inner registry error response
/// is shortened to the registry's errors. Other errors go through
/// [`target_error`] for the source.
pub fn copy_error(
    err: anyhow::Error,
    source: &Target,
    destination: &Target,
    command: &str,
) -> anyhow::Error {
    if err.downcast_ref::<CliError>().is_some() {
        return err;
    }
    let copy = causes(&err).into_iter().find_map(|cause| {
        cause.downcast_ref::<oras_copy::CopyError>().or_else(|| {
            cause
                .downcast_ref::<oras_copy::Error>()
                .and_then(oras_copy::Error::as_copy_error)
        })
    });
    let Some(copy) = copy else {
        return target_error(err, source, command);
    };
    let side = match copy.origin {
        oras_copy::Origin::Source => source,
        oras_copy::Origin::Destination => destination,
    };
    let message = match response_error(&err) {
        Some(resp) => report_response(resp),
        None => copy.source.to_string(),
    };
    CliError::new(message)
        .with_prefix(format!(
            "Error from {} {} for {}:",
            copy.origin,
            side.kind,
            quote(&side.raw_reference)
        ))
        .into()
}

/// Go `oerrors.UnwrapCopyError` (pull, backup): the store's error inside
/// a failed copy step, without naming the step and side.
pub fn unwrap_copy_error(err: oras_copy::Error) -> anyhow::Error {
    match err {
        oras_copy::Error::Copy(copy) => copy.source.into(),
        other => other.into(),
    }
}

/// The pull hint for a refused path traversal (Go `pull.go`): the error
/// message is followed by a recommendation to use `--allow-path-traversal`.
///
/// Only for refusals `--allow-path-traversal` lifts: a title (or a write
/// under it) outside the output directory. An unsafe entry inside a
/// directory archive, or a link it made that leads outside, is refused
/// whatever the flags, so the hint would mislead there.
pub fn path_traversal_hint(err: anyhow::Error) -> anyhow::Error {
    if !has_kind(&err, ErrorKind::PathTraversal) {
        return err;
    }
    let unsafe_entry = causes(&err).into_iter().any(|cause| {
        matches!(
            cause.downcast_ref::<oras_store_file::Error>(),
            Some(oras_store_file::Error::UnsafeEntry { .. })
        )
    });
    if unsafe_entry {
        return err;
    }
    // oras pull.go: the error as is, with a recommendation line.
    CliError::new(chain_text(&err))
        .with_recommendation(
            "Pulling files outside of working directory is insecure and blocked by default. If you trust the content producer, use --allow-path-traversal to bypass this check.",
        )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::TargetOptions;
    use http::{Method, StatusCode};

    fn response(status: StatusCode, body: &str, url: &str) -> anyhow::Error {
        let resp = ResponseError::new(Method::GET, url.into(), status, body.as_bytes());
        let remote = oras_remote::Error::Response(Box::new(resp));
        let content: oras_content::Error = remote.into();
        anyhow::Error::new(content)
    }

    const UNAUTHORIZED: &str =
        r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#;

    /// `oras pull <reference>` failing with 401 `UNAUTHORIZED` from `url`,
    /// mapped on its target.
    fn unauthorized_pull(reference: &str, url: &str) -> anyhow::Error {
        let target = TargetOptions::default().parse(reference).unwrap();
        let err = response(StatusCode::UNAUTHORIZED, UNAUTHORIZED, url);
        target_error(err, &target, "oras pull")
    }

    #[test]
    fn registry_errors_get_the_prefix_and_only_the_registry_text() {
        let mapped = unauthorized_pull(
            "localhost:5000/hello:v1",
            "http://localhost:5000/v2/hello/manifests/v1",
        );
        let cli = mapped.downcast_ref::<CliError>().unwrap();
        assert_eq!(cli.prefix(), "Error response from registry:");
        assert_eq!(cli.to_string(), "unauthorized: authentication required");
    }

    #[test]
    fn responses_of_other_hosts_are_left_alone() {
        let mapped = unauthorized_pull("localhost:5000/hello:v1", "https://auth.example/token");
        assert!(mapped.downcast_ref::<CliError>().is_none());
    }

    #[test]
    fn docker_hub_namespace_hint() {
        let mapped = unauthorized_pull(
            "docker.io/alpine:3",
            "https://registry-1.docker.io/v2/alpine/manifests/3",
        );
        let cli = mapped.downcast_ref::<CliError>().unwrap();
        assert_eq!(
            cli.recommendation.as_deref(),
            Some("Namespace seems missing. Do you mean `oras pull docker.io/library/alpine:3`?")
        );
    }

    #[test]
    fn not_found_from_a_registry_gets_the_prefix() {
        let target = TargetOptions::default()
            .parse("localhost:5000/hello:v2")
            .unwrap();
        let err = anyhow::Error::new(oras_content::Error::NotFound("v2".into()));
        let mapped = target_error(err, &target, "oras pull");
        let cli = mapped.downcast_ref::<CliError>().unwrap();
        assert_eq!(cli.prefix(), REGISTRY_ERROR_PREFIX);
        assert_eq!(cli.to_string(), "v2: not found");

        let layout = TargetOptions {
            oci_layout: true,
            ..Default::default()
        }
        .parse("dir:v2")
        .unwrap();
        let err = anyhow::Error::new(oras_content::Error::NotFound("v2".into()));
        assert!(
            target_error(err, &layout, "oras pull")
                .downcast_ref::<CliError>()
                .is_none()
        );
    }

    #[test]
    fn copy_errors_name_the_side() {
        let (src, dst) = crate::options::BinaryTargetOptions::default()
            .parse("localhost:5000/a:v1", "localhost:5000/b:v1")
            .unwrap();
        let resp = ResponseError::new(
            Method::PUT,
            "http://localhost:5000/v2/b/manifests/v1".into(),
            StatusCode::FORBIDDEN,
            br#"{"errors":[{"code":"DENIED","message":"no"}]}"#,
        );
        let content: oras_content::Error = oras_remote::Error::Response(Box::new(resp)).into();
        let err = oras_copy::Error::Copy(oras_copy::CopyError::new(
            "Push",
            oras_copy::Origin::Destination,
            content,
        ));
        let mapped = copy_error(anyhow::Error::new(err), &src, &dst, "oras cp");
        let cli = mapped.downcast_ref::<CliError>().unwrap();
        assert_eq!(
            cli.prefix(),
            r#"Error from destination registry for "localhost:5000/b:v1":"#
        );
        assert_eq!(cli.to_string(), "denied: no");
    }

    #[test]
    fn path_traversal_recommends_the_flag() {
        let err = anyhow::Error::new(oras_content::Error::external(
            ErrorKind::PathTraversal,
            std::io::Error::other("../x"),
        ));
        let mapped = path_traversal_hint(err);
        assert!(
            mapped
                .to_string()
                .ends_with("\nPulling files outside of working directory is insecure and blocked by default. If you trust the content producer, use --allow-path-traversal to bypass this check.")
        );
    }

    #[test]
    fn unsafe_archive_entries_get_no_hint() {
        let store = oras_store_file::Error::UnsafeEntry {
            path: "t/l".into(),
            reason: "link target is not clean",
        };
        let content: oras_content::Error = store.into();
        let mapped = path_traversal_hint(anyhow::Error::new(content));
        assert!(
            !mapped.to_string().contains("--allow-path-traversal"),
            "{mapped}"
        );
        let title = oras_store_file::Error::PathTraversal {
            path: "../x".into(),
            reason: "outside the working directory",
        };
        let content: oras_content::Error = title.into();
        let mapped = path_traversal_hint(anyhow::Error::new(content));
        assert!(
            mapped
                .to_string()
                .ends_with("use --allow-path-traversal to bypass this check."),
            "{mapped}"
        );
    }

    #[test]
    fn chain_text_drops_repeated_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "outer: {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = anyhow::Error::new(Outer(std::io::Error::other("inner")));
        assert_eq!(chain_text(&err), "outer: inner");
        let err = anyhow::Error::new(std::io::Error::other("inner")).context("ctx");
        assert_eq!(chain_text(&err), "ctx: inner");
    }

    #[test]
    fn refused_token_requests_are_registry_errors() {
        let token = oras_auth::Error::TokenStatus {
            method: "GET",
            realm: "http://auth.test/token".into(),
            status: StatusCode::UNAUTHORIZED,
            body: r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                .into(),
        };
        let err = registry_error(anyhow::Error::new(token).context("failed to validate"));
        let cli = err.downcast_ref::<CliError>().unwrap();
        assert_eq!(cli.prefix(), REGISTRY_ERROR_PREFIX);
        assert_eq!(cli.message, "unauthorized: authentication required");
    }

    #[test]
    fn os_errors_in_chains_get_go_errno_texts() {
        let err = anyhow::Error::new(std::io::Error::from_raw_os_error(2)).context("open a.txt");
        assert_eq!(chain_text(&err), "open a.txt: no such file or directory");
        assert!(is_local_error(&err));
    }

    #[test]
    fn several_errors_are_listed_like_go() {
        let resp = ResponseError::new(
            Method::GET,
            "http://x/v2/".into(),
            StatusCode::BAD_REQUEST,
            br#"{"errors":[{"code":"A","message":"a"},{"code":"B","message":"b"}]}"#,
        );
        assert_eq!(report_response(&resp), "a: a; b: b");
    }
}
