//! registries.conf v2 (containers-registries.conf(5)): the `[[registry]]`
//! tables with their mirrors, `unqualified-search-registries`,
//! `short-name-mode` and `[aliases]`, read from the main file and its
//! drop-ins and merged as containers/image's `sysregistriesv2` does:
//!
//! * drop-ins are the `*.conf` files of each drop-in directory, in name
//!   order, system directory first; each overrides what came before;
//! * a `[[registry]]` replaces an earlier one with the same prefix, and
//!   the merged list is sorted by prefix;
//! * `unqualified-search-registries` and `short-name-mode` are replaced
//!   when a later file sets them; aliases are merged, later files win.
//!
//! Every file is parsed and checked before anything is merged, so a
//! malformed file fails the whole load.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::toml_file::{malformed, parse, read_optional};

/// Which references a mirror serves (`pull-from-mirror`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullFromMirror {
    /// Every pull (`all`, the default).
    #[default]
    All,
    /// Pulls by digest only (`digest-only`).
    DigestOnly,
    /// Pulls by tag only (`tag-only`).
    TagOnly,
}

/// A `[[registry.mirror]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mirror {
    /// Where to pull from instead: `host[:port][/namespace…]`.
    pub location: String,
    /// Plain HTTP or unverified TLS allowed.
    pub insecure: bool,
    /// Which pulls it serves.
    pub pull_from_mirror: PullFromMirror,
}

/// A `[[registry]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    /// The references it applies to: a `host[:port][/namespace…]` prefix,
    /// or `*.domain` for every subdomain.
    pub prefix: String,
    /// What the prefix is rewritten to (empty for a `*.domain` prefix:
    /// no rewriting).
    pub location: String,
    /// Plain HTTP or unverified TLS allowed.
    pub insecure: bool,
    /// No request may be sent for a matching reference.
    pub blocked: bool,
    /// Mirrors serve pulls by digest only (`mirror-by-digest-only`).
    pub mirror_by_digest_only: bool,
    /// The mirrors, tried in order before the location for pulls.
    pub mirrors: Vec<Mirror>,
}

/// How short names resolve when no alias matches (`short-name-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShortNameMode {
    /// `enforcing` (the default): an ambiguous name is an error without a
    /// terminal to ask on; we never prompt.
    #[default]
    Enforcing,
    /// `permissive`: the search registries are tried in order.
    Permissive,
    /// `disabled`: the search registries are tried in order.
    Disabled,
}

/// An alias and the file that defined it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// The fully qualified name, `registry/repository`.
    pub value: String,
    /// The file it came from.
    pub origin: PathBuf,
}

/// The merged registries.conf.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistriesConf {
    /// The registries, sorted by prefix.
    pub registries: Vec<Registry>,
    /// `unqualified-search-registries`.
    pub unqualified_search_registries: Vec<String>,
    /// `short-name-mode`.
    pub short_name_mode: ShortNameMode,
    /// `[aliases]`: short name to fully qualified name.
    pub aliases: BTreeMap<String, Alias>,
    /// `credential-helpers`, in order; empty means the auth files alone
    /// (`containers-auth.json`).
    pub credential_helpers: Vec<String>,
    /// The files read, in order.
    pub sources: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawFile {
    registries: Option<toml::Value>,
    unqualified_search_registries: Option<Vec<String>>,
    short_name_mode: Option<Spanned<String>>,
    #[serde(default)]
    registry: Vec<RawRegistry>,
    aliases: Option<BTreeMap<String, Spanned<String>>>,
    credential_helpers: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawRegistry {
    prefix: Option<Spanned<String>>,
    location: Option<Spanned<String>>,
    #[serde(default)]
    insecure: bool,
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    mirror_by_digest_only: bool,
    pull_from_mirror: Option<Spanned<String>>,
    #[serde(default)]
    mirror: Vec<RawMirror>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawMirror {
    location: Option<Spanned<String>>,
    #[serde(default)]
    insecure: bool,
    pull_from_mirror: Option<Spanned<String>>,
}

/// One file, parsed and checked.
#[derive(Default)]
struct Layer {
    registries: Vec<Registry>,
    unqualified_search_registries: Option<Vec<String>>,
    short_name_mode: Option<ShortNameMode>,
    aliases: BTreeMap<String, Alias>,
    credential_helpers: Option<Vec<String>>,
}

/// A location or prefix as containers/image `parseLocation`: no URL
/// scheme, no trailing `/`.
fn location(path: &Path, text: &str, value: &Spanned<String>) -> Result<String> {
    let raw = value.get_ref().trim();
    if raw.starts_with("http://") || raw.starts_with("https://") {
        return Err(malformed(
            path,
            text,
            &value.span(),
            format!("invalid location {raw:?}: URI schemes are not supported"),
        ));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

fn pull_from_mirror(
    path: &Path,
    text: &str,
    value: &Option<Spanned<String>>,
) -> Result<PullFromMirror> {
    let Some(value) = value else {
        return Ok(PullFromMirror::All);
    };
    match value.get_ref().as_str() {
        "" | "all" => Ok(PullFromMirror::All),
        "digest-only" => Ok(PullFromMirror::DigestOnly),
        "tag-only" => Ok(PullFromMirror::TagOnly),
        other => Err(malformed(
            path,
            text,
            &value.span(),
            format!("unsupported pull-from-mirror value {other:?} (all, digest-only, tag-only)"),
        )),
    }
}

/// Checks one `[[registry]]` as containers/image `postProcessRegistries`.
fn registry(path: &Path, text: &str, raw: &RawRegistry) -> Result<Registry> {
    let location_value = match &raw.location {
        Some(value) => location(path, text, value)?,
        None => String::new(),
    };
    let at = |span: Option<std::ops::Range<usize>>| span.unwrap_or(0..0);
    let prefix = match &raw.prefix {
        Some(value) if !value.get_ref().is_empty() => {
            let prefix = location(path, text, value)?;
            if !prefix.starts_with("*.") && location_value.is_empty() {
                return Err(malformed(
                    path,
                    text,
                    &value.span(),
                    "location is unset and prefix is not in the format *.example.com".into(),
                ));
            }
            if prefix.starts_with("*.") && !location_value.is_empty() {
                return Err(malformed(
                    path,
                    text,
                    &at(raw.location.as_ref().map(Spanned::span)),
                    format!("a location cannot be set for the wildcard prefix {prefix:?}"),
                ));
            }
            prefix
        }
        _ if location_value.is_empty() => {
            return Err(malformed(
                path,
                text,
                &at(raw.prefix.as_ref().map(Spanned::span)),
                "both location and prefix are unset".into(),
            ));
        }
        _ => location_value.clone(),
    };
    if let Some(value) = &raw.pull_from_mirror {
        return Err(malformed(
            path,
            text,
            &value.span(),
            format!("pull-from-mirror must not be set for a non-mirror registry {prefix:?}"),
        ));
    }
    let mut mirrors = Vec::with_capacity(raw.mirror.len());
    for mirror in &raw.mirror {
        let Some(value) = &mirror.location else {
            return Err(malformed(
                path,
                text,
                &at(mirror.pull_from_mirror.as_ref().map(Spanned::span)),
                format!("a mirror of {prefix:?} has no location"),
            ));
        };
        let mirror_location = location(path, text, value)?;
        if mirror_location.is_empty() {
            return Err(malformed(
                path,
                text,
                &value.span(),
                "mirror location is empty".into(),
            ));
        }
        if raw.mirror_by_digest_only
            && let Some(pull) = &mirror.pull_from_mirror
        {
            return Err(malformed(
                path,
                text,
                &pull.span(),
                format!(
                    "cannot set mirror-by-digest-only for {prefix:?} and pull-from-mirror for its mirror {mirror_location:?} at the same time"
                ),
            ));
        }
        mirrors.push(Mirror {
            location: mirror_location,
            insecure: mirror.insecure,
            pull_from_mirror: pull_from_mirror(path, text, &mirror.pull_from_mirror)?,
        });
    }
    Ok(Registry {
        prefix,
        location: location_value,
        insecure: raw.insecure,
        blocked: raw.blocked,
        mirror_by_digest_only: raw.mirror_by_digest_only,
        mirrors,
    })
}

fn short_name_mode(path: &Path, text: &str, value: &Spanned<String>) -> Result<ShortNameMode> {
    match value.get_ref().as_str() {
        "enforcing" => Ok(ShortNameMode::Enforcing),
        "permissive" => Ok(ShortNameMode::Permissive),
        "disabled" => Ok(ShortNameMode::Disabled),
        other => Err(malformed(
            path,
            text,
            &value.span(),
            format!("invalid short-name mode {other:?} (enforcing, permissive, disabled)"),
        )),
    }
}

/// Parses and checks one file (registries.conf, a drop-in or the
/// short-name alias file).
fn layer(path: &Path, text: &str) -> Result<Layer> {
    let raw: RawFile = parse(path, text)?;
    if raw.registries.is_some() {
        return Err(Error::Malformed {
            path: path.to_path_buf(),
            line: 0,
            key: "registries".into(),
            message: "the v1 format of registries.conf is not supported; use [[registry]] tables"
                .into(),
        });
    }
    let mut layer = Layer {
        unqualified_search_registries: raw.unqualified_search_registries,
        ..Layer::default()
    };
    if let Some(mode) = &raw.short_name_mode {
        layer.short_name_mode = Some(short_name_mode(path, text, mode)?);
    }
    for entry in &raw.registry {
        layer.registries.push(registry(path, text, entry)?);
    }
    if let Some(helpers) = raw.credential_helpers {
        layer.credential_helpers = Some(credential_helpers(path, text, helpers)?);
    }
    for (name, value) in raw.aliases.unwrap_or_default() {
        crate::names::check_alias(&name, value.get_ref())
            .map_err(|message| malformed(path, text, &value.span(), message))?;
        layer.aliases.insert(
            name,
            Alias {
                value: value.into_inner(),
                origin: path.to_path_buf(),
            },
        );
    }
    Ok(layer)
}

/// `credential-helpers`: `containers-auth.json` or the `<name>` of a
/// `docker-credential-<name>` program, each at most once
/// (containers/image refuses an empty name and keeps the first of a
/// repeated one; a name that is a path would run another program).
fn credential_helpers(
    path: &Path,
    text: &str,
    helpers: Vec<Spanned<String>>,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for helper in helpers {
        let name = helper.get_ref();
        if name.is_empty() || name.contains(['/', '\\']) || name.trim() != name {
            return Err(malformed(
                path,
                text,
                &helper.span(),
                format!("invalid credential helper {name:?}"),
            ));
        }
        if !names.contains(name) {
            names.push(helper.into_inner());
        }
    }
    Ok(names)
}

/// The `*.conf` files of `dir` in name order; none when it does not exist.
fn drop_ins(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Read {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "conf") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

impl RegistriesConf {
    /// Reads `main` (absent means empty), the drop-ins of `dirs` and then
    /// the short-name alias file `aliases` (whose aliases win over the
    /// configured ones, as containers/image's alias cache).
    pub fn load(main: &Path, dirs: &[PathBuf], aliases: Option<&Path>) -> Result<RegistriesConf> {
        let mut files = vec![main.to_path_buf()];
        for dir in dirs {
            files.extend(drop_ins(dir)?);
        }
        let mut layers = Vec::new();
        let mut sources = Vec::new();
        for file in &files {
            if let Some(text) = read_optional(file)? {
                layers.push(layer(file, &text)?);
                sources.push(file.clone());
            }
        }
        if let Some(path) = aliases
            && let Some(text) = read_optional(path)?
        {
            let alias_layer = layer(path, &text)?;
            layers.push(Layer {
                aliases: alias_layer.aliases,
                ..Layer::default()
            });
            sources.push(path.to_path_buf());
        }
        let mut merged = RegistriesConf::from_layers(layers);
        merged.sources = sources;
        Ok(merged)
    }

    /// Parses one registries.conf text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<RegistriesConf> {
        let mut merged = RegistriesConf::from_layers(vec![layer(path, text)?]);
        merged.sources = vec![path.to_path_buf()];
        Ok(merged)
    }

    fn from_layers(layers: Vec<Layer>) -> RegistriesConf {
        let mut by_prefix: BTreeMap<String, Registry> = BTreeMap::new();
        let mut conf = RegistriesConf::default();
        for layer in layers {
            for registry in layer.registries {
                by_prefix.insert(registry.prefix.clone(), registry);
            }
            if let Some(search) = layer.unqualified_search_registries {
                conf.unqualified_search_registries = search;
            }
            if let Some(mode) = layer.short_name_mode {
                conf.short_name_mode = mode;
            }
            conf.aliases.extend(layer.aliases);
            if let Some(helpers) = layer.credential_helpers {
                conf.credential_helpers = helpers;
            }
        }
        conf.registries = by_prefix.into_values().collect();
        conf
    }

    /// The registry whose prefix is the longest match of `name` (a
    /// `host[:port]/repository[:tag|@digest]` string, or a host alone);
    /// the first of equal length wins (containers/image `FindRegistry`).
    pub fn find(&self, name: &str) -> Option<&Registry> {
        let mut best: Option<(&Registry, usize)> = None;
        for registry in &self.registries {
            if let Some(len) = matching_prefix(name, &registry.prefix)
                && best.is_none_or(|(_, longest)| len > longest)
            {
                best = Some((registry, len));
            }
        }
        best.map(|(registry, _)| registry)
    }
}

/// The length of `prefix` within `name` when it matches
/// (containers/image `refMatchingPrefix`): equal, or followed by `/`,
/// `:` or `@`; a `*.domain` prefix matches any subdomain of the host.
pub(crate) fn matching_prefix(name: &str, prefix: &str) -> Option<usize> {
    if let Some(domain) = prefix.strip_prefix('*') {
        // `domain` keeps its leading `.`.
        let index = name.find(domain)?;
        if name[..index].contains('/') {
            return None;
        }
        let end = index + domain.len();
        return match name.as_bytes().get(end) {
            None | Some(b':' | b'/' | b'@') => Some(end),
            _ => None,
        };
    }
    if !name.starts_with(prefix) {
        return None;
    }
    match name.as_bytes().get(prefix.len()) {
        None | Some(b':' | b'/' | b'@') => Some(prefix.len()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Result<RegistriesConf> {
        RegistriesConf::parse(Path::new("/r.conf"), text)
    }

    #[test]
    fn registries_mirrors_and_defaults() {
        let c = conf(
            r#"
unqualified-search-registries = ["example.com"]
short-name-mode = "permissive"

[[registry]]
prefix = "example.com/foo"
location = "internal.example.com/bar/"
insecure = true

[[registry.mirror]]
location = "mirror-1.example.com"
pull-from-mirror = "digest-only"

[[registry.mirror]]
location = "mirror-2.example.com"
insecure = true

[[registry]]
location = "blocked.example.com"
blocked = true
"#,
        )
        .unwrap();
        assert_eq!(c.unqualified_search_registries, vec!["example.com"]);
        assert_eq!(c.short_name_mode, ShortNameMode::Permissive);
        let blocked = &c.registries[0];
        assert_eq!(blocked.prefix, "blocked.example.com");
        assert!(blocked.blocked);
        let foo = &c.registries[1];
        assert_eq!(foo.location, "internal.example.com/bar");
        assert!(foo.insecure);
        assert_eq!(foo.mirrors[0].pull_from_mirror, PullFromMirror::DigestOnly);
        assert_eq!(foo.mirrors[1].pull_from_mirror, PullFromMirror::All);
        assert!(foo.mirrors[1].insecure);
    }

    #[test]
    fn prefix_matching_as_containers_image() {
        assert_eq!(matching_prefix("example.com/foo", "example.com"), Some(11));
        assert_eq!(
            matching_prefix("example.com:5000/foo", "example.com"),
            Some(11)
        );
        assert_eq!(
            matching_prefix("example.com@sha256:x", "example.com"),
            Some(11)
        );
        assert_eq!(matching_prefix("example.comx/foo", "example.com"), None);
        assert_eq!(
            matching_prefix("example.com/foobar", "example.com/foo"),
            None
        );
        assert_eq!(
            matching_prefix("example.com/foo:v1", "example.com/foo"),
            Some(15)
        );
        assert_eq!(
            matching_prefix("a.example.com/foo", "*.example.com"),
            Some(13)
        );
        assert_eq!(
            matching_prefix("a.b.example.com", "*.example.com"),
            Some(15)
        );
        assert_eq!(matching_prefix("example.com/foo", "*.example.com"), None);
        assert_eq!(
            matching_prefix("x.com/a.example.com", "*.example.com"),
            None
        );
    }

    #[test]
    fn the_longest_prefix_wins() {
        let c = conf(
            r#"
[[registry]]
location = "example.com"
[[registry]]
prefix = "example.com/foo"
location = "other.com/foo"
[[registry]]
prefix = "*.example.com"
blocked = true
"#,
        )
        .unwrap();
        assert_eq!(
            c.find("example.com/foo/bar:v1").unwrap().location,
            "other.com/foo"
        );
        assert_eq!(c.find("example.com/fo:v1").unwrap().location, "example.com");
        assert!(c.find("a.example.com/x").unwrap().blocked);
        assert!(c.find("example.org/x").is_none());
    }

    #[test]
    fn credential_helpers_in_order_the_last_file_setting_them_wins() {
        let c =
            conf("credential-helpers = [\"pass\", \"containers-auth.json\", \"pass\"]\n").unwrap();
        assert_eq!(c.credential_helpers, ["pass", "containers-auth.json"]);
        assert!(conf("").unwrap().credential_helpers.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("registries.conf");
        std::fs::write(&main, "credential-helpers = [\"pass\"]\n").unwrap();
        let drop_in = dir.path().join("d");
        std::fs::create_dir_all(&drop_in).unwrap();
        std::fs::write(
            drop_in.join("1.conf"),
            "credential-helpers = [\"secretservice\"]\n",
        )
        .unwrap();
        std::fs::write(
            drop_in.join("2.conf"),
            "unqualified-search-registries = []\n",
        )
        .unwrap();
        let merged = RegistriesConf::load(&main, &[drop_in], None).unwrap();
        assert_eq!(merged.credential_helpers, ["secretservice"]);
    }

    #[test]
    fn malformed_entries_name_line_and_key() {
        let cases = [
            (
                "[[registry]]\nlocation = \"https://a\"\n",
                2,
                "registry.location",
                "URI schemes",
            ),
            (
                "[[registry]]\ninsecure = true\n",
                0,
                "",
                "both location and prefix are unset",
            ),
            (
                "[[registry]]\nlocation = \"a\"\n[[registry.mirror]]\nlocation = \"m\"\npull-from-mirror = \"some\"\n",
                5,
                "registry.mirror.pull-from-mirror",
                "unsupported pull-from-mirror",
            ),
            (
                "[[registry]]\nlocation = \"a\"\npull-from-mirror = \"all\"\n",
                3,
                "registry.pull-from-mirror",
                "non-mirror",
            ),
            (
                "[[registry]]\nlocation = \"a\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m\"\npull-from-mirror = \"all\"\n",
                6,
                "registry.mirror.pull-from-mirror",
                "at the same time",
            ),
            (
                "[[registry]]\nprefix = \"a.com\"\n",
                2,
                "registry.prefix",
                "location is unset",
            ),
            (
                "short-name-mode = \"lax\"\n",
                1,
                "short-name-mode",
                "invalid short-name mode",
            ),
            ("[aliases]\n\"x\" = \"y\"\n", 2, "aliases.x", "registry"),
            (
                "\ncredential-helpers = [\"containers-auth.json\", \"../evil\"]\n",
                2,
                "credential-helpers",
                "invalid credential helper",
            ),
            (
                "credential-helpers = \"pass\"\n",
                1,
                "credential-helpers",
                "",
            ),
            (
                "[registries.search]\nregistries = []\n",
                0,
                "registries",
                "v1 format",
            ),
        ];
        for (text, line, key, message) in cases {
            match conf(text) {
                Err(Error::Malformed {
                    line: l,
                    key: k,
                    message: m,
                    ..
                }) => {
                    assert!(m.contains(message), "{text}: {m}");
                    if line != 0 {
                        assert_eq!((l, k.as_str()), (line, key), "{text}");
                    }
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn drop_ins_merge_in_order_and_a_bad_one_fails_all() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("registries.conf");
        let d = dir.path().join("registries.conf.d");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(
            &main,
            "unqualified-search-registries = [\"a.com\"]\n[[registry]]\nlocation = \"x.com\"\ninsecure = true\n[aliases]\n\"app\" = \"a.com/app\"\n",
        )
        .unwrap();
        std::fs::write(
            d.join("20-b.conf"),
            "[[registry]]\nlocation = \"x.com\"\nblocked = true\n[aliases]\n\"app\" = \"b.com/app\"\n",
        )
        .unwrap();
        std::fs::write(
            d.join("10-a.conf"),
            "unqualified-search-registries = [\"c.com\"]\n",
        )
        .unwrap();
        std::fs::write(d.join("ignored.txt"), "not toml [").unwrap();
        let c = RegistriesConf::load(&main, std::slice::from_ref(&d), None).unwrap();
        assert_eq!(c.unqualified_search_registries, vec!["c.com"]);
        let x = c.find("x.com/r").unwrap();
        assert!(
            x.blocked && !x.insecure,
            "the later table replaces the earlier"
        );
        assert_eq!(c.aliases["app"].value, "b.com/app");
        assert_eq!(c.sources.len(), 3);
        std::fs::write(d.join("30-bad.conf"), "[[registry]]\nlocation = 1\n").unwrap();
        let err = RegistriesConf::load(&main, std::slice::from_ref(&d), None).unwrap_err();
        assert!(err.to_string().contains("30-bad.conf:2"), "{err}");
    }
}
