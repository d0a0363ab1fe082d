//! The workloads, the tools that run each, their sizes, and
//! the targets our `oras` is held to on each (reported, never asserted).

use super::targets::Target;

/// One measured task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum WorkloadId {
    /// `oras version`: start-up time.
    Version,
    /// Push one large file (1 GiB; 64 MiB with `--quick`).
    PushLarge,
    /// Pull that file.
    PullLarge,
    /// Push many small files (1,000 × 4 KiB).
    PushSmall,
    /// Pull them.
    PullSmall,
    /// Push a directory of 2,000 files (packed as tar+gzip).
    PushDir,
    /// Pull and unpack it.
    PullDir,
    /// Copy 10 × 100 MiB layers between two repositories of one registry
    /// (cross-repository mount possible).
    CopyMount,
    /// The same copy to another registry (no mount possible).
    CopyNoMount,
    /// Copy registry → OCI image layout.
    CopyToLayout,
    /// Copy OCI image layout → registry.
    CopyFromLayout,
    /// Push one 10 GiB file (`--long`).
    PushHuge,
    /// Pull it (`--long`).
    PullHuge,
}

/// The programs compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Tool {
    /// Our `oras` CLI (release build).
    Oras,
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
    /// The name in tables and JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Oras => "oras (ours)",
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
            Tool::OrasPy => "oras-py",
            Tool::Skopeo => "skopeo",
            Tool::Openssl => "openssl",
            Tool::Curl => "curl",
        }
    }

    /// True for the other clients we compare with.
    pub(crate) fn is_peer(self) -> bool {
        matches!(self, Tool::OrasPy | Tool::Skopeo)
    }
}

/// Sizes of the generated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// The single large file.
    pub(crate) large: u64,
    /// The `--long` file.
    pub(crate) huge: u64,
    /// Number of small files.
    pub(crate) small_count: usize,
    /// Size of each small file.
    pub(crate) small_size: u64,
    /// Number of files in the directory.
    pub(crate) dir_count: usize,
    /// Size of each file in the directory.
    pub(crate) dir_file_size: u64,
    /// Layers of the copied artifact.
    pub(crate) layer_count: usize,
    /// Size of each layer.
    pub(crate) layer_size: u64,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

impl Sizes {
    /// The sizes the issue names.
    pub(crate) fn full() -> Sizes {
        Sizes {
            large: GIB,
            huge: 10 * GIB,
            small_count: 1000,
            small_size: 4 * KIB,
            dir_count: 2000,
            dir_file_size: 4 * KIB,
            layer_count: 10,
            layer_size: 100 * MIB,
        }
    }

    /// Smaller sizes for `--quick`.
    pub(crate) fn quick() -> Sizes {
        Sizes {
            large: 64 * MIB,
            huge: 10 * GIB,
            small_count: 100,
            small_size: 4 * KIB,
            dir_count: 200,
            dir_file_size: 4 * KIB,
            layer_count: 10,
            layer_size: 4 * MIB,
        }
    }
}

/// `1 GiB`, `64 MiB`, `4 KiB`, `123 B`.
pub(crate) fn human_bytes(n: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    if n >= MIB {
        return format!("{:.1} MiB", n as f64 / MIB as f64);
    }
    format!("{n} B")
}

impl WorkloadId {
    /// Every workload, in table order.
    pub(crate) const ALL: [WorkloadId; 13] = [
        WorkloadId::Version,
        WorkloadId::PushLarge,
        WorkloadId::PullLarge,
        WorkloadId::PushSmall,
        WorkloadId::PullSmall,
        WorkloadId::PushDir,
        WorkloadId::PullDir,
        WorkloadId::CopyMount,
        WorkloadId::CopyNoMount,
        WorkloadId::CopyToLayout,
        WorkloadId::CopyFromLayout,
        WorkloadId::PushHuge,
        WorkloadId::PullHuge,
    ];

    /// The name used by `--only` and in JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            WorkloadId::Version => "version",
            WorkloadId::PushLarge => "push-large",
            WorkloadId::PullLarge => "pull-large",
            WorkloadId::PushSmall => "push-small",
            WorkloadId::PullSmall => "pull-small",
            WorkloadId::PushDir => "push-dir",
            WorkloadId::PullDir => "pull-dir",
            WorkloadId::CopyMount => "copy-mount",
            WorkloadId::CopyNoMount => "copy-no-mount",
            WorkloadId::CopyToLayout => "copy-to-layout",
            WorkloadId::CopyFromLayout => "copy-from-layout",
            WorkloadId::PushHuge => "push-huge",
            WorkloadId::PullHuge => "pull-huge",
        }
    }

    /// Every `--only` name.
    pub(crate) fn names() -> Vec<&'static str> {
        WorkloadId::ALL.iter().map(|id| id.name()).collect()
    }

    /// The workload called `name`.
    pub(crate) fn from_name(name: &str) -> Option<WorkloadId> {
        WorkloadId::ALL.iter().copied().find(|id| id.name() == name)
    }

    /// True for the `--long` workloads.
    pub(crate) fn is_long(self) -> bool {
        matches!(self, WorkloadId::PushHuge | WorkloadId::PullHuge)
    }

    /// What it does, with its sizes.
    pub(crate) fn describe(self, sizes: &Sizes) -> String {
        let layers = format!(
            "{} × {} layers",
            sizes.layer_count,
            human_bytes(sizes.layer_size)
        );
        match self {
            WorkloadId::Version => "oras version (start-up)".to_owned(),
            WorkloadId::PushLarge => format!("push 1 file of {}", human_bytes(sizes.large)),
            WorkloadId::PullLarge => format!("pull 1 file of {}", human_bytes(sizes.large)),
            WorkloadId::PushSmall => format!(
                "push {} files of {}",
                sizes.small_count,
                human_bytes(sizes.small_size)
            ),
            WorkloadId::PullSmall => format!(
                "pull {} files of {}",
                sizes.small_count,
                human_bytes(sizes.small_size)
            ),
            WorkloadId::PushDir => format!(
                "push a directory of {} files of {} (tar+gzip)",
                sizes.dir_count,
                human_bytes(sizes.dir_file_size)
            ),
            WorkloadId::PullDir => {
                format!("pull and unpack a directory of {} files", sizes.dir_count)
            }
            WorkloadId::CopyMount => format!("copy {layers} between repositories (mount)"),
            WorkloadId::CopyNoMount => {
                format!("copy {layers} to another registry (no mount)")
            }
            WorkloadId::CopyToLayout => format!("copy {layers} registry → OCI layout"),
            WorkloadId::CopyFromLayout => format!("copy {layers} OCI layout → registry"),
            WorkloadId::PushHuge => format!("push 1 file of {}", human_bytes(sizes.huge)),
            WorkloadId::PullHuge => format!("pull 1 file of {}", human_bytes(sizes.huge)),
        }
    }

    /// Payload bytes moved by one run (for throughput), if meaningful.
    pub(crate) fn payload_bytes(self, sizes: &Sizes) -> Option<u64> {
        match self {
            WorkloadId::Version => None,
            WorkloadId::PushLarge | WorkloadId::PullLarge => Some(sizes.large),
            WorkloadId::PushHuge | WorkloadId::PullHuge => Some(sizes.huge),
            WorkloadId::PushSmall | WorkloadId::PullSmall => {
                Some(sizes.small_count as u64 * sizes.small_size)
            }
            WorkloadId::PushDir | WorkloadId::PullDir => {
                Some(sizes.dir_count as u64 * sizes.dir_file_size)
            }
            WorkloadId::CopyMount
            | WorkloadId::CopyNoMount
            | WorkloadId::CopyToLayout
            | WorkloadId::CopyFromLayout => Some(sizes.layer_count as u64 * sizes.layer_size),
        }
    }

    /// The rows of this workload, in order: ours, the peers, the references.
    pub(crate) fn tools(self) -> &'static [Tool] {
        match self {
            WorkloadId::Version => &[Tool::Oras],
            WorkloadId::PushLarge
            | WorkloadId::PullLarge
            | WorkloadId::PushHuge
            | WorkloadId::PullHuge => &[
                Tool::Oras,
                Tool::OrasPy,
                Tool::Skopeo,
                Tool::Openssl,
                Tool::Curl,
            ],
            WorkloadId::PullSmall => &[Tool::Oras, Tool::OrasPy, Tool::Skopeo, Tool::Curl],
            _ => &[Tool::Oras, Tool::OrasPy, Tool::Skopeo],
        }
    }

    /// The targets that apply to our row.
    pub(crate) fn targets(self) -> Vec<Target> {
        const RSS_LIMIT_MIB: f64 = 64.0;
        match self {
            WorkloadId::Version => vec![Target::WallBelow { seconds: 0.010 }],
            WorkloadId::PushLarge | WorkloadId::PushHuge => vec![
                Target::RssBelow { mib: RSS_LIMIT_MIB },
                Target::CpuVsOpenssl { at_most: 1.5 },
                Target::WallVsCurl { at_most: 1.15 },
                Target::FasterThanPeers { factor: 1.0 },
            ],
            WorkloadId::PullLarge | WorkloadId::PullHuge => vec![
                Target::RssBelow { mib: RSS_LIMIT_MIB },
                Target::CpuVsOpenssl { at_most: 1.5 },
                Target::WallVsCurl { at_most: 1.2 },
                Target::FasterThanPeers { factor: 1.0 },
            ],
            WorkloadId::PushSmall
            | WorkloadId::PullSmall
            | WorkloadId::PushDir
            | WorkloadId::PullDir => {
                vec![Target::FasterThanPeers { factor: 2.0 }]
            }
            WorkloadId::CopyMount
            | WorkloadId::CopyNoMount
            | WorkloadId::CopyToLayout
            | WorkloadId::CopyFromLayout => vec![
                Target::RssBelow { mib: RSS_LIMIT_MIB },
                Target::FasterThanPeers { factor: 1.0 },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for id in WorkloadId::ALL {
            assert_eq!(WorkloadId::from_name(id.name()), Some(id));
        }
        let mut names = WorkloadId::names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WorkloadId::ALL.len());
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(100 << 20), "100 MiB");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(1_500_000), "1.4 MiB");
        assert_eq!(human_bytes(12), "12 B");
        let full = Sizes::full();
        assert_eq!(
            WorkloadId::PushLarge.describe(&full),
            "push 1 file of 1 GiB"
        );
        assert_eq!(
            WorkloadId::CopyMount.payload_bytes(&full),
            Some(10 * 100 * MIB)
        );
    }

    #[test]
    fn ours_comes_first_and_references_only_for_single_blobs() {
        for id in WorkloadId::ALL {
            assert_eq!(id.tools()[0], Tool::Oras);
            let has_openssl = id.tools().contains(&Tool::Openssl);
            let has_curl = id.tools().contains(&Tool::Curl);
            let single_blob = matches!(
                id,
                WorkloadId::PushLarge
                    | WorkloadId::PullLarge
                    | WorkloadId::PushHuge
                    | WorkloadId::PullHuge
            );
            assert_eq!(has_openssl, single_blob, "{id:?}");
            // curl is also the registry's ceiling for many small pulls.
            assert_eq!(
                has_curl,
                single_blob || id == WorkloadId::PullSmall,
                "{id:?}"
            );
            assert!(!id.targets().is_empty());
        }
    }
}
