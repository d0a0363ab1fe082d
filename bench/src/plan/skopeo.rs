//! skopeo, which copies images between stores: a push is a copy from the
//! seeded OCI layout to the registry, a pull a copy from the registry to
//! an OCI layout. It neither packs nor unpacks directories.

use std::path::{Path, PathBuf};

use super::{Check, Job, Plan, SKOPEO_SYSTEM_CACHE, SkopeoCache, layout_written, owned};
use crate::seed::{TAG, blob_path};
use crate::workload::{Action, DataKind, Route};

/// One side of a skopeo copy.
enum End {
    /// `docker://REF`, plain HTTP.
    Registry(String),
    /// `oci:DIR:TAG`.
    Layout(PathBuf),
}

/// The plan of skopeo for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    let out = job.out();
    let dir = job.workload.data == Some(DataKind::Dir);
    let plan = match job.workload.action {
        Action::Push if dir => {
            return Ok(
                job.unsupported("copies images between stores; it does not pack directories")
            );
        }
        Action::Pull if dir => {
            return Ok(
                job.unsupported("copies images between stores; it does not unpack directories")
            );
        }
        Action::Version => return Ok(job.no_command()),
        Action::Push | Action::Copy(Route::FromLayout) => {
            let seeded = job.seeded()?;
            copy(
                job,
                End::Layout(seeded.artifact.layout.clone()),
                End::Registry(job.dest()),
                job.pushed_to(job.registry()),
            )
        }
        Action::Pull => {
            let seeded = job.seeded()?;
            let check = if job.workload.data == Some(DataKind::Small) {
                layout_written(out, seeded)
            } else {
                let layer = seeded.artifact.layers.first().ok_or("no layer")?;
                Check::File {
                    path: blob_path(out, &layer.digest),
                    size: layer.size,
                }
            };
            let source = End::Registry(seeded.artifact.reference(job.registry()));
            copy(job, source, End::Layout(out.to_path_buf()), check)
        }
        Action::Copy(Route::SameRegistry | Route::OtherRegistry) => {
            let seeded = job.seeded()?;
            let host = job.copy_host();
            let source = End::Registry(seeded.artifact.reference(job.registry()));
            copy(
                job,
                source,
                End::Registry(job.dest_on(host)),
                job.pushed_to(host),
            )
        }
        Action::Copy(Route::ToLayout) => {
            let seeded = job.seeded()?;
            let source = End::Registry(seeded.artifact.reference(job.registry()));
            let check = layout_written(out, seeded);
            copy(job, source, End::Layout(out.to_path_buf()), check)
        }
    };
    with_own_cache(job, plan)
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
    let root = env.skopeo_cache_root.join(job.workload.name);
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
