//! The Go registry clients the benchmark compares with: the Go `oras`
//! (built by [`go_oras`]), `crane` (go-containerregistry) and `regctl`
//! (regclient). Each lives at
//! `<target>/reference-tools/<name>-<version>/bin/<name>`; crane and
//! regctl are built there with `go install <module>@v<version>` by the
//! test kit's Go build (the same environment, lock and time bound as the
//! other reference tools).

use std::ffi::OsString;
use std::path::PathBuf;

use super::install::{GO_ORAS_VERSION, go_oras, tools_dir};
use crate::real::Result;
use crate::real::go_tool::{GoBuild, is_executable};

/// One Go client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoClient {
    /// The Go `oras` CLI (`oras.land/oras/cmd/oras`).
    Oras,
    /// `crane` (`github.com/google/go-containerregistry/cmd/crane`).
    Crane,
    /// `regctl` (`github.com/regclient/regclient/cmd/regctl`).
    Regctl,
}

impl GoClient {
    /// Every client.
    pub const ALL: [GoClient; 3] = [GoClient::Oras, GoClient::Crane, GoClient::Regctl];

    /// The binary's name.
    pub fn name(self) -> &'static str {
        match self {
            GoClient::Oras => "oras",
            GoClient::Crane => "crane",
            GoClient::Regctl => "regctl",
        }
    }

    /// The module path `go install` builds.
    pub fn module(self) -> &'static str {
        match self {
            GoClient::Oras => "oras.land/oras/cmd/oras",
            GoClient::Crane => "github.com/google/go-containerregistry/cmd/crane",
            GoClient::Regctl => "github.com/regclient/regclient/cmd/regctl",
        }
    }

    /// The version built: the newest the Go module proxy served when it
    /// was chosen.
    pub fn version(self) -> &'static str {
        match self {
            GoClient::Oras => GO_ORAS_VERSION,
            GoClient::Crane => "0.22.1",
            GoClient::Regctl => "0.11.7",
        }
    }

    /// Where the built binary lives.
    ///
    /// # Errors
    /// No workspace target directory was found.
    pub fn path(self) -> Result<PathBuf> {
        Ok(tools_dir()?
            .join(format!("{}-{}", self.name(), self.version()))
            .join("bin")
            .join(self.name()))
    }

    /// The binary when an earlier build left it in place (no build).
    pub fn installed(self) -> Option<PathBuf> {
        self.path().ok().filter(|path| is_executable(path))
    }

    /// The binary, built first when missing (minutes: downloads and
    /// compiles the module).
    ///
    /// # Errors
    /// Go is missing or the build failed (with its output tail).
    pub fn install(self) -> Result<PathBuf> {
        if self == GoClient::Oras {
            return go_oras();
        }
        let output = self.path()?;
        GoBuild {
            name: self.name(),
            script: "GOBIN=\"$(dirname \"$1\")\" \"$2\" install \"$3\"",
            args: vec![OsString::from(format!(
                "{}@v{}",
                self.module(),
                self.version()
            ))],
            output,
            goflags: "-mod=mod",
        }
        .run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_has_its_own_directory_under_the_tools() {
        let tools = tools_dir().unwrap();
        for client in GoClient::ALL {
            let path = client.path().unwrap();
            assert!(path.starts_with(&tools), "{}", path.display());
            assert!(path.ends_with(format!("bin/{}", client.name())));
            assert!(client.module().ends_with(client.name()));
        }
        assert_eq!(
            GoClient::Oras.path().unwrap(),
            tools.join(format!("oras-{GO_ORAS_VERSION}/bin/oras"))
        );
    }
}
