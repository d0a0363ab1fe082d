//! What the image copiers (skopeo, crane, regctl) do for each workload:
//! they copy images between stores, so a push is a copy from the seeded
//! OCI layout to the registry, a pull a copy from the registry to an OCI
//! layout, and a copy a copy. None of them packs or unpacks directories.

use std::path::PathBuf;

use super::{Check, Job, Plan};
use crate::workload::{Action, DataKind, Route};

/// One side of a copy.
pub(super) enum End {
    /// A registry reference, `HOST/REPO:TAG`, over plain HTTP.
    Registry(String),
    /// An OCI image layout directory (tagged `TAG`).
    Layout(PathBuf),
}

/// One copy: from, to, and the check afterwards.
pub(super) struct Copy {
    /// Where the image comes from.
    pub(super) source: End,
    /// Where it goes.
    pub(super) dest: End,
    /// What the copy must leave behind.
    pub(super) check: Check,
}

/// The copy `job` is, or the plan saying why there is none.
fn copy_of(job: &Job<'_>) -> Result<Result<Copy, Plan>, String> {
    let dir = job.workload.data == Some(DataKind::Dir);
    let copy = match job.workload.action {
        Action::Push if dir => {
            return Ok(Err(job.unsupported(
                "copies images between stores; it does not pack directories",
            )));
        }
        Action::Pull if dir => {
            return Ok(Err(job.unsupported(
                "copies images between stores; it does not unpack directories",
            )));
        }
        Action::Version => return Ok(Err(job.no_command())),
        Action::Push | Action::Copy(Route::FromLayout) => {
            let seeded = job.seeded()?;
            Copy {
                source: End::Layout(seeded.artifact.layout.clone()),
                dest: End::Registry(job.dest()),
                check: job.pushed_to(job.registry()),
            }
        }
        Action::Pull | Action::Copy(Route::ToLayout) => {
            let seeded = job.seeded()?;
            Copy {
                source: End::Registry(seeded.artifact.reference(job.registry())),
                dest: End::Layout(job.out().to_path_buf()),
                check: job.layout_pulled(seeded)?,
            }
        }
        Action::Copy(Route::SameRegistry | Route::OtherRegistry) => {
            let seeded = job.seeded()?;
            let host = job.copy_host();
            Copy {
                source: End::Registry(seeded.artifact.reference(job.registry())),
                dest: End::Registry(job.dest_on(host)),
                check: job.pushed_to(host),
            }
        }
    };
    Ok(Ok(copy))
}

/// The plan of `job` for a copier: `command` turns the copy into one,
/// or the plan saying why there is none.
pub(super) fn plan_copy(
    job: &Job<'_>,
    command: impl FnOnce(Copy) -> Result<Plan, String>,
) -> Result<Plan, String> {
    match copy_of(job)? {
        Ok(copy) => command(copy),
        Err(plan) => Ok(plan),
    }
}
