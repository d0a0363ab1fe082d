//! `regctl` (regclient), one of the image copiers
//! ([`layout_copy`](super::layout_copy)): `regctl image copy SRC DST` with
//! `ocidir://DIR:TAG` for layouts, every registry host declared plain HTTP
//! with `--host reg=HOST,tls=disabled`, and its configuration file kept in
//! the scratch directory (`REGCTL_CONFIG`).

use super::layout_copy::{End, plan_copy};
use super::{Job, Plan};
use crate::seed::TAG;
use crate::tool::Tool;

/// The plan of regctl for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    plan_copy(job, |copy| {
        let mut args = Vec::new();
        for host in job.hosts() {
            args.extend(["--host".to_owned(), format!("reg={host},tls=disabled")]);
        }
        args.extend(["image".to_owned(), "copy".to_owned()]);
        for end in [copy.source, copy.dest] {
            args.push(match end {
                End::Registry(reference) => reference,
                End::Layout(dir) => format!("ocidir://{}:{TAG}", dir.display()),
            });
        }
        let binary = job.go_peer(Tool::Regctl)?;
        let mut plan = job.invoke(binary, args, job.out(), copy.check);
        if let Plan::Run { invocation, .. } = &mut plan {
            invocation.env.push((
                "REGCTL_CONFIG".to_owned(),
                job.env.regctl_config.display().to_string(),
            ));
        }
        Ok(plan)
    })
}
