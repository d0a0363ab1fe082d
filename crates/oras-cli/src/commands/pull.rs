//! `oras pull`: download the titled files of an artifact (Go `root/pull.go`).
//!
//! Beyond the Go CLI: `-o -` writes a single-file artifact to stdout
//! (oras#346), `--preserve-permissions` restores the mode bits of
//! unpacked directories (oras#1776), and `--to-oci-layout` writes the
//! whole artifact into an OCI layout at `--output`, as
//! `oras cp --to-oci-layout` does (oras#1160).

use clap::Args;
use oras_spec::Platform;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use oras_content::{Fetcher, Successors, Tagger, fetch_all};
use oras_copy::{
    CopyEvent, CopyGraphOptions, CopyOptions, ResolveOptions, copy, copy_graph, resolve,
};
use oras_spec::{Descriptor, annotation, media_type};
use oras_store_file::UnpackLimits;
use tokio::io::AsyncReadExt;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::quote;
use crate::error::{CliError, Result, check_mutually_exclusive};
use crate::options::{
    Common, Concurrency3, FormatOptions, OutputFormat, PlatformOption, Target, TargetOptions,
    Terminal, parse_platform,
};
use crate::output::model::FileModel;
use crate::output::status::{self, Event, Mode, StatusDisplay};
use crate::output::summary;
use crate::parse::parse_file_ref;

/// Usage facts of `oras pull`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras pull",
    usage: "oras pull [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Pull files from a registry or an OCI image layout

Example - Pull artifact files from a registry:
  oras pull localhost:5000/hello:v1

Example - Recursively pulling all files from a registry, including subjects of hello:v1:
  oras pull --include-subject localhost:5000/hello:v1

Example - Pull files from an insecure registry:
  oras pull --insecure localhost:5000/hello:v1

Example - Pull files from the HTTP registry:
  oras pull --plain-http localhost:5000/hello:v1

Example - Pull files from a registry with local cache:
  export ORAS_CACHE=~/.oras/cache
  oras pull localhost:5000/hello:v1

Example - Pull files from a registry with certain platform:
  oras pull --platform linux/arm/v5 localhost:5000/hello:v1

Example - Pull all files with concurrency level tuned:
  oras pull --concurrency 6 localhost:5000/hello:v1

Example - [Experimental] Pull files and format output in JSON:
  oras pull localhost:5000/hello:v1 --format json

Example - [Experimental] Pull files and format output with Go template:
  oras pull localhost:5000/hello:v1 --format go-template=\"{{.reference}}\"

Example - Pull artifact files from an OCI image layout folder 'layout-dir':
  oras pull --oci-layout layout-dir:v1

Example - Pull artifact files from an OCI layout archive 'layout.tar':
  oras pull --oci-layout layout.tar:v1

Example - Pull artifact files tagged 'example.com:v1' from an OCI image layout folder 'layout-dir':
  oras pull example.com:v1 --oci-layout-path layout-dir";

/// Flags and arguments of `oras pull`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Pull files from a registry or an OCI image layout",
    override_usage = "oras pull [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG
)]
pub struct PullArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Source target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Fail instead of overwriting existing files.
    #[arg(
        short = 'k',
        long,
        help = "do not replace existing files when pulling, treat them as errors"
    )]
    pub keep_old_files: bool,
    /// Allow titles that write outside the output directory.
    #[arg(
        short = 'T',
        long,
        help = "allow storing files out of the output directory"
    )]
    pub allow_path_traversal: bool,
    /// Also pull the subject chain.
    #[arg(long, help = "recursively pull the subject of artifacts")]
    pub include_subject: bool,
    /// Output directory, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "string",
        default_value = ".",
        help = "output directory"
    )]
    pub output: String,
    /// Write the config to `path`, optionally only if its type matches.
    #[arg(long, value_name = "string", help = "output manifest config file")]
    pub config: Option<String>,
    /// Restore the mode bits of unpacked directories.
    #[arg(long, help = "restore file permissions of directory content")]
    pub preserve_permissions: bool,
    /// Write into an OCI image layout at `--output` instead of files.
    #[arg(
        long,
        help = "pull all layers into an OCI image layout at the output path, like 'oras cp --to-oci-layout'"
    )]
    pub to_oci_layout: bool,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency3,
    /// Most expanded bytes per compressed byte of a directory layer.
    #[arg(
        long,
        value_name = "int",
        default_value_t = UnpackLimits::default().max_ratio,
        help = "most bytes a directory layer may expand to per compressed byte (at least 64 MiB are always allowed); 0 for no limit"
    )]
    pub max_unpack_ratio: u64,
    /// Most expanded bytes of one directory layer.
    #[arg(
        long,
        value_name = "bytes",
        default_value_t = UnpackLimits::default().max_bytes,
        help = "most bytes one directory layer may expand to (1 TiB unless set); 0 for no limit"
    )]
    pub max_unpack_size: u64,
    /// Most entries of one directory layer.
    #[arg(
        long,
        value_name = "int",
        default_value_t = UnpackLimits::default().max_entries,
        help = "most files, directories and links one directory layer may hold; 0 for no limit"
    )]
    pub max_unpack_entries: u64,
    /// The artifact reference.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras pull` options.
#[derive(Clone, Debug)]
pub struct PullOptions {
    /// Shared flags.
    pub common: Common,
    /// The source.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Output format.
    pub format: OutputFormat,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// Output directory (`.` by default).
    pub output: String,
    /// Whether the single file goes to stdout (`-o -`).
    pub to_stdout: bool,
    /// `-k`.
    pub keep_old_files: bool,
    /// `-T`.
    pub allow_path_traversal: bool,
    /// `--include-subject`.
    pub include_subject: bool,
    /// `--config`: path and required media type (empty: any).
    pub config: Option<(String, String)>,
    /// `--preserve-permissions`.
    pub preserve_permissions: bool,
    /// `--to-oci-layout`.
    pub to_oci_layout: bool,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--max-unpack-ratio`, `--max-unpack-size`, `--max-unpack-entries`.
    pub unpack_limits: UnpackLimits,
}

impl Command for PullArgs {
    type Options = PullOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<PullOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the artifact reference you want to pull",
        )?;
        let format = self.format.parse()?;
        let to_stdout = self.output == "-";
        if to_stdout && format != OutputFormat::Text {
            return Err(CliError::new(format!(
                "`--output -` cannot be used with `--format {}` at the same time",
                self.format.format.as_deref().unwrap_or_default()
            )));
        }
        check_mutually_exclusive(&[
            ("to-oci-layout", self.to_oci_layout),
            ("config", self.config.is_some()),
        ])?;
        check_mutually_exclusive(&[
            ("to-oci-layout", self.to_oci_layout),
            ("preserve-permissions", self.preserve_permissions),
        ])?;
        if self.to_oci_layout && to_stdout {
            return Err(CliError::new(
                "`--output -` cannot be used with `--to-oci-layout` at the same time",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        let config = match &self.config {
            Some(raw) => Some(parse_file_ref(raw, "")?),
            None => None,
        };
        self.common.report_to(env);
        Ok(PullOptions {
            tty: self.terminal.use_tty_for(env, &self.common, to_stdout),
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            format,
            output: self.output,
            to_stdout,
            keep_old_files: self.keep_old_files,
            allow_path_traversal: self.allow_path_traversal,
            include_subject: self.include_subject,
            config,
            preserve_permissions: self.preserve_permissions,
            to_oci_layout: self.to_oci_layout,
            concurrency: self.concurrency.concurrency,
            unpack_limits: UnpackLimits {
                max_ratio: self.max_unpack_ratio,
                max_bytes: self.max_unpack_size,
                max_entries: self.max_unpack_entries,
                ..UnpackLimits::default()
            },
        })
    }

    /// Runs `oras pull` (Go `runPull`).
    fn error_target(options: &PullOptions) -> Option<&Target> {
        Some(&options.target)
    }

    async fn run(options: &PullOptions, ctx: &Context) -> anyhow::Result<()> {
        let result = if options.to_oci_layout {
            pull_to_layout(options, ctx).await
        } else if options.to_stdout {
            pull_to_stdout(options, ctx).await
        } else {
            pull_files(options, ctx).await
        };
        result.map_err(connect::path_traversal_hint)
    }
}

/// What the pull's hooks share: the nodes already reported, the files
/// written (with their content keys), the successors kept for each
/// manifest (to list the files in manifest order), whether untitled
/// layers were skipped.
#[derive(Default)]
struct PullState {
    printed: Mutex<HashSet<String>>,
    files: Mutex<Vec<(String, FileModel)>>,
    successors: Mutex<HashMap<String, Vec<Descriptor>>>,
    layers_skipped: AtomicBool,
    config_named: AtomicBool,
    /// The content key of the config `--config` titled: written, but not
    /// listed in `files` (Go lists the titled successors of each manifest
    /// as stored, where the config has no title).
    config_key: Mutex<Option<String>>,
}

/// The identity of a node in the pull: digest and title (Go
/// `generateContentKey`), so one blob under two names is two files.
fn content_key(desc: &Descriptor) -> String {
    format!("{}{}", desc.digest, desc.title().unwrap_or_default())
}

impl PullState {
    /// True the first time `desc` (digest and title) is seen.
    fn first_time(&self, desc: &Descriptor) -> bool {
        lock(&self.printed).insert(content_key(desc))
    }

    /// The files pulled, in the order the manifests list them.
    fn files_in_manifest_order(&self, root: &Descriptor) -> Vec<FileModel> {
        let order = manifest_order(root, &lock(&self.successors));
        let mut files = std::mem::take(&mut *lock(&self.files));
        files.sort_by_key(|(key, _)| order.get(key).copied().unwrap_or(usize::MAX));
        files.into_iter().map(|(_, file)| file).collect()
    }
}

/// The position of every node under `root`, depth first in the order
/// each manifest lists its successors. Go's JSON handler adds a manifest's
/// titled successors when that manifest is copied, so its `files` follow
/// the layer order of the manifest rather than download completion; a
/// fixed traversal keeps that deterministic even across an index whose
/// children are fetched concurrently.
fn manifest_order(
    root: &Descriptor,
    successors: &HashMap<String, Vec<Descriptor>>,
) -> HashMap<String, usize> {
    let mut order = HashMap::new();
    let mut visited = HashSet::new();
    let mut stack = vec![root.clone()];
    // Every node is pushed at most once per listing and manifests are
    // expanded once, so the loop ends.
    while let Some(node) = stack.pop() {
        let next = order.len();
        order.entry(content_key(&node)).or_insert(next);
        if visited.insert(node.digest.to_string())
            && let Some(children) = successors.get(&node.digest.to_string())
        {
            stack.extend(children.iter().rev().cloned());
        }
    }
    order
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The copy options of a pull: the platform, and the Go CLI's successor
/// rules (`doPull`'s `FindSuccessors`):
/// * the subject only with `--include-subject`;
/// * the config only when it is not the empty `{}` blob, or when
///   `--config` names it (then it gets the title `--config` gives, if its
///   type matches);
/// * the empty-JSON layer dropped silently;
/// * untitled leaves skipped (reported `Skipped`, and the hint printed
///   at the end); untitled nodes with children (index entries) kept,
///   though, as in Go, they also turn the summary into the hint.
fn find_successors(
    options: &PullOptions,
    state: Arc<PullState>,
    display: Arc<dyn StatusDisplay>,
) -> impl for<'a> Fn(
    &'a dyn Fetcher,
    &'a Descriptor,
) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
+ Send
+ Sync
+ 'static {
    let include_subject = options.include_subject;
    let config = options.config.clone();
    move |fetcher, desc| {
        let state = state.clone();
        let display = display.clone();
        let config = config.clone();
        Box::pin(async move {
            if !media_type::is_manifest(&desc.media_type) {
                return Ok(Vec::new());
            }
            // Go fetches each manifest through a status fetcher here, so
            // its `Downloading` and `Processing` lines come before those of
            // its successors (Go `root/pull.go` `doPull`, `statusFetcher`);
            // the copy hooks then skip its start.
            if state.first_time(desc) {
                let _ = display.event(Event::Started(desc));
                let _ = display.event(Event::Processing(desc));
            }
            let bytes = fetch_all(fetcher, desc, oras_content::MAX_METADATA_BYTES).await?;
            let parts = successors_by_role(desc, &bytes)?;
            let mut nodes = parts.layers;
            nodes.extend(parts.manifests);
            if let Some(subject) = parts.subject
                && include_subject
            {
                nodes.push(subject);
            }
            if let Some(mut cfg) = parts.config {
                if let Some((path, wanted)) = &config
                    && !state.config_named.swap(true, Ordering::SeqCst)
                    && (wanted.is_empty() || *wanted == cfg.media_type)
                {
                    cfg.annotations
                        .insert(annotation::TITLE.to_owned(), path.clone());
                    *lock(&state.config_key) = Some(content_key(&cfg));
                }
                let empty = Descriptor::empty_json();
                if cfg.size != empty.size || cfg.digest != empty.digest || cfg.title().is_some() {
                    nodes.push(cfg);
                }
            }
            let mut kept = Vec::with_capacity(nodes.len());
            for node in nodes {
                if node.title().is_none() {
                    if node.same_content(&Descriptor::empty_json())
                        && node.media_type == media_type::EMPTY_JSON
                    {
                        continue;
                    }
                    // Go sets the hint for every untitled node, even one
                    // with children (an index entry), and skips leaves.
                    state.layers_skipped.store(true, Ordering::SeqCst);
                    if !media_type::is_manifest(&node.media_type) {
                        if state.first_time(&node) {
                            let _ = display.event(Event::Skipped(&node));
                        }
                        continue;
                    }
                }
                kept.push(node);
            }
            lock(&state.successors).insert(desc.digest.to_string(), kept.clone());
            Ok(kept)
        })
    }
}

/// The successors of a manifest by role ([`Successors`]), with a document
/// that does not parse reported by its JSON error alone, as the Go CLI's
/// `graph.Successors` (`json.Unmarshal`) does.
fn successors_by_role(desc: &Descriptor, bytes: &[u8]) -> oras_content::Result<Successors> {
    Successors::from_bytes(desc, bytes).map_err(|err| match err {
        oras_content::Error::Spec(oras_spec::Error::Json { source, .. }) => {
            oras_content::Error::external(oras_content::ErrorKind::InvalidContent, source)
        }
        other => other,
    })
}

/// The copy events of a pull as status lines (Go `doPull`'s `PreCopy`,
/// `PostCopy`, `OnCopySkipped`), recording each titled file stored for the
/// summary.
fn pull_progress(
    display: Arc<dyn StatusDisplay>,
    state: Arc<PullState>,
    files: Arc<oras_store_file::Store>,
    target: Target,
) -> impl Fn(&CopyEvent<'_>) + Send + Sync + 'static {
    let output = files.working_dir().to_path_buf();
    move |event: &CopyEvent<'_>| {
        let record = |desc: &Descriptor| {
            // Go `doPull`'s `PostCopy` reports the titled successors of
            // the manifest as stored, so not the config `--config`
            // titled.
            if lock(&state.config_key).as_deref() == Some(content_key(desc).as_str()) {
                return;
            }
            if let Some(name) = desc.title()
                && let Ok(model) = summary::pulled_file(name, &output, desc, &target)
            {
                lock(&state.files).push((content_key(desc), model));
            }
        };
        let shown = match *event {
            // A manifest's start was shown when it was fetched for its
            // successors (`find_successors`), as Go's `PreCopy` skips
            // nodes already printed.
            CopyEvent::Started(d) if !state.first_time(d) => return,
            CopyEvent::Started(d) if d.title().is_none() => Event::Processing(d),
            CopyEvent::Started(d) => Event::Started(d),
            CopyEvent::Progress { desc, bytes } => Event::Progress(desc, bytes),
            CopyEvent::Done(d) => {
                state.first_time(d);
                record(d);
                let _ = display.event(Event::Done(d));
                for restored in files.take_restored() {
                    if state.first_time(&restored) {
                        record(&restored);
                        let _ = display.event(Event::Restored(&restored));
                    }
                }
                return;
            }
            CopyEvent::Exists(d) => {
                record(d);
                Event::Exists(d)
            }
            CopyEvent::Skipped(d) => Event::Skipped(d),
            CopyEvent::Mounted(d) => Event::Mounted(d),
            CopyEvent::Retagged(d) => Event::Retagged(d),
        };
        let _ = display.event(shown);
    }
}

/// Pulls the titled files into `--output` (a file store).
async fn pull_files(options: &PullOptions, ctx: &Context) -> anyhow::Result<()> {
    let src = connect::open_cached_read_target(&options.target, ctx).await?;
    let output = PathBuf::from(&options.output);
    let files = Arc::new(oras_store_file::Store::with_options(
        &output,
        oras_store_file::Options {
            allow_path_traversal_on_write: options.allow_path_traversal,
            disable_overwrite: options.keep_old_files,
            preserve_permissions: options.preserve_permissions,
            unpack_limits: options.unpack_limits,
            ..oras_store_file::Options::default()
        },
    )?);
    let display = status::new_status(
        Mode::Pull,
        options.tty,
        options.format.is_text(),
        &ctx.printer,
        options.common.print_unnamed(),
    );
    let state = Arc::new(PullState::default());
    let progress = pull_progress(
        display.clone(),
        state.clone(),
        files.clone(),
        options.target.clone(),
    );
    let graph = CopyGraphOptions {
        concurrency: options.concurrency,
        ..CopyGraphOptions::default()
    }
    .with_find_successors(find_successors(options, state.clone(), display.clone()))
    .with_progress(progress);
    let mut copy_options = CopyOptions::new(graph);
    if let Some(platform) = &options.platform {
        copy_options = copy_options.with_target_platform(platform.clone());
    }
    let reference = &options.target.reference;
    let copied = copy(&src, reference, files.as_ref(), reference, &copy_options).await;
    display.finish()?;
    let root = copied.map_err(connect::errors::unwrap_copy_error)?;
    // Links unpacked by one layer may lead out through links another
    // made: checked once every layer is written (and removed if so).
    files.verify_links()?;
    files.close()?;
    let pulled = state.files_in_manifest_order(&root);
    summary::pull(
        &ctx.printer,
        &options.format,
        &options.target,
        &root,
        pulled,
        state.layers_skipped.load(Ordering::SeqCst),
    )
}

/// `--to-oci-layout`: copies the whole artifact into an OCI layout at
/// `--output`, as `oras cp --to-oci-layout` does, tagged like the source
/// reference when that is a tag.
async fn pull_to_layout(options: &PullOptions, ctx: &Context) -> anyhow::Result<()> {
    let src = connect::open_cached_read_target(&options.target, ctx).await?;
    let dst = oras_store_oci::Store::open(&options.output).await?;
    let display = status::new_status(
        Mode::Pull,
        options.tty,
        options.format.is_text(),
        &ctx.printer,
        options.common.print_unnamed(),
    );
    let graph = connect::with_status(
        CopyGraphOptions {
            concurrency: options.concurrency,
            ..CopyGraphOptions::default()
        },
        display.clone(),
    );
    let resolve_options = ResolveOptions {
        target_platform: options.platform.clone(),
        ..ResolveOptions::default()
    };
    let copied = async {
        let root = resolve(&src, &options.target.reference, &resolve_options).await?;
        copy_graph(&src, &dst, &root, &graph).await?;
        if !options.target.reference_is_digest() {
            dst.tag(&root, &options.target.reference).await?;
        }
        anyhow::Ok(root)
    }
    .await;
    display.finish()?;
    let root = copied?;
    summary::pull(
        &ctx.printer,
        &options.format,
        &options.target,
        &root,
        Vec::new(),
        false,
    )
}

/// `-o -`: writes the one layer of a single-file artifact to stdout,
/// verified as it streams; nothing else is printed on stdout.
async fn pull_to_stdout(options: &PullOptions, ctx: &Context) -> anyhow::Result<()> {
    let src = connect::open_cached_read_target(&options.target, ctx).await?;
    let resolve_options = ResolveOptions {
        target_platform: options.platform.clone(),
        ..ResolveOptions::default()
    };
    let root = resolve(&src, &options.target.reference, &resolve_options).await?;
    let bytes = fetch_all(&src, &root, oras_content::MAX_METADATA_BYTES).await?;
    let parts = successors_by_role(&root, &bytes)?;
    let layers: Vec<Descriptor> = parts
        .layers
        .into_iter()
        .chain(parts.manifests)
        .filter(|d| {
            !(d.media_type == media_type::EMPTY_JSON && d.same_content(&Descriptor::empty_json()))
        })
        .collect();
    let [layer] = layers.as_slice() else {
        return Err(CliError::new(format!(
            "`--output -` needs an artifact with exactly one layer, but {} has {}",
            quote(&options.target.raw_reference),
            layers.len()
        ))
        .into());
    };
    if media_type::is_manifest(&layer.media_type) {
        return Err(CliError::new(
            "`--output -` needs an artifact whose layer is a file, not a manifest",
        )
        .into());
    }
    // Bars only: stdout carries the file, so no text status lines. They
    // are drawn with `--no-tty=false` on a terminal, as `blob fetch -o -`.
    let display = status::new_status(Mode::Pull, options.tty, false, &ctx.printer, true);
    let streamed = stream_layer(&src, layer, display.as_ref(), ctx).await;
    display.finish()?;
    streamed
}

/// Streams `layer` to stdout through a verifying reader, reporting its
/// progress to `display`.
async fn stream_layer(
    src: &impl Fetcher,
    layer: &Descriptor,
    display: &dyn StatusDisplay,
    ctx: &Context,
) -> anyhow::Result<()> {
    let reader = src.fetch(layer).await?;
    let mut verified = reader.verified(layer);
    display.event(Event::Started(layer))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut done = 0u64;
    loop {
        let n = verified.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        ctx.printer.write_out(&buf[..n])?;
        done += n as u64;
        display.event(Event::Progress(layer, done))?;
    }
    display.event(Event::Done(layer))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn titled(name: &str) -> Descriptor {
        let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, name.as_bytes());
        desc.annotations
            .insert(annotation::TITLE.to_owned(), name.to_owned());
        desc
    }

    fn file(desc: &Descriptor) -> (String, FileModel) {
        let name = desc.title().unwrap_or_default();
        let model = FileModel::new(name, Path::new("/out"), desc, "repo").unwrap();
        (content_key(desc), model)
    }

    fn names(files: &[FileModel]) -> Vec<&str> {
        files
            .iter()
            .map(|f| f.path.trim_start_matches("/out/"))
            .collect()
    }

    #[test]
    fn files_follow_the_layer_order_not_completion_order() {
        let index = Descriptor::from_bytes(media_type::IMAGE_INDEX, b"index");
        let first = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"first");
        let second = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"second");
        let [a, b, c, d] = ["a", "b", "c", "d"].map(titled);
        let state = PullState::default();
        {
            let mut successors = lock(&state.successors);
            successors.insert(
                index.digest.to_string(),
                vec![first.clone(), second.clone()],
            );
            // Listed second, fetched first: the listing decides.
            successors.insert(second.digest.to_string(), vec![d.clone(), c.clone()]);
            successors.insert(first.digest.to_string(), vec![b.clone(), a.clone()]);
        }
        // Completion order, plus a file nobody listed (kept, last).
        let stray = titled("stray");
        *lock(&state.files) = [&stray, &a, &c, &b, &d].map(file).to_vec();
        let files = state.files_in_manifest_order(&index);
        assert_eq!(names(&files), ["b", "a", "d", "c", "stray"]);
    }

    #[test]
    fn one_blob_under_two_titles_is_two_files_in_place() {
        let root = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"root");
        let x = titled("x");
        let mut y = x.clone();
        y.annotations
            .insert(annotation::TITLE.to_owned(), "y".to_owned());
        let state = PullState::default();
        lock(&state.successors).insert(root.digest.to_string(), vec![y.clone(), x.clone()]);
        *lock(&state.files) = [&x, &y].map(file).to_vec();
        assert_eq!(names(&state.files_in_manifest_order(&root)), ["y", "x"]);
    }

    /// Keeps the events it is shown, by name.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<String>>);

    impl StatusDisplay for Recorded {
        fn event(&self, event: Event<'_>) -> std::io::Result<()> {
            let name = match event {
                Event::Started(_) => "started".to_owned(),
                Event::Progress(_, bytes) => format!("progress {bytes}"),
                Event::Done(_) => "done".to_owned(),
                other => format!("{other:?}"),
            };
            lock(&self.0).push(name);
            Ok(())
        }
    }

    #[tokio::test]
    async fn stdout_streaming_reports_progress_to_the_display() {
        let store = oras_content::memory::Store::new();
        let data = vec![b'x'; 100 * 1024];
        let layer = titled("big.bin");
        let layer = Descriptor {
            digest: Descriptor::from_bytes(media_type::IMAGE_LAYER, &data).digest,
            size: data.len() as u64,
            ..layer
        };
        store
            .push_bytes(&layer, bytes::Bytes::from(data.clone()))
            .unwrap();
        let (printer, out, _) = crate::output::Printer::captured();
        let ctx = Context {
            printer,
            stderr_is_tty: true,
        };
        let display = Recorded::default();
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream_layer(&store, &layer, &display, &ctx),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(out.text().as_bytes(), data);
        let events = lock(&display.0).clone();
        assert_eq!(events.first().map(String::as_str), Some("started"));
        assert_eq!(events.last().map(String::as_str), Some("done"));
        assert!(
            events.contains(&format!("progress {}", data.len())),
            "{events:?}"
        );
    }

    #[test]
    fn a_cycle_in_the_successors_ends() {
        let a = Descriptor::from_bytes(media_type::IMAGE_INDEX, b"a");
        let b = Descriptor::from_bytes(media_type::IMAGE_INDEX, b"b");
        let mut successors = HashMap::new();
        successors.insert(a.digest.to_string(), vec![b.clone()]);
        successors.insert(b.digest.to_string(), vec![a.clone()]);
        let order = manifest_order(&a, &successors);
        assert_eq!(order.len(), 2);
        assert_eq!(order[&content_key(&a)], 0);
    }
}
