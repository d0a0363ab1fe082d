//! `oras attach`: push a referrer artifact whose subject is an existing
//! manifest (Go `root/attach.go`). Always image-spec v1.1, never tagged.

use std::sync::Arc;

use clap::Args;
use oras_content::{MAX_METADATA_BYTES, fetch_all};
use oras_copy::{
    CopyGraphOptions, PackManifestOptions, PackManifestVersion, ResolveOptions, pack_manifest,
};
use oras_spec::{Descriptor, Platform, annotation, media_type};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::{self, WriteTarget};
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::{
    AttachPlatformOption, Common, Concurrency5, DistributionSpecOption, FormatOptions,
    OutputFormat, PackerOptions, Target, TargetOptions, Terminal, parse_platform,
};
use crate::output::status::{Event, Mode, StatusDisplay, new_status};
use crate::output::summary;
use crate::parse::ANNOTATION_CONFIG;
use crate::parse::{Annotations, FileRef, layer_name, parse_file_ref};

/// Usage facts of `oras attach`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras attach",
    usage: "oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Attach files to an existing artifact

Example - Attach file 'hi.txt' with artifact type 'doc/example' to manifest 'hello:v1' in registry 'localhost:5000':
  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt

Example - Attach file 'hi.txt' to a specific artifact with platform 'linux/amd64' in multi-arch index 'hello:v1'
  oras attach --artifact-type doc/example --platform linux/amd64 localhost:5000/hello:v1 hi.txt

Example - Push file \"hi.txt\" with the custom layer media type 'application/vnd.me.hi':
  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt:application/vnd.me.hi

Example - Attach file \"hi.txt\" using a specific method for the Referrers API:
  oras attach --artifact-type doc/example --distribution-spec v1.1-referrers-api localhost:5000/hello:v1 hi.txt # via API
  oras attach --artifact-type doc/example --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1 hi.txt # via tag scheme

Example - Attach file 'hi.txt' and add annotations from file 'annotation.json':
  oras attach --artifact-type doc/example --annotation-file annotation.json localhost:5000/hello:v1 hi.txt

Example - Attach an artifact with manifest annotations:
  oras attach --artifact-type doc/example --annotation \"key1=val1\" --annotation \"key2=val2\" localhost:5000/hello:v1

Example - Attach file 'hi.txt' and add manifest annotations:
  oras attach --artifact-type doc/example --annotation \"key=val\" localhost:5000/hello:v1 hi.txt

Example - [Experimental] Attach file 'hi.txt' and format output in JSON:
  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt --format json

Example - [Experimental] Attach file 'hi.txt' and format output with Go template:
  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt --format go-template --template \"{{.digest}}\"

Example - Attach file 'hi.txt' and export the pushed manifest to 'manifest.json':
  oras attach --artifact-type doc/example --export-manifest manifest.json localhost:5000/hello:v1 hi.txt

Example - Attach file to the manifest tagged 'v1' in an OCI image layout folder 'layout-dir':
  oras attach --oci-layout --artifact-type doc/example layout-dir:v1 hi.txt

Example - Attach file to the manifest tagged 'example.com:v1' in an OCI image layout folder 'layout-dir':
  oras attach --artifact-type doc/example --oci-layout-path layout-dir example.com:v1 hi.txt

Example - Attach file 'hi.txt' with the custom manifest config \"config.json\" of the custom media type \"application/vnd.me.config\":
  oras attach --artifact-type doc/example --config config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt";

/// Flags and arguments of `oras attach`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Attach files to an existing artifact",
    override_usage = "oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]",
    after_help = LONG
)]
pub struct AttachArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Annotation and packing flags.
    #[command(flatten)]
    pub packer: PackerOptions,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// `--platform` of the subject.
    #[command(flatten)]
    pub platform: AttachPlatformOption,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// The artifact type (required).
    #[arg(long, value_name = "string", help = "artifact type")]
    pub artifact_type: Option<String>,
    /// The config file, `path[:mediaType]`.
    #[arg(long, value_name = "path", help = "path of image config file")]
    pub config: Option<String>,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency5,
    /// Subject and files.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras attach` options.
#[derive(Clone, Debug)]
pub struct AttachOptions {
    /// Shared flags.
    pub common: Common,
    /// The subject.
    pub target: Target,
    /// The files to attach.
    pub files: Vec<FileRef>,
    /// Annotations per target.
    pub annotations: Annotations,
    /// The artifact type.
    pub artifact_type: String,
    /// The config file and its type, if any.
    pub config: Option<(String, String)>,
    /// The platform of the subject within an index.
    pub platform: Option<Platform>,
    /// `--export-manifest`.
    pub export_manifest: Option<std::path::PathBuf>,
    /// Output format.
    pub format: OutputFormat,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for AttachArgs {
    type Options = AttachOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments: `--artifact-type` is required, and
    /// at least one file or annotation.
    fn validate(self, env: &mut ValidateEnv) -> Result<AttachOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::AtLeast(1),
            "the destination artifact for attaching.",
        )?;
        let Some(artifact_type) = self.artifact_type.clone() else {
            return Err(CliError::new("required flag(s) \"artifact-type\" not set"));
        };
        let file_args = &self.args[1..];
        let format = self.format.parse()?;
        let annotations = self.packer.parse(file_args)?;
        let mut target = self
            .target
            .parse(&self.args[0])
            .map_err(|err| missing_subject_hint(err, file_args))?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        check_mutually_exclusive(&[
            ("config", self.config.is_some()),
            ("platform", self.platform.platform.is_some()),
        ])?;
        target
            .ensure_reference(&INFO, true)
            .map_err(|err| missing_subject_hint(err, file_args))?;
        if file_args.is_empty() && annotations.manifest().is_empty() {
            return Err(CliError::new("neither file nor annotation provided in the command")
                .with_usage(INFO.usage)
                .with_recommendation(
                    "To attach to an existing artifact, please provide files via argument or annotations via flag \"--annotation\". Run \"oras attach -h\" for more options and examples",
                ));
        }
        // oras-go PackManifest: `invalid artifactType format: <type>: invalid media type`.
        media_type::validate(&artifact_type).map_err(|_| {
            CliError::new(format!(
                "invalid artifactType format: {artifact_type}: invalid media type"
            ))
        })?;
        let files = file_args
            .iter()
            .map(|f| FileRef::parse(f, ""))
            .collect::<Result<Vec<_>>>()?;
        let config = match &self.config {
            Some(raw) => {
                let (path, ty) = parse_file_ref(raw, media_type::UNKNOWN_CONFIG)?;
                Some((
                    path,
                    if ty.is_empty() {
                        media_type::UNKNOWN_CONFIG.to_owned()
                    } else {
                        ty
                    },
                ))
            }
            None => None,
        };
        self.common.report_to(env);
        Ok(AttachOptions {
            tty: self.terminal.use_tty_for(env, &self.common, false),
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            files,
            annotations,
            artifact_type,
            config,
            export_manifest: self.packer.export_manifest,
            format,
            concurrency: self.concurrency.concurrency,
        })
    }

    /// Runs `oras attach` (Go `runAttach`): resolves the subject (with
    /// `--platform`, the matching child of an index), adds the files to a file
    /// store rooted at the working directory, packs an image-spec v1.1
    /// manifest whose `subject` is that manifest, and copies its graph to the
    /// target without tagging it (a referrer is found through its subject).
    async fn run(options: &AttachOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let dst = connect::open_write_target(target, ctx).await?;
        let resolve_options = ResolveOptions {
            target_platform: options.platform.clone(),
            max_metadata_bytes: 0,
        };
        let subject = oras_copy::resolve(&dst, &target.reference, &resolve_options)
            .await
            .map_err(|err| {
                let err = anyhow::Error::new(err)
                    .context(format!("failed to resolve {}", target.reference));
                connect::target_error(err, target, INFO.path)
            })?;

        let store = oras_store_file::Store::new(std::env::current_dir()?)?;
        let status = new_status(
            Mode::Push,
            options.tty,
            options.format.is_text(),
            &ctx.printer,
            options.common.print_unnamed(),
        );
        let result = attach(options, &store, &dst, &subject, status.clone()).await;
        let _ = status.finish();
        let closed = store.close();
        let root = result.map_err(|err| connect::target_error(err, target, INFO.path))?;
        closed?;

        summary::attach(&ctx.printer, &options.format, target, &root, &subject)?;
        Ok(())
    }
}

/// With no file argument, a bad reference probably means the reference is
/// missing (Go attach `PreRunE`).
fn missing_subject_hint(mut err: CliError, files: &[String]) -> CliError {
    if files.is_empty()
        && let Some(rec) = err.recommendation.take()
    {
        err.recommendation = Some(format!(
            "Are you missing an artifact reference to attach to? {rec}"
        ));
    }
    err
}

/// Packs the referrer into `store` and copies it to `dst`; writes the
/// manifest to `--export-manifest` when asked. Returns the manifest.
async fn attach(
    options: &AttachOptions,
    store: &oras_store_file::Store,
    dst: &WriteTarget,
    subject: &Descriptor,
    status: Arc<dyn StatusDisplay>,
) -> anyhow::Result<Descriptor> {
    let layers = load_files(store, &options.annotations, &options.files, status.as_ref()).await?;
    let config_descriptor = match &options.config {
        Some((path, media_type)) => {
            // Go adds the config under the name `$config`, then replaces
            // its annotations (title included) with the `$config` ones.
            let mut desc = store.add(ANNOTATION_CONFIG, media_type, path).await?;
            desc.annotations = options.annotations.config();
            Some(desc)
        }
        None => None,
    };
    let pack_options = PackManifestOptions {
        subject: Some(subject.clone()),
        layers,
        config_descriptor,
        config_annotations: options.annotations.config(),
        manifest_annotations: options.annotations.manifest(),
    };
    let root = pack_manifest(
        store,
        PackManifestVersion::V1_1,
        &options.artifact_type,
        &pack_options,
    )
    .await?;

    let graph = skip_subject_of(
        connect::progress::with_status(
            CopyGraphOptions::default().with_concurrency(options.concurrency),
            status,
        ),
        &root,
        subject,
    );
    // Go `attach`: `oerrors.UnwrapCopyError`.
    oras_copy::copy_graph(store, dst, &root, &graph)
        .await
        .map_err(connect::errors::unwrap_copy_error)?;

    if let Some(path) = &options.export_manifest {
        let bytes = fetch_all(store, &root, MAX_METADATA_BYTES).await?;
        connect::fs::write_atomic(path, &bytes)?;
    }
    Ok(root)
}

/// The successors of the referrer `root` without its subject, which
/// exists already (Go: "skip duplicated Resolve on subject").
fn skip_subject_of(
    graph: CopyGraphOptions,
    root: &Descriptor,
    subject: &Descriptor,
) -> CopyGraphOptions {
    let root = root.clone();
    let subject = subject.clone();
    graph.with_find_successors(move |fetcher, node| {
        let is_root = node.same_content(&root);
        let subject = subject.clone();
        Box::pin(async move {
            let mut found = oras_content::successors(fetcher, node).await?;
            if is_root {
                found.retain(|d| !d.same_content(&subject));
            }
            Ok(found)
        })
    })
}

/// Adds each file argument to `store` (Go `loadFiles`): the layer is named
/// by the cleaned path (forward slashes when relative) unless the
/// annotation file gives it a title, and gets the annotations listed under
/// its path.
async fn load_files(
    store: &oras_store_file::Store,
    annotations: &Annotations,
    files: &[FileRef],
    status: &dyn StatusDisplay,
) -> anyhow::Result<Vec<Descriptor>> {
    let mut layers = Vec::with_capacity(files.len());
    for file in files {
        let per_file = annotations.file(&file.path);
        let name = match per_file.get(annotation::TITLE) {
            Some(title) => title.clone(),
            None => layer_name(&file.path),
        };
        status.event(Event::Preparing(&name))?;
        let mut desc = store.add(&name, &file.media_type, &file.path).await?;
        desc.annotations.extend(per_file);
        layers.push(desc);
    }
    if layers.is_empty() {
        status.event(Event::EmptyArtifact)?;
    }
    Ok(layers)
}
