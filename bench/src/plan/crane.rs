//! `crane` (go-containerregistry), one of the image copiers
//! ([`layout_copy`](super::layout_copy)): `crane push LAYOUT REF` (a
//! directory is read as an OCI layout), `crane pull --format oci REF DIR`
//! and `crane copy SRC DST`, all with `--insecure` (plain HTTP).

use super::layout_copy::{Copy, End, plan_copy};
use super::{Job, Plan, owned};
use crate::tool::Tool;

/// The plan of crane for `job`.
pub(super) fn plan(job: &Job<'_>) -> Result<Plan, String> {
    plan_copy(job, |copy| {
        let Copy {
            source,
            dest,
            check,
        } = copy;
        let args = match (source, dest) {
            (End::Layout(layout), End::Registry(reference)) => {
                let mut args = owned(["push", "--insecure"]);
                args.extend([layout.display().to_string(), reference]);
                args
            }
            (End::Registry(reference), End::Layout(layout)) => {
                let mut args = owned(["pull", "--insecure", "--format", "oci"]);
                args.extend([reference, layout.display().to_string()]);
                args
            }
            (End::Registry(source), End::Registry(dest)) => {
                let mut args = owned(["copy", "--insecure"]);
                args.extend([source, dest]);
                args
            }
            (End::Layout(_), End::Layout(_)) => return Ok(job.no_command()),
        };
        let binary = job.go_peer(Tool::Crane)?;
        Ok(job.invoke(binary, args, job.out(), check))
    })
}
