//! `oras push`: pack files into a manifest and push it (Go `root/push.go`).
//!
//! Beyond the Go CLI: the file argument `-` reads one layer (of the default
//! type, without a title unless the annotation file gives one under the
//! key `-`) from stdin; `--size` is then required, as for `blob push`
//! (oras#346).
//!
//! Also beyond it, for speed: to a registry, a file of 32 MiB or more
//! starts uploading while it is hashed ([`oras_remote::Prestage`]), for up
//! to `--concurrency` files. Once hashed, a blob the registry has already
//! is abandoned (and reported `Exists` as before); otherwise the copy ends
//! the upload instead of sending the file again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Args;
use oras_spec::{Platform, media_type};

use oras_content::spool::SpooledBlob;
use oras_content::{ReadOnlyTarget, Tagger, fetch_all, memory};
use oras_copy::{
    CopyGraphOptions, CopyOptions, PackManifestOptions, PackManifestVersion, TagBytesNOptions,
    copy, copy_graph, pack_manifest, tag_bytes_n,
};
use oras_remote::PRESTAGE_MIN_SIZE;
use oras_spec::{Descriptor, annotation};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::{self, TagListener, Union};
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::packer::is_stdin_arg;
use crate::options::{
    ArtifactPlatformOption, Common, Concurrency5, FormatOptions, ImageSpec, OutputFormat,
    PackerOptions, Target, TargetKind, TargetOptions, Terminal, parse_platform,
};
use crate::output::status::{self, Event, Mode, StatusDisplay};
use crate::output::{summary, text};
use crate::parse::ANNOTATION_CONFIG;
use crate::parse::{
    Annotations, FileRef, layer_name, parse_file_ref, split_multi_tag, validate_extra_tags,
};

/// Usage facts of `oras push`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras push",
    usage: "oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Push files to a registry or an OCI image layout

Example - Push file \"hi.txt\" with media type \"application/vnd.oci.image.layer.v1.tar\" (default):
  oras push localhost:5000/hello:v1 hi.txt

Example - Push file \"hi.txt\" and export the pushed manifest to a specified path:
  oras push --export-manifest manifest.json localhost:5000/hello:v1 hi.txt

Example - Push file \"hi.txt\" with the custom media type \"application/vnd.me.hi\":
  oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi

Example - Push multiple files with different media types:
  oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi bye.txt:application/vnd.me.bye

Example - Push file with colon in name \"hi:txt\" with the default media type:
  oras push localhost:5000/hello:v1 hi:txt:

Example - Push file \"hi.txt\" with artifact type \"application/vnd.example+type\":
  oras push --artifact-type application/vnd.example+type localhost:5000/hello:v1 hi.txt

Example - Push file \"hi.txt\" with config type \"application/vnd.me.config\":
  oras push --image-spec v1.0 --artifact-type application/vnd.me.config localhost:5000/hello:v1 hi.txt

Example - Push file \"hi.txt\" with the custom manifest config \"config.json\" of the custom media type \"application/vnd.me.config\":
  oras push --config config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt

Example - [Experimental] Push file \"hi.txt\" and format output in JSON:
  oras push localhost:5000/hello:v1 hi.txt --format json

Example - [Experimental] Push file \"hi.txt\" and format output with Go template:
  oras push localhost:5000/hello:v1 hi.txt --format go-template=\"{{.digest}}\"

Example - Push file to the insecure registry:
  oras push --insecure localhost:5000/hello:v1 hi.txt

Example - Push file to the HTTP registry:
  oras push --plain-http localhost:5000/hello:v1 hi.txt

Example - Push repository with manifest annotations:
  oras push --annotation \"key=val\" localhost:5000/hello:v1

Example - Push repository with manifest annotation file:
  oras push --annotation-file annotation.json localhost:5000/hello:v1

Example - [Experimental] Push artifact to repository with platform:
  oras push --artifact-platform linux/arm/v5 localhost:5000/hello:v1

Example - Push file \"hi.txt\" with multiple tags:
  oras push localhost:5000/hello:tag1,tag2,tag3 hi.txt

Example - Push file \"hi.txt\" with multiple tags and concurrency level tuned:
  oras push --concurrency 6 localhost:5000/hello:tag1,tag2,tag3 hi.txt

Example - Push file \"hi.txt\" into an OCI image layout folder 'layout-dir' with tag 'test':
  oras push --oci-layout layout-dir:test hi.txt

Example - Push file \"hi.txt\" into an OCI image layout folder 'layout-dir' with tag 'example.com:test':
  oras push example.com:test hi.txt --oci-layout-path layout-dir";

/// Flags and arguments of `oras push`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Push files to a registry or an OCI image layout",
    override_usage = "oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]",
    after_help = LONG
)]
pub struct PushArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Annotation and packing flags.
    #[command(flatten)]
    pub packer: PackerOptions,
    /// `--artifact-platform`.
    #[command(flatten)]
    pub artifact_platform: ArtifactPlatformOption,
    /// Destination target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// `--image-spec`.
    #[arg(
        long,
        value_name = "string",
        value_parser = ImageSpec::parse,
        help = "[Preview] specify manifest type for building artifact. Options: v1.1, v1.0 (default v1.1, overridden to v1.0 if --config is used without --artifact-type)"
    )]
    pub image_spec: Option<ImageSpec>,
    /// The config file, `path[:mediaType]`.
    #[arg(long, value_name = "path", help = "path of image config file")]
    pub config: Option<String>,
    /// The artifact type.
    #[arg(long, value_name = "string", help = "artifact type")]
    pub artifact_type: Option<String>,
    /// Re-push content under manifests that already exist.
    #[arg(
        long,
        help = "force a deep traversal of the destination graph before tagging the root; useful when the destination is partially populated (e.g. by a registry cache)"
    )]
    pub force: bool,
    /// Size of the layer read from stdin.
    #[arg(
        long,
        value_name = "int",
        help = "size of the layer read from stdin (required with the file argument -)"
    )]
    pub size: Option<u64>,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency5,
    /// Destination and files.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// How the manifest is packed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// No config: the empty JSON (v1.1) or `{}` with the artifact type (v1.0).
    None,
    /// A config file and its media type.
    File {
        /// Path of the file.
        path: String,
        /// Its media type.
        media_type: String,
    },
    /// A platform config (`--artifact-platform`): the JSON of the platform
    /// with type `application/vnd.oci.image.config.v1+json`.
    Platform(Platform),
}

/// Validated `oras push` options.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Shared flags.
    pub common: Common,
    /// The destination (first tag in `reference`).
    pub target: Target,
    /// Tags after the first (`name:t1,t2,t3`).
    pub extra_tags: Vec<String>,
    /// The files, in argument order.
    pub files: Vec<FileRef>,
    /// Annotations per target (`$manifest`, `$config`, raw file argument).
    pub annotations: Annotations,
    /// Manifest version to pack.
    pub image_spec: ImageSpec,
    /// The artifact type (v1.1: defaulted to `application/vnd.unknown.artifact.v1`
    /// when there is no config; v1.0: the config type when not empty).
    pub artifact_type: String,
    /// The config.
    pub config: ConfigSource,
    /// `--export-manifest`.
    pub export_manifest: Option<std::path::PathBuf>,
    /// `--force`.
    pub force: bool,
    /// Size of the stdin layer, when a file argument is `-`.
    pub stdin_size: Option<u64>,
    /// Output format.
    pub format: OutputFormat,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl PushArgs {
    /// `-` (stdin) at most once, and `--size` given exactly when it is
    /// (the Go CLI 1.3.6 has no `--size` and reads stdin whole; see
    /// COMPATIBILITY.md).
    fn check_stdin(&self, file_args: &[String]) -> Result<()> {
        let stdin_files = file_args.iter().filter(|f| is_stdin_arg(f)).count();
        match (stdin_files, self.size) {
            (0, Some(_)) => {
                return Err(CliError::new(
                    "`--size` can only be used when a file is read from stdin (`-`)",
                ));
            }
            (1, None) => {
                return Err(CliError::new(
                    "`--size` must be provided if the blob is read from stdin",
                ));
            }
            (1, Some(_)) => self.target.remote.check_stdin_conflict()?,
            (n, _) if n > 1 => return Err(CliError::new("stdin (`-`) can only be read once")),
            _ => {}
        }
        Ok(())
    }

    /// The image spec and artifact type of the manifest (Go
    /// `pushOptions.validate` / `Packer.Parse`: v1.0 when a config is
    /// given without an artifact type, the unknown artifact type for a
    /// v1.1 manifest without config), with the `--artifact-platform`
    /// config, after the checks between them.
    fn image_spec_and_artifact_type(&self) -> Result<(ImageSpec, String, Option<Platform>)> {
        let artifact_type = self.artifact_type.clone().unwrap_or_default();
        let mut image_spec = self.image_spec.unwrap_or(ImageSpec::V1_1);
        if self.config.is_some() && artifact_type.is_empty() {
            match self.image_spec {
                None => image_spec = ImageSpec::V1_0,
                Some(ImageSpec::V1_1) => {
                    return Err(CliError::new(
                        "missing artifact type for OCI image-spec v1.1 artifacts",
                    )
                    .with_recommendation(
                        "set an artifact type via `--artifact-type` or consider image spec v1.0",
                    ));
                }
                Some(ImageSpec::V1_0) => {}
            }
        }
        check_mutually_exclusive(&[
            ("config", self.config.is_some()),
            (
                "artifact-platform",
                self.artifact_platform.artifact_platform.is_some(),
            ),
        ])?;
        let platform = parse_platform(self.artifact_platform.artifact_platform.as_deref())?;
        let mut artifact_type = artifact_type;
        match image_spec {
            ImageSpec::V1_0 => {
                if self.config.is_some() && !artifact_type.is_empty() {
                    return Err(CliError::new(
                        "--artifact-type and --config cannot both be provided for 1.0 OCI image",
                    ));
                }
                if platform.is_some() && !artifact_type.is_empty() {
                    return Err(CliError::new(
                    "artifact type cannot be customized for OCI image-spec v1.0 when platform is specified",
                )
                .with_recommendation("consider using image spec v1.1 or remove --artifact-type"));
                }
            }
            ImageSpec::V1_1 => {
                if self.config.is_none() && artifact_type.is_empty() {
                    artifact_type = media_type::UNKNOWN_ARTIFACT.to_owned();
                }
            }
        }
        if !artifact_type.is_empty() {
            // oras-go PackManifest: `invalid artifactType format: <type>: invalid media type`.
            media_type::validate(&artifact_type).map_err(|_| {
                CliError::new(format!(
                    "invalid artifactType format: {artifact_type}: invalid media type"
                ))
            })?;
        }
        Ok((image_spec, artifact_type, platform))
    }
}

impl Command for PushArgs {
    type Options = PushOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments, including the image-spec / config /
    /// artifact-type matrix of oras `push` (`option/packer.go`).
    fn validate(self, env: &mut ValidateEnv) -> Result<PushOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::AtLeast(1),
            "the destination for pushing",
        )?;
        let (raw, extra_tags) = split_multi_tag(&self.args[0]);
        let file_args = &self.args[1..];
        let format = self.format.parse()?;
        let target = self.target.parse(&raw)?;
        validate_extra_tags(&extra_tags)?;
        let annotations = self.packer.parse(file_args)?;
        self.check_stdin(file_args)?;
        let files = file_args
            .iter()
            .map(|f| FileRef::parse(f, ""))
            .collect::<Result<Vec<_>>>()?;

        let (image_spec, artifact_type, platform) = self.image_spec_and_artifact_type()?;
        let config = match (&self.config, platform) {
            (Some(raw), _) => {
                let (path, media_type) = parse_file_ref(raw, media_type::UNKNOWN_CONFIG)?;
                let media_type = if media_type.is_empty() {
                    media_type::UNKNOWN_CONFIG.to_owned()
                } else {
                    media_type
                };
                ConfigSource::File { path, media_type }
            }
            (None, Some(platform)) => ConfigSource::Platform(platform),
            (None, None) => ConfigSource::None,
        };
        self.common.report_to(env);
        Ok(PushOptions {
            tty: self.terminal.use_tty_for(env, &self.common, false),
            common: self.common,
            target,
            extra_tags,
            files,
            annotations,
            image_spec,
            artifact_type,
            config,
            export_manifest: self.packer.export_manifest,
            force: self.force,
            stdin_size: self.size,
            format,
            concurrency: self.concurrency.concurrency,
        })
    }

    fn error_target(options: &PushOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras push` (Go `runPush`): files go into a file store, the
    /// manifest is packed into a memory store, and both are copied to the
    /// destination as one source; extra tags are set from the manifest bytes.
    async fn run(options: &PushOptions, ctx: &Context) -> anyhow::Result<()> {
        let display = status::new_status(
            Mode::Push,
            options.tty,
            options.format.is_text(),
            &ctx.printer,
            options.common.print_unnamed(),
        );
        let files = oras_store_file::Store::new(std::env::current_dir()?)?;
        let memory = memory::Store::new();
        // Go `runPush` adds the config file before the files (so a missing one
        // fails before any `Preparing` line) and before opening the target.
        let config_file = match &options.config {
            ConfigSource::File { path, media_type } => {
                let mut desc = files.add(ANNOTATION_CONFIG, media_type, path).await?;
                desc.annotations = options.annotations.config();
                Some(desc)
            }
            ConfigSource::None | ConfigSource::Platform(_) => None,
        };
        // A registry is opened first, so large files upload while hashed.
        let early_dst = match options.target.kind {
            TargetKind::Registry => Some(connect::open_write_target(&options.target, ctx).await?),
            TargetKind::OciLayout => None,
        };
        let (layers, stdin_blob) =
            add_layers(options, &files, early_dst.as_ref(), &display).await?;
        let root = pack_root(options, &memory, layers, config_file).await?;

        let dst = match early_dst {
            Some(dst) => dst,
            None => connect::open_write_target(&options.target, ctx).await?,
        };
        let mut sources: Vec<&dyn ReadOnlyTarget> = vec![&memory, &files];
        if let Some(blob) = &stdin_blob {
            sources.push(blob);
        }
        copy_root(options, &Union::new(sources), &dst, &root, display).await?;
        report(options, ctx, &dst, &memory, &root).await?;
        files.close()?;
        Ok(())
    }
}

/// Adds each file argument as a layer (the stdin one spooled, large files
/// prestaged to a registry destination), in order, with its annotations.
async fn add_layers(
    options: &PushOptions,
    files: &oras_store_file::Store,
    early_dst: Option<&connect::WriteTarget>,
    display: &Arc<dyn StatusDisplay>,
) -> anyhow::Result<(Vec<Descriptor>, Option<SpooledBlob>)> {
    let mut prestages_left = options.concurrency.max(1);
    let mut stdin_blob = None;
    let mut layers = Vec::with_capacity(options.files.len());
    for file in &options.files {
        let extra = options.annotations.file(&file.raw);
        if file.is_stdin() {
            let blob = read_stdin_layer(options.stdin_size.unwrap_or(0), &file.media_type).await?;
            let mut desc = blob.descriptor().clone();
            desc.annotations.extend(extra);
            layers.push(desc);
            stdin_blob = Some(blob);
            continue;
        }
        // The layer name is the cleaned path (forward slashes when
        // relative); a title in the annotation file overrides it (oras#1872).
        let name = match extra.get(annotation::TITLE) {
            Some(title) => title.clone(),
            None => layer_name(&file.path),
        };
        display.event(Event::Preparing(&name))?;
        let repository = early_dst.and_then(connect::WriteTarget::repository);
        let prestage = match repository {
            Some(repo) if prestages_left > 0 => {
                repo.prestage_file(&file.path, PRESTAGE_MIN_SIZE).await
            }
            _ => None,
        };
        let mut desc = files.add(&name, &file.media_type, &file.path).await?;
        if let Some(stage) = prestage {
            prestages_left -= 1;
            let sent = stage.sent();
            if stage.settle(&desc).await {
                tokio::spawn(show_prestage_progress(display.clone(), desc.clone(), sent));
            }
        }
        desc.annotations.extend(extra);
        layers.push(desc);
    }
    if layers.is_empty() {
        display.event(Event::EmptyArtifact)?;
    }
    Ok((layers, stdin_blob))
}

/// Packs the manifest of `layers` and its config into `memory`, tagged by
/// its digest.
async fn pack_root(
    options: &PushOptions,
    memory: &memory::Store,
    layers: Vec<Descriptor>,
    config_file: Option<Descriptor>,
) -> anyhow::Result<Descriptor> {
    let mut pack = PackManifestOptions {
        layers,
        config_annotations: options.annotations.config(),
        manifest_annotations: options.annotations.manifest(),
        ..PackManifestOptions::default()
    };
    match &options.config {
        ConfigSource::None => {}
        ConfigSource::File { .. } => pack.config_descriptor = config_file,
        ConfigSource::Platform(platform) => {
            let bytes = oras_spec::json::to_vec(platform)?;
            let mut desc = Descriptor::from_bytes(media_type::IMAGE_CONFIG, &bytes);
            memory.push_bytes(&desc, bytes.into())?;
            desc.annotations = options.annotations.config();
            pack.config_descriptor = Some(desc);
        }
    }
    let version = match options.image_spec {
        ImageSpec::V1_0 => PackManifestVersion::V1_0,
        ImageSpec::V1_1 => PackManifestVersion::V1_1,
    };
    let root = pack_manifest(memory, version, &options.artifact_type, &pack).await?;
    memory.tag(&root, &root.digest.to_string()).await?;
    Ok(root)
}

/// Copies `root` from `union` to `dst` (tagged as the target's reference
/// when it has one), reporting on `display`.
async fn copy_root(
    options: &PushOptions,
    union: &Union<'_>,
    dst: &connect::WriteTarget,
    root: &Descriptor,
    display: Arc<dyn StatusDisplay>,
) -> anyhow::Result<()> {
    let graph = connect::with_status(
        CopyGraphOptions {
            concurrency: options.concurrency,
            force: options.force,
            ..CopyGraphOptions::default()
        },
        display.clone(),
    );
    let copied = if options.target.reference.is_empty() {
        copy_graph(union, dst, root, &graph)
            .await
            .map(|()| root.clone())
    } else {
        copy(
            union,
            &root.digest.to_string(),
            dst,
            &options.target.reference,
            &CopyOptions::new(graph),
        )
        .await
    };
    display.finish()?;
    // Go `push`: `oerrors.UnwrapCopyError`, the failed step's side is not named.
    copied.map_err(connect::errors::unwrap_copy_error)?;
    Ok(())
}

/// Prints the result (`Pushed`, the extra tags as they land, the summary
/// or the formatted model) and writes `--export-manifest`.
async fn report(
    options: &PushOptions,
    ctx: &Context,
    dst: &connect::WriteTarget,
    memory: &memory::Store,
    root: &Descriptor,
) -> anyhow::Result<()> {
    let text = options.format == OutputFormat::Text;
    if text {
        ctx.printer
            .println(&text::pushed(&options.target.display_reference()))?;
    }
    let manifest = fetch_all(memory, root, oras_content::MAX_METADATA_BYTES).await?;
    if !options.extra_tags.is_empty() {
        let printer = ctx.printer.clone();
        let listener = TagListener::new(dst, move |_, tag| {
            if text {
                let _ = printer.println(&text::tagged(tag));
            }
        });
        tag_bytes_n(
            &listener,
            &root.media_type,
            manifest.clone().into(),
            &options.extra_tags,
            &TagBytesNOptions {
                concurrency: options.concurrency,
            },
        )
        .await?;
    }
    if text {
        for line in text::push_summary(root) {
            ctx.printer.println(&line)?;
        }
    } else {
        summary::push(
            &ctx.printer,
            &options.format,
            &options.target,
            root,
            &options.extra_tags,
        )?;
    }
    if let Some(path) = &options.export_manifest {
        connect::fs::write_atomic(path, &manifest)?;
    }
    Ok(())
}

/// How often a prestaged upload's progress is shown.
const PRESTAGE_PROGRESS_TICK: Duration = Duration::from_millis(200);

/// Shows the bytes a prestaged upload of `desc` has read on its progress
/// bar (the copy ends that upload without reading the file itself). Stops
/// once all were read, or when the upload is gone (its source and reader
/// dropped, so `sent` is held here alone); the copy's `Done` shows the
/// end.
async fn show_prestage_progress(
    display: Arc<dyn StatusDisplay>,
    desc: Descriptor,
    sent: Arc<AtomicU64>,
) {
    let mut shown = 0;
    loop {
        tokio::time::sleep(PRESTAGE_PROGRESS_TICK).await;
        let now = sent.load(Ordering::Relaxed);
        if now >= desc.size || Arc::strong_count(&sent) == 1 {
            return;
        }
        if now != shown {
            shown = now;
            if display.event(Event::Progress(&desc, now)).is_err() {
                return;
            }
        }
    }
}

/// The layer read from stdin (`-`): spooled to a temp file while it is
/// hashed, refused unless it has exactly `--size` bytes, and served to the
/// copy from there.
async fn read_stdin_layer(size: u64, media_type: &str) -> anyhow::Result<SpooledBlob> {
    let media_type = if media_type.is_empty() {
        media_type::IMAGE_LAYER
    } else {
        media_type
    };
    SpooledBlob::spool(std::io::stdin(), size, media_type)
        .await
        .map_err(|err| match err {
            oras_content::Error::ShortContent { .. } | oras_content::Error::TrailingData { .. } => {
                CliError::new(format!(
                    "the size of the content read from stdin does not match --size {size}"
                ))
                .into()
            }
            oras_content::Error::Io { source, .. } => anyhow::Error::new(source),
            other => anyhow::Error::new(other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps the progress it is shown.
    #[derive(Default)]
    struct Progress(std::sync::Mutex<Vec<u64>>);

    impl StatusDisplay for Progress {
        fn event(&self, event: Event<'_>) -> std::io::Result<()> {
            if let Event::Progress(_, bytes) = event {
                self.0.lock().unwrap().push(bytes);
            }
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_prestaged_upload_shows_its_progress_until_it_ends() {
        let display = Arc::new(Progress::default());
        let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &[0u8; 100]);
        let sent = Arc::new(AtomicU64::new(0));
        let upload = sent.clone();
        let shown = tokio::spawn(show_prestage_progress(
            display.clone(),
            desc.clone(),
            sent.clone(),
        ));
        drop(sent);
        upload.store(40, Ordering::Relaxed);
        tokio::time::sleep(PRESTAGE_PROGRESS_TICK * 2).await;
        upload.store(70, Ordering::Relaxed);
        tokio::time::sleep(PRESTAGE_PROGRESS_TICK * 2).await;
        // The upload's reader is dropped (it failed, or the copy ended it):
        // no more progress, and the reporting stops.
        drop(upload);
        tokio::time::timeout(PRESTAGE_PROGRESS_TICK * 5, shown)
            .await
            .expect("stops once the upload is gone")
            .unwrap();
        assert_eq!(*display.0.lock().unwrap(), [40, 70]);

        // All bytes read: stops without a final event (the copy's Done).
        let sent = Arc::new(AtomicU64::new(100));
        let _upload = sent.clone();
        let display = Arc::new(Progress::default());
        tokio::time::timeout(
            PRESTAGE_PROGRESS_TICK * 5,
            show_prestage_progress(display.clone(), desc, sent),
        )
        .await
        .expect("stops once every byte was read");
        assert!(display.0.lock().unwrap().is_empty());
    }
}
