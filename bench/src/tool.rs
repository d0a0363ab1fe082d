//! The programs compared: our `oras`, the peers and the references.

/// One program in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Tool {
    /// Our `oras` CLI (release build).
    Oras,
    /// The Go `oras` CLI (`oras.land/oras`), the one users would otherwise
    /// pick, driven with the same command lines as ours.
    GoOras,
    /// `crane` (`github.com/google/go-containerregistry`), copying between
    /// OCI layouts and registries.
    Crane,
    /// `regctl` (`github.com/regclient/regclient`), `image copy` between
    /// OCI layouts and registries.
    Regctl,
    /// oras-py (PyPI `oras`) through `oras_py.py`.
    OrasPy,
    /// skopeo (Debian `skopeo`), copying between OCI layouts and registries.
    Skopeo,
    /// `openssl dgst -sha256` of the same bytes: the hashing floor.
    Openssl,
    /// `curl -T` / `curl -o` of the blob: the registry's own ceiling.
    Curl,
}

impl Tool {
    /// Every tool, with the word `--tools` names it by.
    pub(crate) const KEYS: [(&'static str, Tool); 8] = [
        ("ours", Tool::Oras),
        ("go", Tool::GoOras),
        ("crane", Tool::Crane),
        ("regctl", Tool::Regctl),
        ("oras-py", Tool::OrasPy),
        ("skopeo", Tool::Skopeo),
        ("openssl", Tool::Openssl),
        ("curl", Tool::Curl),
    ];

    /// The tool `--tools` calls `key`.
    pub(crate) fn from_key(key: &str) -> Option<Tool> {
        Tool::KEYS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
    }

    /// The name in tables and JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Oras => "oras (ours)",
            Tool::GoOras => "oras (Go)",
            Tool::Crane => "crane",
            Tool::Regctl => "regctl",
            Tool::OrasPy => "oras-py",
            Tool::Skopeo => "skopeo",
            Tool::Openssl => "openssl dgst",
            Tool::Curl => "curl",
        }
    }

    /// A name usable in a repository path.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Tool::Oras => "oras",
            Tool::GoOras => "oras-go",
            Tool::Crane => "crane",
            Tool::Regctl => "regctl",
            Tool::OrasPy => "oras-py",
            Tool::Skopeo => "skopeo",
            Tool::Openssl => "openssl",
            Tool::Curl => "curl",
        }
    }

    /// True for the other clients we compare with.
    pub(crate) fn is_peer(self) -> bool {
        matches!(
            self,
            Tool::GoOras | Tool::Crane | Tool::Regctl | Tool::OrasPy | Tool::Skopeo
        )
    }
}
