//! oras-py (PyPI `oras`) through the `oras_py.py` driver: push and pull,
//! no copy.

use std::path::Path;

use super::{Job, Plan};
use crate::workload::Action;

/// The plan of oras-py for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    let script = job.env.oras_py_script.display().to_string();
    let registry = job.registry().to_owned();
    let python = Path::new("python3");
    Ok(match job.workload.action {
        Action::Push => {
            let seeded = job.seeded()?;
            let mut args = vec![script, "push".to_owned(), registry, job.dest()];
            args.extend(job.push_names(seeded));
            let check = job.pushed_to(job.registry());
            job.invoke(python, args, &seeded.set.files_dir(), check)
        }
        Action::Pull => {
            let seeded = job.seeded()?;
            let args = vec![
                script,
                "pull".to_owned(),
                registry,
                seeded.artifact.reference(job.registry()),
                job.out().display().to_string(),
            ];
            job.invoke(python, args, job.out(), job.pulled(seeded)?)
        }
        Action::Copy(_) => job.unsupported("has no copy command"),
        Action::Version => job.no_command(),
    })
}
