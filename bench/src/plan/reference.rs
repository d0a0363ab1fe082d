//! The references our `oras` is held to on single blobs: `openssl dgst
//! -sha256` of the same bytes (the hashing floor) and `curl` moving the
//! blob (the registry's ceiling; also the same GETs for many small blobs).

use std::path::Path;

use super::{Check, Job, Plan, owned};
use crate::http;
use crate::workload::{Action, DataKind};

/// True when the workload moves one large blob.
fn single_blob(job: &Job<'_>) -> bool {
    matches!(
        job.workload.data,
        Some(DataKind::Large | DataKind::Big | DataKind::Huge)
    )
}

/// `openssl dgst -sha256 FILE` of a single-blob workload's file.
pub(super) fn openssl(job: &Job<'_>) -> Result<Plan, String> {
    if !single_blob(job) || !matches!(job.workload.action, Action::Push | Action::Pull) {
        return Ok(job.no_command());
    }
    let seeded = job.seeded()?;
    let file = seeded
        .set
        .files
        .first()
        .map(|f| seeded.set.path(f))
        .ok_or("empty data set")?;
    let args = vec!["dgst".into(), "-sha256".into(), file.display().to_string()];
    Ok(job.invoke(Path::new("openssl"), args, job.out(), Check::Nothing))
}

/// `curl` uploading or downloading the blob, or fetching many small ones.
pub(super) fn curl(job: &Job<'_>) -> Result<Plan, String> {
    let a = job.registry();
    let out = job.out();
    let program = Path::new("curl");
    let blob_url = |repo: &str, digest: &str| format!("http://{a}/v2/{repo}/blobs/{digest}");
    Ok(match (job.workload.action, job.workload.data) {
        (Action::Push, Some(DataKind::Large | DataKind::Big | DataKind::Huge)) => {
            let seeded = job.seeded()?;
            let layer = seeded
                .artifact
                .layers
                .first()
                .ok_or("the seeded artifact has no layer")?;
            let location = http::start_upload(a, &job.dest_repo)
                .map_err(|e| format!("starting the upload for curl: {e:#}"))?;
            let url = format!(
                "http://{a}{}",
                http::with_digest(&http::location_path(&location), &layer.digest)
            );
            let mut args = owned(["-sS", "-f", "-o", "/dev/null", "-T"]);
            args.extend([layer.path.display().to_string(), url]);
            job.invoke(program, args, out, Check::Nothing)
        }
        // `-L`: the redirect workload's registry answers 307 to its CDN.
        (Action::Pull, Some(DataKind::Large | DataKind::Big | DataKind::Huge)) => {
            let seeded = job.seeded()?;
            let layer = seeded.artifact.layers.first().ok_or("no layer")?;
            let target = out.join(job.title_of(seeded)?);
            let mut args = owned(["-sS", "-f", "-L", "-o"]);
            args.extend([
                target.display().to_string(),
                blob_url(&seeded.artifact.repo, &layer.digest),
            ]);
            let check = Check::File {
                path: target,
                size: layer.size,
            };
            job.invoke(program, args, out, check)
        }
        // The registry's ceiling for many small blobs: the same GETs,
        // 3 at a time over reused connections (oras' default
        // concurrency), each blob written to a file.
        (Action::Pull, Some(DataKind::Small)) => {
            let seeded = job.seeded()?;
            let mut args = owned([
                "-sS",
                "-f",
                "--parallel",
                "--parallel-max",
                "3",
                "--remote-name-all",
                "--output-dir",
            ]);
            args.push(out.display().to_string());
            args.extend(
                seeded
                    .artifact
                    .layers
                    .iter()
                    .map(|layer| blob_url(&seeded.artifact.repo, &layer.digest)),
            );
            let check = Check::FilesUnder {
                dir: out.to_path_buf(),
                at_least: seeded.artifact.layers.len(),
            };
            job.invoke(program, args, out, check)
        }
        _ => job.no_command(),
    })
}
