//! `oras manifest index update` (experimental): add, merge or remove
//! entries of an index (Go `root/manifest/index/update.go`). Order of
//! operations: remove, then add, then merge.

use std::path::PathBuf;

use clap::Args;
use oras_spec::{Descriptor, Digest};

use super::entries::{
    Destination, Status, fetch_entry, fetch_index, index_bytes, prompt, push_index, write_index,
};
use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::{Common, Pretty, Target, TargetOptions};
use crate::output::text;
use crate::parse::{is_digest, validate_extra_tags};

/// Usage facts of `oras manifest index update`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest index update",
    usage: "oras manifest index update <index>{:<tag>|@<digest>} [{--add|--merge|--remove} <manifest>{<tag>|<digest>}] [...]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Experimental] Update and push an image index. All manifests should be in the same repository

Example - Remove a manifest and add two manifests from an index tagged 'v1'. The tag will point to the updated index:
  oras manifest index update localhost:5000/hello:v1 --add linux-amd64 --add linux-arm64 --remove sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9

Example - Create a new index by updating an existing index specified by its digest:
  oras manifest index update localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --add linux-amd64 --remove sha256:fd6ed2f36b5465244d5dc86cb4e7df0ab8a9d24adc57825099f522fe009a22bb

Example - Merge manifests from the index 'v2-windows' to the index 'v2':
  oras manifest index update localhost:5000/hello:v2 --merge v2-windows

Example - Update an index and tag the updated index as 'v2.1.0' and 'v2':
  oras manifest index update localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --add linux-amd64 --tag \"v2.1.0\" --tag \"v2\"

Example - Update an index and push to an OCI image layout folder 'layout-dir' and tag with 'v2':
  oras manifest index update layout-dir@99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --add linux-arm64 --tag \"v2\" --oci-layout

Example - Update an index and save it locally to index.json, auto push will be disabled:
  oras manifest index update localhost:5000/hello:v2 --add v2-linux-amd64 --output index.json

Example - Update an index and output the index to stdout, auto push will be disabled:
  oras manifest index update localhost:5000/hello:v2 --remove sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --output - --pretty

Example - Update an index to use a different artifact type:
  oras manifest index update localhost:5000/hello:v1 --artifact-type=\"application/vnd.example+type\"

Example - Update an index to remove any existing artifact type:
  oras manifest index update localhost:5000/hello:v1 --artifact-type=\"\"";

/// Flags and arguments of `oras manifest index update`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Update and push an image index",
    override_usage = "oras manifest index update <index>{:<tag>|@<digest>} [{--add|--merge|--remove} <manifest>{<tag>|<digest>}] [...] [flags]",
    after_help = LONG
)]
pub struct UpdateArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// New artifact type; `""` clears it.
    #[arg(
        long,
        value_name = "string",
        help = "new artifact type for overall index"
    )]
    pub artifact_type: Option<String>,
    /// Manifests to add.
    #[arg(
        long,
        value_name = "stringArray",
        help = "manifests to add to the index"
    )]
    pub add: Vec<String>,
    /// Indexes whose entries are merged in.
    #[arg(
        long,
        value_name = "stringArray",
        help = "indexes to be merged into the index"
    )]
    pub merge: Vec<String>,
    /// Digests to remove.
    #[arg(
        long,
        value_name = "stringArray",
        help = "manifests to remove from the index, must be digests"
    )]
    pub remove: Vec<String>,
    /// Extra tags for the result.
    #[arg(
        long,
        value_name = "stringArray",
        help = "extra tags for the updated index"
    )]
    pub tag: Vec<String>,
    /// Write the index to a file or stdout instead of pushing it.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "file path to write the created index to, use - for stdout"
    )]
    pub output: Option<String>,
    /// The index.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest index update` options.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// Shared flags.
    pub common: Common,
    /// The index to update.
    pub target: Target,
    /// `--artifact-type`: `None` keeps it, `Some("")` clears it.
    pub artifact_type: Option<String>,
    /// `--add`.
    pub add: Vec<String>,
    /// `--merge`.
    pub merge: Vec<String>,
    /// `--remove` (digests).
    pub remove: Vec<String>,
    /// `--tag`.
    pub tags: Vec<String>,
    /// `--output`; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--pretty`.
    pub pretty: bool,
}

impl UpdateOptions {
    /// Whether no change was requested ("Nothing to update as no change is requested").
    pub fn is_noop(&self) -> bool {
        self.add.is_empty()
            && self.merge.is_empty()
            && self.remove.is_empty()
            && self.artifact_type.is_none()
    }
}

impl Command for UpdateArgs {
    type Options = UpdateOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<UpdateOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target index to update",
        )?;
        check_mutually_exclusive(&[
            ("tag", !self.tag.is_empty()),
            ("output", self.output.is_some()),
        ])?;
        if let Some(bad) = self.remove.iter().find(|r| !is_digest(r)) {
            return Err(CliError::new(format!("remove: {bad} is not a digest")));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        validate_extra_tags(&self.tag)?;
        self.common.report_to(env);
        Ok(UpdateOptions {
            common: self.common,
            target,
            artifact_type: self.artifact_type,
            add: self.add,
            merge: self.merge,
            remove: self.remove,
            tags: self.tag,
            output: self.output.map(PathBuf::from),
            pretty: self.pretty.pretty,
        })
    }

    /// Runs `oras manifest index update` (Go `root/manifest/index/update.go`):
    /// fetches the index, applies `--artifact-type`, then removes, adds and
    /// merges entries in that order, and pushes the result (tagged with the
    /// reference's tag and `--tag`s), or writes it with `--output`.
    fn error_target(options: &UpdateOptions) -> Option<&Target> {
        Some(&options.target)
    }

    async fn run(options: &UpdateOptions, ctx: &Context) -> anyhow::Result<()> {
        if options.is_noop() {
            ctx.printer.println(text::NOTHING_TO_UPDATE)?;
            return Ok(());
        }
        update(options, ctx).await
    }
}

async fn update(options: &UpdateOptions, ctx: &Context) -> anyhow::Result<()> {
    let target = connect::open_write_target(&options.target, ctx).await?;
    if let Some(artifact_type) = options.artifact_type.as_deref().filter(|t| !t.is_empty()) {
        oras_spec::media_type::validate(artifact_type)
            .map_err(|_| CliError::new(format!("{artifact_type}: invalid media type")))?;
    }
    let reference = options.target.reference.as_str();
    let status = Status::new(&ctx.printer, options.output.as_deref());
    let (_, mut index) = fetch_index(&target, reference, status).await?;
    if let Some(artifact_type) = &options.artifact_type {
        index.artifact_type = artifact_type.clone();
    }
    let mut manifests = remove_entries(
        std::mem::take(&mut index.manifests),
        &options.remove,
        reference,
        status,
    )?;
    for added in &options.add {
        let entry = fetch_entry(&target, added, status).await?;
        status.reference(prompt::ADDED, added, &entry)?;
        manifests.push(entry);
    }
    for merged in &options.merge {
        let (desc, other) = fetch_index(&target, merged, status).await?;
        manifests.extend(other.manifests);
        status.reference(prompt::MERGED, merged, &desc)?;
    }
    index.manifests = manifests;
    let bytes = index_bytes(&index)?;
    let desc = Descriptor::from_bytes(&index.media_type, &bytes);
    status.line(prompt::UPDATED, &[&desc.digest.to_string()])?;
    match &options.output {
        Some(output) => write_index(&ctx.printer, output, &bytes, options.pretty).await?,
        None => {
            // Go `getPushPath`: an index given by digest is shown by its path.
            let display = if is_digest(reference) {
                format!("[{}] {}", options.target.kind, options.target.path)
            } else {
                options.target.display_reference()
            };
            let destination = Destination {
                reference,
                extra_tags: &options.tags,
                display,
            };
            push_index(&target, &desc, &bytes, &destination, status, &ctx.printer).await?;
        }
    }
    if status.enabled() {
        ctx.printer.println(&text::digest_line(&desc.digest))?;
    }
    Ok(())
}

/// Drops the entries whose digest is in `remove` (every one must be
/// there: Go `doRemoveManifests`) and prints `Removed <digest>` for each.
fn remove_entries(
    manifests: Vec<Descriptor>,
    remove: &[String],
    index_reference: &str,
    status: Status<'_>,
) -> anyhow::Result<Vec<Descriptor>> {
    let mut wanted: Vec<Digest> = Vec::new();
    for raw in remove {
        let digest: Digest = raw
            .parse()
            .map_err(|_| CliError::new(format!("remove: {raw} is not a digest")))?;
        if !wanted.contains(&digest) {
            wanted.push(digest);
        }
    }
    let mut found = vec![false; wanted.len()];
    let mut kept = Vec::with_capacity(manifests.len());
    for entry in manifests {
        match wanted.iter().position(|d| *d == entry.digest) {
            Some(i) => found[i] = true,
            None => kept.push(entry),
        }
    }
    for (digest, found) in wanted.iter().zip(found) {
        if !found {
            return Err(CliError::new(format!(
                "{digest} does not exist in the index {index_reference}"
            ))
            .into());
        }
        status.line(prompt::REMOVED, &[&digest.to_string()])?;
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Printer;

    #[test]
    fn removes_every_copy_and_requires_presence() {
        let a = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"a");
        let b = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"b");
        let (printer, out, _) = Printer::captured();
        let status = Status::new(&printer, None);
        let kept = remove_entries(
            vec![a.clone(), b.clone(), a.clone()],
            &[a.digest.to_string()],
            "v1",
            status,
        )
        .unwrap();
        assert_eq!(kept, vec![b.clone()]);
        assert_eq!(out.text(), format!("Removed   {}\n", a.digest));
        let err = remove_entries(vec![b], &[a.digest.to_string()], "v1", status).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{} does not exist in the index v1", a.digest)
        );
    }
}
