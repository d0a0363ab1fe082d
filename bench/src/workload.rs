//! The workloads as a table ([`WORKLOADS`]): what each does, the data it
//! reads, the tools that run it, and the targets our `oras` is held to on
//! it (reported, never asserted); and the sizes of the generated data.

use super::network::Network;
use super::targets::Target;
use super::tool::Tool;

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
    /// Pull the large file from a registry whose blob GETs answer 307 to
    /// a second server (a CDN).
    PullRedirect,
    /// Push 10,000 files of 4 KiB (`--long`).
    PushMany,
    /// Pull them (`--long`).
    PullMany,
    /// Push one 4 GiB file (`--long`).
    PushBig,
    /// Pull it (`--long`).
    PullBig,
    /// Push one 10 GiB file (`--long`).
    PushHuge,
    /// Pull it (`--long`).
    PullHuge,
}

/// Sizes of the generated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// The single large file.
    pub(crate) large: u64,
    /// The 4 GiB file (`--long`).
    pub(crate) big: u64,
    /// The 10 GiB file (`--long`).
    pub(crate) huge: u64,
    /// Number of small files.
    pub(crate) small_count: usize,
    /// Size of each small file.
    pub(crate) small_size: u64,
    /// Number of files of the many-files workloads.
    pub(crate) many_count: usize,
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
            big: 4 * GIB,
            huge: 10 * GIB,
            small_count: 1000,
            small_size: 4 * KIB,
            many_count: 10_000,
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
            big: 256 * MIB,
            huge: 10 * GIB,
            small_count: 100,
            small_size: 4 * KIB,
            many_count: 1000,
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

/// What a workload does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// `oras version`.
    Version,
    /// Push the data set to a new repository.
    Push,
    /// Pull the seeded artifact into an empty directory.
    Pull,
    /// Copy the seeded artifact.
    Copy(Route),
}

/// Where a copy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// To another repository of the same registry (mount possible).
    SameRegistry,
    /// To another registry (no mount possible).
    OtherRegistry,
    /// From the registry into an OCI image layout.
    ToLayout,
    /// From an OCI image layout into the registry.
    FromLayout,
}

/// The generated input a workload reads (and the seeded artifact made of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum DataKind {
    /// One file of `sizes.large`.
    Large,
    /// One file of `sizes.big` (`--long`).
    Big,
    /// One file of `sizes.huge` (`--long`).
    Huge,
    /// `sizes.small_count` files of `sizes.small_size`.
    Small,
    /// `sizes.many_count` files of `sizes.small_size`.
    Many,
    /// A directory of `sizes.dir_count` files, pushed as one tar+gzip layer.
    Dir,
    /// `sizes.layer_count` layers of `sizes.layer_size`.
    Layers,
}

impl DataKind {
    /// Bytes of the set under `sizes`.
    pub(crate) fn bytes(self, sizes: &Sizes) -> u64 {
        match self {
            DataKind::Large => sizes.large,
            DataKind::Big => sizes.big,
            DataKind::Huge => sizes.huge,
            DataKind::Small => sizes.small_count as u64 * sizes.small_size,
            DataKind::Many => sizes.many_count as u64 * sizes.small_size,
            DataKind::Dir => sizes.dir_count as u64 * sizes.dir_file_size,
            DataKind::Layers => sizes.layer_count as u64 * sizes.layer_size,
        }
    }

    /// The set as a description reads it, e.g. `1 file of 1 GiB`.
    fn describe(self, sizes: &Sizes) -> String {
        match self {
            DataKind::Large => format!("1 file of {}", human_bytes(sizes.large)),
            DataKind::Big => format!("1 file of {}", human_bytes(sizes.big)),
            DataKind::Huge => format!("1 file of {}", human_bytes(sizes.huge)),
            DataKind::Small => format!(
                "{} files of {}",
                sizes.small_count,
                human_bytes(sizes.small_size)
            ),
            DataKind::Many => format!(
                "{} files of {}",
                sizes.many_count,
                human_bytes(sizes.small_size)
            ),
            DataKind::Dir => format!(
                "a directory of {} files of {} (tar+gzip)",
                sizes.dir_count,
                human_bytes(sizes.dir_file_size)
            ),
            DataKind::Layers => format!(
                "{} × {} layers",
                sizes.layer_count,
                human_bytes(sizes.layer_size)
            ),
        }
    }
}

/// One row of [`WORKLOADS`]: everything the harness knows about a workload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    /// Its id.
    pub(crate) id: WorkloadId,
    /// The name used by `--only` and in JSON.
    pub(crate) name: &'static str,
    /// What it does.
    pub(crate) action: Action,
    /// The input it reads; `None` for `version`.
    pub(crate) data: Option<DataKind>,
    /// Only with `--long`.
    pub(crate) long: bool,
    /// The rows, in order: ours, the peers, the references.
    pub(crate) tools: &'static [Tool],
    /// The targets that apply to our row.
    pub(crate) targets: &'static [Target],
}

/// Peak RSS our `oras` is held under on the streaming workloads.
const RSS_LIMIT_MIB: f64 = 64.0;
/// Ours, the peers, and both references (single-blob workloads).
const ALL_TOOLS: &[Tool] = &[
    Tool::Oras,
    Tool::GoOras,
    Tool::Crane,
    Tool::Regctl,
    Tool::OrasPy,
    Tool::Skopeo,
    Tool::Openssl,
    Tool::Curl,
];
/// Ours and the peers.
const CLIENTS: &[Tool] = &[
    Tool::Oras,
    Tool::GoOras,
    Tool::Crane,
    Tool::Regctl,
    Tool::OrasPy,
    Tool::Skopeo,
];
/// Ours, the peers, and curl as the registry's ceiling for many small GETs.
const CLIENTS_AND_CURL: &[Tool] = &[
    Tool::Oras,
    Tool::GoOras,
    Tool::Crane,
    Tool::Regctl,
    Tool::OrasPy,
    Tool::Skopeo,
    Tool::Curl,
];
const PUSH_ONE_FILE: &[Target] = &[
    Target::RssBelow { mib: RSS_LIMIT_MIB },
    Target::CpuVsOpenssl { at_most: 1.5 },
    Target::WallVsCurl { at_most: 1.15 },
    Target::FasterThanPeers { factor: 1.0 },
];
const PULL_ONE_FILE: &[Target] = &[
    Target::RssBelow { mib: RSS_LIMIT_MIB },
    Target::CpuVsOpenssl { at_most: 1.5 },
    Target::WallVsCurl { at_most: 1.2 },
    Target::FasterThanPeers { factor: 1.0 },
];
const MANY_FILES: &[Target] = &[Target::FasterThanPeers { factor: 2.0 }];
const COPY: &[Target] = &[
    Target::RssBelow { mib: RSS_LIMIT_MIB },
    Target::FasterThanPeers { factor: 1.0 },
];

/// Every workload, in table order.
pub(crate) const WORKLOADS: [Workload; 18] = [
    Workload {
        id: WorkloadId::Version,
        name: "version",
        action: Action::Version,
        data: None,
        long: false,
        tools: &[Tool::Oras, Tool::GoOras],
        targets: &[Target::WallBelow { seconds: 0.010 }],
    },
    Workload {
        id: WorkloadId::PushLarge,
        name: "push-large",
        action: Action::Push,
        data: Some(DataKind::Large),
        long: false,
        tools: ALL_TOOLS,
        targets: PUSH_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PullLarge,
        name: "pull-large",
        action: Action::Pull,
        data: Some(DataKind::Large),
        long: false,
        tools: ALL_TOOLS,
        targets: PULL_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PushSmall,
        name: "push-small",
        action: Action::Push,
        data: Some(DataKind::Small),
        long: false,
        tools: CLIENTS,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::PullSmall,
        name: "pull-small",
        action: Action::Pull,
        data: Some(DataKind::Small),
        long: false,
        tools: CLIENTS_AND_CURL,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::PushDir,
        name: "push-dir",
        action: Action::Push,
        data: Some(DataKind::Dir),
        long: false,
        tools: CLIENTS,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::PullDir,
        name: "pull-dir",
        action: Action::Pull,
        data: Some(DataKind::Dir),
        long: false,
        tools: CLIENTS,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::CopyMount,
        name: "copy-mount",
        action: Action::Copy(Route::SameRegistry),
        data: Some(DataKind::Layers),
        long: false,
        tools: CLIENTS,
        targets: COPY,
    },
    Workload {
        id: WorkloadId::CopyNoMount,
        name: "copy-no-mount",
        action: Action::Copy(Route::OtherRegistry),
        data: Some(DataKind::Layers),
        long: false,
        tools: CLIENTS,
        targets: COPY,
    },
    Workload {
        id: WorkloadId::CopyToLayout,
        name: "copy-to-layout",
        action: Action::Copy(Route::ToLayout),
        data: Some(DataKind::Layers),
        long: false,
        tools: CLIENTS,
        targets: COPY,
    },
    Workload {
        id: WorkloadId::CopyFromLayout,
        name: "copy-from-layout",
        action: Action::Copy(Route::FromLayout),
        data: Some(DataKind::Layers),
        long: false,
        tools: CLIENTS,
        targets: COPY,
    },
    Workload {
        id: WorkloadId::PullRedirect,
        name: "pull-redirect",
        action: Action::Pull,
        data: Some(DataKind::Large),
        long: false,
        tools: ALL_TOOLS,
        targets: PULL_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PushMany,
        name: "push-many",
        action: Action::Push,
        data: Some(DataKind::Many),
        long: true,
        tools: CLIENTS,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::PullMany,
        name: "pull-many",
        action: Action::Pull,
        data: Some(DataKind::Many),
        long: true,
        tools: CLIENTS,
        targets: MANY_FILES,
    },
    Workload {
        id: WorkloadId::PushBig,
        name: "push-4g",
        action: Action::Push,
        data: Some(DataKind::Big),
        long: true,
        tools: ALL_TOOLS,
        targets: PUSH_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PullBig,
        name: "pull-4g",
        action: Action::Pull,
        data: Some(DataKind::Big),
        long: true,
        tools: ALL_TOOLS,
        targets: PULL_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PushHuge,
        name: "push-huge",
        action: Action::Push,
        data: Some(DataKind::Huge),
        long: true,
        tools: ALL_TOOLS,
        targets: PUSH_ONE_FILE,
    },
    Workload {
        id: WorkloadId::PullHuge,
        name: "pull-huge",
        action: Action::Pull,
        data: Some(DataKind::Huge),
        long: true,
        tools: ALL_TOOLS,
        targets: PULL_ONE_FILE,
    },
];

impl WorkloadId {
    /// Every workload, in table order.
    pub(crate) const ALL: [WorkloadId; 18] = {
        let mut all = [WorkloadId::Version; 18];
        let mut i = 0;
        while i < WORKLOADS.len() {
            all[i] = WORKLOADS[i].id;
            i += 1;
        }
        all
    };

    /// Its row of [`WORKLOADS`].
    pub(crate) fn spec(self) -> &'static Workload {
        // The table holds the ids in declaration order (checked by a test).
        &WORKLOADS[self as usize]
    }

    /// The name used by `--only` and in JSON.
    pub(crate) fn name(self) -> &'static str {
        self.spec().name
    }

    /// Every `--only` name.
    pub(crate) fn names() -> Vec<&'static str> {
        WORKLOADS.iter().map(|w| w.name).collect()
    }

    /// The workload called `name`.
    pub(crate) fn from_name(name: &str) -> Option<WorkloadId> {
        WORKLOADS.iter().find(|w| w.name == name).map(|w| w.id)
    }

    /// True for the `--long` workloads.
    pub(crate) fn is_long(self) -> bool {
        self.spec().long
    }

    /// True when it reads its blobs through a redirect to a CDN.
    pub(crate) fn is_redirected(self) -> bool {
        self == WorkloadId::PullRedirect
    }

    /// What it does, with its sizes.
    pub(crate) fn describe(self, sizes: &Sizes) -> String {
        let spec = self.spec();
        let what = spec
            .data
            .map_or_else(String::new, |data| data.describe(sizes));
        match spec.action {
            Action::Version => "oras version (start-up)".to_owned(),
            Action::Push => format!("push {what}"),
            Action::Pull if self.is_redirected() => {
                format!("pull {what} through a redirect to a CDN")
            }
            Action::Pull if spec.data == Some(DataKind::Dir) => {
                format!("pull and unpack a directory of {} files", sizes.dir_count)
            }
            Action::Pull => format!("pull {what}"),
            Action::Copy(Route::SameRegistry) => {
                format!("copy {what} between repositories (mount)")
            }
            Action::Copy(Route::OtherRegistry) => {
                format!("copy {what} to another registry (no mount)")
            }
            Action::Copy(Route::ToLayout) => format!("copy {what} registry → OCI layout"),
            Action::Copy(Route::FromLayout) => format!("copy {what} OCI layout → registry"),
        }
    }

    /// Payload bytes moved by one run (for throughput), if meaningful.
    pub(crate) fn payload_bytes(self, sizes: &Sizes) -> Option<u64> {
        self.spec().data.map(|data| data.bytes(sizes))
    }

    /// The rows of this workload, in order: ours, the peers, the references.
    pub(crate) fn tools(self) -> &'static [Tool] {
        self.spec().tools
    }

    /// The targets that apply to our row.
    pub(crate) fn targets(self) -> &'static [Target] {
        self.spec().targets
    }

    /// The targets of our row on `network`: the workload's,
    /// with the comparison to curl on loopback only, peak RSS everywhere,
    /// and on `wan80` the speed-ups over the Go `oras` (4 × for the pull
    /// of 1 GiB, 2 × for 1,000 small files each way).
    pub(crate) fn targets_on(self, network: Network) -> Vec<Target> {
        let mut targets: Vec<Target> = self
            .targets()
            .iter()
            .copied()
            .filter(|t| network == Network::Lan || !matches!(t, Target::WallVsCurl { .. }))
            .collect();
        if !targets.iter().any(|t| matches!(t, Target::RssBelow { .. })) {
            targets.push(Target::RssBelow { mib: RSS_LIMIT_MIB });
        }
        let over_go = match self {
            WorkloadId::PullLarge => Some(4.0),
            WorkloadId::PushSmall | WorkloadId::PullSmall => Some(2.0),
            _ => None,
        };
        if let (Network::Wan80, Some(factor)) = (network, over_go) {
            targets.push(Target::FasterThan {
                tool: Tool::GoOras,
                factor,
            });
        }
        targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_id_in_declaration_order() {
        for (i, workload) in WORKLOADS.iter().enumerate() {
            assert_eq!(workload.id as usize, i, "{workload:?}");
            assert_eq!(workload.id.spec().name, workload.name);
        }
        assert_eq!(WorkloadId::ALL[17], WorkloadId::PullHuge);
    }

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
                    | WorkloadId::PullRedirect
                    | WorkloadId::PushBig
                    | WorkloadId::PullBig
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

    #[test]
    fn targets_depend_on_the_network() {
        let lan = WorkloadId::PullLarge.targets_on(Network::Lan);
        assert!(lan.contains(&Target::WallVsCurl { at_most: 1.2 }));
        let wan = WorkloadId::PullLarge.targets_on(Network::Wan80);
        assert!(!wan.iter().any(|t| matches!(t, Target::WallVsCurl { .. })));
        assert!(wan.contains(&Target::FasterThan {
            tool: Tool::GoOras,
            factor: 4.0
        }));
        let small = WorkloadId::PushSmall.targets_on(Network::Wan20);
        assert!(small.contains(&Target::RssBelow { mib: 64.0 }));
        assert!(!small.iter().any(|t| matches!(t, Target::FasterThan { .. })));
    }

    #[test]
    fn the_heavy_workloads_wait_for_long() {
        assert!(WorkloadId::PushBig.is_long() && WorkloadId::PullMany.is_long());
        assert!(!WorkloadId::PullRedirect.is_long());
        assert_eq!(
            WorkloadId::PullRedirect.describe(&Sizes::full()),
            "pull 1 file of 1 GiB through a redirect to a CDN"
        );
    }
}
