//! What `manifest index create` and `manifest index update` share (Go
//! `root/manifest/index/create.go`): fetching a manifest to list, its
//! index entry (platform and artifact type), the index bytes, the status
//! lines, writing the index out, and pushing and tagging it.

use std::path::Path;

use bytes::Bytes;
use oras_content::{ErrorKind, MAX_METADATA_BYTES, Target, fetch_all};
use oras_copy::{FetchBytesOptions, TagBytesNOptions, fetch_bytes, tag_bytes, tag_bytes_n};
use oras_spec::{Descriptor, Index, Manifest, Platform};

use crate::connect::TagListener;
use crate::connect::descriptor::{is_image_manifest, is_index, is_manifest};
use crate::connect::file_output::write_bytes;
use crate::error::CliError;
use crate::output::json::to_compact_json;
use crate::output::status::short_digest;
use crate::output::{Printer, summary, text};
use crate::parse::is_digest;

/// Largest config read for an entry's platform (Go `maxConfigSize`, 4 MiB).
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// The status prompts (Go `display/status` `IndexPrompt*`), padded alike.
pub mod prompt {
    /// A manifest is being fetched.
    pub const FETCHING: &str = "Fetching ";
    /// A manifest was fetched.
    pub const FETCHED: &str = "Fetched  ";
    /// A manifest was added (update).
    pub const ADDED: &str = "Added    ";
    /// An index was merged (update).
    pub const MERGED: &str = "Merged   ";
    /// An entry was removed (update).
    pub const REMOVED: &str = "Removed  ";
    /// The index was packed (create).
    pub const PACKED: &str = "Packed   ";
    /// The index was pushed.
    pub const PUSHED: &str = "Pushed   ";
    /// The index was updated (update).
    pub const UPDATED: &str = "Updated  ";
}

/// Status lines on stdout; silent when the index itself goes to stdout
/// (`--output -`).
#[derive(Clone, Copy)]
pub struct Status<'a> {
    printer: Option<&'a Printer>,
}

impl<'a> Status<'a> {
    /// Status lines on `printer`, unless the index is written to stdout.
    pub fn new(printer: &'a Printer, output: Option<&Path>) -> Self {
        let to_stdout = output.is_some_and(|p| p.as_os_str() == "-");
        Status {
            printer: (!to_stdout).then_some(printer),
        }
    }

    /// `<prompt> <words…>` as Go's `Println` joins its operands.
    pub fn line(&self, prompt: &str, words: &[&str]) -> anyhow::Result<()> {
        if let Some(printer) = self.printer {
            let mut line = prompt.to_owned();
            for word in words {
                line.push(' ');
                line.push_str(word);
            }
            printer.println(&line)?;
        }
        Ok(())
    }

    /// `<prompt> <reference>` for a digest, else `<prompt> <digest> <reference>`.
    pub fn reference(
        &self,
        prompt: &str,
        reference: &str,
        desc: &Descriptor,
    ) -> anyhow::Result<()> {
        if is_digest(reference) {
            self.line(prompt, &[reference])
        } else {
            self.line(prompt, &[&desc.digest.to_string(), reference])
        }
    }

    /// Whether lines are printed.
    pub fn enabled(&self) -> bool {
        self.printer.is_some()
    }
}

/// Fetches the manifest `reference` of `target` (at most 4 MiB, verified)
/// and returns its index entry (Go `fetchSourceManifests`/`addManifests`).
pub async fn fetch_entry<T: Target + ?Sized>(
    target: &T,
    reference: &str,
    status: Status<'_>,
) -> anyhow::Result<Descriptor> {
    status.line(prompt::FETCHING, &[reference])?;
    let (desc, content) = fetch_bytes(target, reference, &FetchBytesOptions::default())
        .await
        .map_err(|err| {
            anyhow::Error::new(err).context(format!("could not find the manifest {reference}"))
        })?;
    if !is_manifest(&desc) {
        return Err(CliError::new(format!("{reference} is not a manifest")).into());
    }
    status.reference(prompt::FETCHED, reference, &desc)?;
    entry(target, &desc, &content).await
}

/// Fetches the index `reference` of `target` (Go `fetchIndex`, and each
/// `--merge` of update).
pub async fn fetch_index<T: Target + ?Sized>(
    target: &T,
    reference: &str,
    status: Status<'_>,
) -> anyhow::Result<(Descriptor, Index)> {
    status.line(prompt::FETCHING, &[reference])?;
    let (desc, content) = fetch_bytes(target, reference, &FetchBytesOptions::default())
        .await
        .map_err(|err| {
            anyhow::Error::new(err).context(format!("could not find the index {reference}"))
        })?;
    if !is_index(&desc) {
        return Err(CliError::new(format!("{reference} is not an index")).into());
    }
    status.reference(prompt::FETCHED, reference, &desc)?;
    let index: Index = serde_json::from_slice(&content)
        .map_err(|err| CliError::new(format!("invalid index {reference}: {err}")))?;
    Ok((desc, index))
}

/// The index entry of a manifest (Go `enrichDescriptor`): the plain
/// descriptor, plus for an image manifest the platform of its config
/// (when the config names an OS or architecture) and its artifact type,
/// and for an index its artifact type.
pub async fn entry<T: Target + ?Sized>(
    target: &T,
    desc: &Descriptor,
    content: &[u8],
) -> anyhow::Result<Descriptor> {
    let mut entry = desc.plain();
    if is_image_manifest(desc) {
        let manifest: Manifest = serde_json::from_slice(content)
            .map_err(|err| CliError::new(format!("invalid manifest {}: {err}", desc.digest)))?;
        entry.platform = platform_of(target, &manifest.config).await?;
        entry.artifact_type = manifest.artifact_type;
    } else if is_index(desc) {
        let index: Index = serde_json::from_slice(content)
            .map_err(|err| CliError::new(format!("invalid index {}: {err}", desc.digest)))?;
        entry.artifact_type = index.artifact_type;
    }
    Ok(entry)
}

/// The platform a config describes, `None` when it is not a JSON object
/// with an OS or an architecture (Go `getPlatform`).
async fn platform_of<T: Target + ?Sized>(
    target: &T,
    config: &Descriptor,
) -> anyhow::Result<Option<Platform>> {
    if config.size > MAX_CONFIG_SIZE {
        return Err(CliError::new(format!(
            "config size {} exceeds MaxBytes {MAX_CONFIG_SIZE}: size exceeds limit",
            config.size
        ))
        .into());
    }
    let content = fetch_all(target, config, MAX_METADATA_BYTES.min(MAX_CONFIG_SIZE)).await?;
    let Ok(platform) = serde_json::from_slice::<Platform>(&content) else {
        return Ok(None);
    };
    if platform.os.is_empty() && platform.architecture.is_empty() {
        return Ok(None);
    }
    Ok(Some(platform))
}

/// The index as Go's `json.Marshal` writes it.
pub fn index_bytes(index: &Index) -> anyhow::Result<Vec<u8>> {
    Ok(to_compact_json(index)?.into_bytes())
}

/// Writes the index to `output` (`-` is stdout, indented with
/// `--pretty`; a file gets the exact bytes).
pub async fn write_index(
    printer: &Printer,
    output: &Path,
    bytes: &[u8],
    pretty: bool,
) -> anyhow::Result<()> {
    if output.as_os_str() == "-" {
        summary::raw_json(printer, bytes, pretty)
    } else {
        write_bytes(output, bytes).await
    }
}

/// Where a built index goes.
pub struct Destination<'a> {
    /// The tag or digest of the target (empty: none).
    pub reference: &'a str,
    /// Tags set after the push.
    pub extra_tags: &'a [String],
    /// `[kind] <reference>` for the `Pushed` line.
    pub display: String,
}

/// Pushes the index (by digest when the reference is empty or a digest,
/// else tagged), prints `Pushed [kind] <display>`, then tags the extra
/// tags printing `Tagged <tag>` for each (Go `pushIndex`).
pub async fn push_index<T: Target + ?Sized>(
    target: &T,
    desc: &Descriptor,
    bytes: &[u8],
    destination: &Destination<'_>,
    status: Status<'_>,
    printer: &Printer,
) -> anyhow::Result<()> {
    let Destination {
        reference,
        extra_tags,
        display,
    } = destination;
    let reference: &str = reference;
    let content = Bytes::copy_from_slice(bytes);
    if reference.is_empty() || is_digest(reference) {
        match target
            .push(desc, oras_content::bytes_reader(content.clone()))
            .await
        {
            Ok(()) => {}
            // An index already there is fine: the content is the same.
            Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err.into()),
        }
    } else {
        tag_bytes(target, &desc.media_type, content.clone(), reference).await?;
    }
    status.line(prompt::PUSHED, &[display.as_str()])?;
    if !extra_tags.is_empty() {
        // `Tagged <tag>` as each tag lands (Go `listener.NewTaggedListener`).
        let printer = printer.clone();
        let listener = TagListener::new(target, move |_, tag| {
            let _ = printer.println(&text::tagged(tag));
        });
        tag_bytes_n(
            &listener,
            &desc.media_type,
            content,
            &extra_tags[..],
            &TagBytesNOptions::default(),
        )
        .await?;
    }
    Ok(())
}

/// The `Packed`/`Updated` line's short digest (Go `descriptor.ShortDigest`).
pub fn short(desc: &Descriptor) -> String {
    short_digest(desc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::{Tagger, memory};
    use oras_copy::push_bytes;
    use oras_spec::media_type;

    async fn image(store: &memory::Store, config: &[u8], artifact_type: &str) -> Descriptor {
        let config = push_bytes(
            store,
            media_type::IMAGE_CONFIG,
            Bytes::copy_from_slice(config),
        )
        .await
        .unwrap();
        let manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: artifact_type.into(),
            config,
            layers: vec![],
            subject: None,
            annotations: Default::default(),
        };
        let bytes = serde_json::to_vec(&manifest).unwrap();
        push_bytes(store, media_type::IMAGE_MANIFEST, bytes.into())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn entries_carry_platform_and_artifact_type() {
        let store = memory::Store::new();
        let linux = image(
            &store,
            br#"{"architecture":"arm64","os":"linux","variant":"v8","rootfs":{}}"#,
            "",
        )
        .await;
        store.tag(&linux, "linux").await.unwrap();
        let (printer, out, _) = Printer::captured();
        let status = Status::new(&printer, None);
        let entry = fetch_entry(&store, "linux", status).await.unwrap();
        let platform = entry.platform.unwrap();
        assert_eq!(
            (
                platform.os.as_str(),
                platform.architecture.as_str(),
                platform.variant.as_str()
            ),
            ("linux", "arm64", "v8")
        );
        assert_eq!(
            out.text(),
            format!("Fetching  linux\nFetched   {} linux\n", linux.digest)
        );

        let artifact = image(&store, b"{}", "application/vnd.example").await;
        let entry = fetch_entry(
            &store,
            &artifact.digest.to_string(),
            Status::new(&printer, Some(Path::new("-"))),
        )
        .await
        .unwrap();
        assert!(entry.platform.is_none());
        assert_eq!(entry.artifact_type, "application/vnd.example");
        assert!(entry.annotations.is_empty());

        let blob = push_bytes(&store, media_type::IMAGE_LAYER, Bytes::from_static(b"x"))
            .await
            .unwrap();
        let err = fetch_entry(&store, &blob.digest.to_string(), status)
            .await
            .unwrap_err();
        assert!(err.to_string().ends_with("is not a manifest"), "{err:#}");
        let err = fetch_entry(&store, "missing", status).await.unwrap_err();
        assert!(format!("{err:#}").starts_with("could not find the manifest missing: "));
    }

    #[test]
    fn index_bytes_like_go() {
        let mut index = Index::new(vec![]);
        index.artifact_type = "a/b".into();
        index.annotations.insert("k".into(), "<v>".into());
        assert_eq!(
            String::from_utf8(index_bytes(&index).unwrap()).unwrap(),
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"a/b","manifests":[],"annotations":{"k":"\u003cv\u003e"}}"#
        );
    }
}
