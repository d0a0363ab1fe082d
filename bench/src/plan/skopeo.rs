//! skopeo, which copies images between stores ([`layout_copy`](super::layout_copy)),
//! with `--preserve-digests` (no recompression) and a blob-info cache of
//! its own per run.

use std::path::{Path, PathBuf};

use super::layout_copy::{Copy, End, plan_copy};
use super::{Check, Job, Plan, SKOPEO_SYSTEM_CACHE, SkopeoCache, owned};
use crate::seed::TAG;
use crate::workload::{Action, Route};

/// The plan of skopeo for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    plan_copy(
        job,
        |Copy {
             source,
             dest,
             check,
         }| { with_own_cache(job, copy(job, source, dest, check)) },
    )
}

/// `skopeo --insecure-policy copy --preserve-digests [TLS off] SRC DST`.
fn copy(job: &Job<'_>, source: End, dest: End, check: Check) -> Plan {
    let mut args = owned(["--insecure-policy", "copy", "--preserve-digests"]);
    if matches!(source, End::Registry(_)) {
        args.push("--src-tls-verify=false".to_owned());
    }
    if matches!(dest, End::Registry(_)) {
        args.push("--dest-tls-verify=false".to_owned());
    }
    for end in [source, dest] {
        args.push(match end {
            End::Registry(reference) => format!("docker://{reference}"),
            End::Layout(dir) => format!("oci:{}:{TAG}", dir.display()),
        });
    }
    job.invoke(Path::new("skopeo"), args, job.out(), check)
}

/// Gives the run a blob-info cache of its own (see [`SkopeoCache`]): one
/// per run, except on the mount workload, where warm-up and measured runs
/// share one so that skopeo can mount as a returning user's would.
fn with_own_cache(job: &Job<'_>, mut plan: Plan) -> Result<Plan, String> {
    let env = job.env;
    let root = env
        .skopeo_cache_root
        .join(env.network.name())
        .join(job.workload.name);
    let cache = if job.workload.action == Action::Copy(Route::SameRegistry) {
        root
    } else {
        root.join(format!("run-{}", job.run))
    };
    if env.skopeo_cache != SkopeoCache::Shared {
        std::fs::create_dir_all(&cache)
            .map_err(|e| format!("creating {}: {e}", cache.display()))?;
    }
    if let Plan::Run { invocation, .. } = &mut plan {
        match env.skopeo_cache {
            SkopeoCache::BindMount => {
                let mut wrapped = vec![
                    "-m".to_owned(),
                    "sh".to_owned(),
                    "-c".to_owned(),
                    format!("mount --bind \"$1\" {SKOPEO_SYSTEM_CACHE} && shift && exec \"$@\""),
                    "sh".to_owned(),
                    cache.display().to_string(),
                    "skopeo".to_owned(),
                ];
                wrapped.append(&mut invocation.args);
                invocation.program = PathBuf::from("unshare");
                invocation.args = wrapped;
            }
            SkopeoCache::XdgDataHome => invocation
                .env
                .push(("XDG_DATA_HOME".to_owned(), cache.display().to_string())),
            SkopeoCache::Shared => {}
        }
    }
    Ok(plan)
}
