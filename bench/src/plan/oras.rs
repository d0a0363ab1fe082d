//! Our `oras` and the Go `oras` (the same command lines), driven with the Go CLI's syntax (`oras push --plain-http
//! HOST/REPO:TAG FILE...`, `oras pull --plain-http -o DIR REF`, `oras cp
//! --from-plain-http --to-plain-http SRC DST`, `oras cp --to-oci-layout SRC
//! DIR:TAG`, `oras cp --from-oci-layout DIR:TAG DST`). Pushes run in the
//! data set's directory with relative names, as the Go CLI's path
//! validation wants.

use super::{Check, Job, Plan, layout_written, owned};
use crate::seed::TAG;
use crate::tool::Tool;
use crate::workload::{Action, Route};

/// The plan of our `oras` for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    let out = job.out();
    let layout_ref = |dir: &std::path::Path| format!("{}:{TAG}", dir.display());
    let (args, cwd, check) = match job.workload.action {
        Action::Version => (owned(["version"]), out.to_path_buf(), Check::Nothing),
        Action::Push => {
            let seeded = job.seeded()?;
            let mut args = owned(["push", "--plain-http"]);
            args.push(job.dest());
            args.extend(job.push_names(seeded));
            let check = job.pushed_to(job.registry());
            (args, seeded.set.files_dir(), check)
        }
        Action::Pull => {
            let seeded = job.seeded()?;
            let mut args = owned(["pull", "--plain-http", "-o"]);
            args.push(out.display().to_string());
            args.push(seeded.artifact.reference(job.registry()));
            (args, out.to_path_buf(), job.pulled(seeded)?)
        }
        Action::Copy(Route::SameRegistry | Route::OtherRegistry) => {
            let seeded = job.seeded()?;
            let host = job.copy_host();
            let mut args = owned(["cp", "--from-plain-http", "--to-plain-http"]);
            args.push(seeded.artifact.reference(job.registry()));
            args.push(job.dest_on(host));
            (args, out.to_path_buf(), job.pushed_to(host))
        }
        Action::Copy(Route::ToLayout) => {
            let seeded = job.seeded()?;
            let mut args = owned(["cp", "--from-plain-http", "--to-oci-layout"]);
            args.push(seeded.artifact.reference(job.registry()));
            args.push(layout_ref(out));
            (args, out.to_path_buf(), layout_written(out, seeded))
        }
        Action::Copy(Route::FromLayout) => {
            let seeded = job.seeded()?;
            let mut args = owned(["cp", "--from-oci-layout", "--to-plain-http"]);
            args.push(layout_ref(&seeded.artifact.layout));
            args.push(job.dest());
            (args, out.to_path_buf(), job.pushed_to(job.registry()))
        }
    };
    let binary = match job.tool {
        Tool::Oras => job.env.oras.as_ref().map_err(Clone::clone)?,
        other => job.go_peer(other)?,
    };
    Ok(job.invoke(binary, args, &cwd, check))
}
