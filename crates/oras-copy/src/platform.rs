//! Platform selection (oras-go `internal/platform.SelectManifest`) and [`CopyOptions::with_target_platform`].

use std::sync::Arc;

use oras_content::{Fetcher, MAX_METADATA_BYTES, fetch_all};
use oras_spec::{Descriptor, Index, Manifest, Platform, media_type};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::options::CopyOptions;

/// The node under `root` built for `platform`:
/// - an index or manifest list: its first entry whose platform matches;
/// - a manifest: itself, if the platform in its config matches (the config
///   must be an OCI image config, or a Docker config for a Docker manifest);
/// - anything else: [`Error::Unsupported`].
///
/// No match is [`Error::NotFound`]. Matching follows
/// [`Platform::matches`]. Manifests and configs are read up to 4 MiB.
pub async fn select_manifest<F: Fetcher + ?Sized>(
    src: &F,
    root: &Descriptor,
    platform: &Platform,
) -> Result<Descriptor> {
    select_manifest_within(src, root, platform, MAX_METADATA_BYTES).await
}

pub(crate) async fn select_manifest_within<F: Fetcher + ?Sized>(
    src: &F,
    root: &Descriptor,
    platform: &Platform,
    limit: u64,
) -> Result<Descriptor> {
    match root.media_type.as_str() {
        media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST => {
            let content = fetch_all(src, root, limit).await?;
            let index: Index = parse(&content, "image index")?;
            index
                .manifests
                .into_iter()
                .find(|m| m.platform.as_ref().is_some_and(|p| p.matches(platform)))
                .ok_or_else(|| Error::NotFound {
                    subject: root.digest.to_string(),
                    reason: "no matching manifest was found in the manifest list",
                })
        }
        media_type::IMAGE_MANIFEST | media_type::DOCKER_MANIFEST => {
            let content = fetch_all(src, root, limit).await?;
            let manifest: Manifest = parse(&content, "image manifest")?;
            let expected = if root.media_type == media_type::IMAGE_MANIFEST {
                media_type::IMAGE_CONFIG
            } else {
                media_type::DOCKER_CONFIG
            };
            if manifest.config.media_type != expected {
                return Err(Error::Unsupported(format!(
                    "fail to recognize platform from unknown config {}: expect {expected}",
                    manifest.config.media_type
                )));
            }
            let config = fetch_all(src, &manifest.config, limit).await?;
            if config_platform(&config)?.matches(platform) {
                Ok(root.clone())
            } else {
                Err(Error::NotFound {
                    subject: root.digest.to_string(),
                    reason: "platform in manifest does not match target platform",
                })
            }
        }
        other => Err(Error::Unsupported(format!("{}: {other}", root.digest))),
    }
}

impl CopyOptions {
    /// Makes the copy select the manifest for `platform` under the resolved
    /// root (after any `map_root` already set), as oras-go's
    /// `WithTargetPlatform` does.
    pub fn with_target_platform(mut self, platform: Platform) -> Self {
        let previous = self.map_root.take();
        let platform = Arc::new(platform);
        self = self.with_map_root(move |src, root| {
            let previous = previous.clone();
            let platform = platform.clone();
            Box::pin(async move {
                let root = match &previous {
                    Some(map) => map(src, root).await?,
                    None => root.clone(),
                };
                Ok(select_manifest(src, &root, &platform).await?)
            })
        });
        self
    }
}

/// The platform fields of an image config (`os`, `architecture`,
/// `variant`, `os.version`, `os.features`); nulls read as empty, and an
/// empty body is an empty platform, as Go's decoder allows.
fn config_platform(content: &[u8]) -> Result<Platform> {
    #[derive(Deserialize)]
    struct Fields {
        #[serde(default)]
        architecture: Option<String>,
        #[serde(default)]
        os: Option<String>,
        #[serde(default, rename = "os.version")]
        os_version: Option<String>,
        #[serde(default, rename = "os.features")]
        os_features: Option<Vec<String>>,
        #[serde(default)]
        variant: Option<String>,
    }
    if content.iter().all(u8::is_ascii_whitespace) {
        return Ok(Platform::default());
    }
    let fields: Fields = parse(content, "image config")?;
    Ok(Platform {
        architecture: fields.architecture.unwrap_or_default(),
        os: fields.os.unwrap_or_default(),
        os_version: fields.os_version.unwrap_or_default(),
        os_features: fields.os_features.unwrap_or_default(),
        variant: fields.variant.unwrap_or_default(),
    })
}

fn parse<T: serde::de::DeserializeOwned>(content: &[u8], what: &'static str) -> Result<T> {
    serde_json::from_slice(content)
        .map_err(|source| oras_content::Error::from(oras_spec::Error::Json { what, source }).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_platform_fields_of_a_config() {
        let p = config_platform(
            br#"{"architecture":"arm","os":"linux","variant":"v7","os.features":null,"rootfs":{}}"#,
        )
        .unwrap();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str(), p.variant.as_str()),
            ("linux", "arm", "v7")
        );
        assert_eq!(config_platform(b"").unwrap(), Platform::default());
        assert!(config_platform(b"[").is_err());
    }
}
