//! The machine a run happened on, from /proc and uname.

use std::process::Command;

/// What the report says about the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    /// Online CPUs (`nproc`).
    pub(crate) cpus: usize,
    /// `model name` of the first CPU in /proc/cpuinfo.
    pub(crate) cpu_model: String,
    /// True when /proc/cpuinfo lists `sha_ni` (x86 SHA extensions) or
    /// `sha2` (arm64).
    pub(crate) sha_extensions: bool,
    /// MemTotal from /proc/meminfo, in KiB.
    pub(crate) memory_kib: u64,
    /// `uname -sr`.
    pub(crate) kernel: String,
    /// PRETTY_NAME from /etc/os-release.
    pub(crate) os: String,
    /// The 1, 5 and 15 minute load averages when detected (the machine
    /// may be shared).
    pub(crate) load: String,
}

impl Machine {
    /// Reads everything; unknown parts read "unknown".
    pub(crate) fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let kernel = Command::new("uname")
            .arg("-sr")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".to_owned()),
            sha_extensions: has_sha_extensions(&cpuinfo),
            memory_kib: meminfo_kib(&meminfo, "MemTotal").unwrap_or(0),
            kernel,
            os: os_name(&os_release).unwrap_or_else(|| "unknown".to_owned()),
            load: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .map(|l| load_average(&l))
                .unwrap_or_else(|| "unknown".to_owned()),
        }
    }

    /// One line, e.g. `2 CPUs (AMD EPYC, SHA extensions), 23.5 GiB RAM, Linux 6.1 (Debian 12)`.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} CPUs ({}{}), {:.1} GiB RAM, {} ({})",
            self.cpus,
            self.cpu_model,
            if self.sha_extensions {
                ", SHA extensions"
            } else {
                ", no SHA extensions"
            },
            self.memory_kib as f64 / (1024.0 * 1024.0),
            self.kernel,
            self.os
        )
    }

    /// The machine as JSON.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "cpus": self.cpus,
            "cpu_model": self.cpu_model,
            "sha_extensions": self.sha_extensions,
            "memory_kib": self.memory_kib,
            "kernel": self.kernel,
            "os": self.os,
            "load_average": self.load,
        })
    }
}

/// The first `model name` (x86) or `Model`/`CPU part` (arm) in cpuinfo.
pub(crate) fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "cpu model"].iter().find_map(|key| {
        cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == *key && !v.trim().is_empty()).then(|| v.trim().to_owned())
        })
    })
}

/// True when the flags (x86) or features (arm) list SHA-256 instructions.
pub(crate) fn has_sha_extensions(cpuinfo: &str) -> bool {
    cpuinfo.lines().any(|line| {
        line.split_once(':').is_some_and(|(k, v)| {
            matches!(k.trim(), "flags" | "Features")
                && v.split_whitespace().any(|f| f == "sha_ni" || f == "sha2")
        })
    })
}

/// A `Key:   N kB` value of /proc/meminfo, in KiB.
pub(crate) fn meminfo_kib(meminfo: &str, key: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k.trim() != key {
            return None;
        }
        v.split_whitespace().next()?.parse().ok()
    })
}

/// The first three fields of /proc/loadavg.
pub(crate) fn load_average(loadavg: &str) -> String {
    loadavg
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// PRETTY_NAME from os-release text.
pub(crate) fn os_name(os_release: &str) -> Option<String> {
    os_release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUINFO: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\n\
        model name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 sha_ni avx2\n\n\
        processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";

    #[test]
    fn reads_the_cpu_model_and_sha_flag() {
        assert_eq!(cpu_model(CPUINFO).as_deref(), Some("AMD EPYC 7B13"));
        assert!(has_sha_extensions(CPUINFO));
        assert!(!has_sha_extensions("flags\t: fpu sse2 avx2\n"));
        assert!(has_sha_extensions("Features\t: fp asimd sha1 sha2\n"));
        assert_eq!(cpu_model("processor: 0\n"), None);
    }

    #[test]
    fn reads_memory_and_os_name() {
        let meminfo = "MemTotal:       24684084 kB\nMemAvailable:   23000000 kB\n";
        assert_eq!(meminfo_kib(meminfo, "MemTotal"), Some(24_684_084));
        assert_eq!(meminfo_kib(meminfo, "MemAvailable"), Some(23_000_000));
        assert_eq!(meminfo_kib(meminfo, "Nope"), None);
        let os = "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            os_name(os).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    #[test]
    fn describes_itself_in_one_line() {
        let m = Machine {
            cpus: 2,
            cpu_model: "AMD EPYC".into(),
            sha_extensions: true,
            memory_kib: 24 * 1024 * 1024,
            kernel: "Linux 6.1".into(),
            os: "Debian 12".into(),
            load: "0.00 0.00 0.00".into(),
        };
        assert_eq!(
            m.describe(),
            "2 CPUs (AMD EPYC, SHA extensions), 24.0 GiB RAM, Linux 6.1 (Debian 12)"
        );
        assert_eq!(m.to_json()["cpus"], 2);
    }
}
