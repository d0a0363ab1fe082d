//! Samples of one run, their summary over runs, and the ratios between rows.

/// What one run of one tool cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// Wall-clock seconds, measured by the harness around the process.
    pub(crate) wall: f64,
    /// User CPU seconds (GNU time `%U`).
    pub(crate) user: f64,
    /// System CPU seconds (GNU time `%S`).
    pub(crate) sys: f64,
    /// Peak resident set of the process in KiB (GNU time `%M`, from
    /// `wait4`'s `ru_maxrss`).
    pub(crate) max_rss_kib: u64,
}

impl Sample {
    /// User plus system CPU seconds.
    pub(crate) fn cpu(&self) -> f64 {
        self.user + self.sys
    }
}

/// The measured runs of one tool on one workload, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    /// Measured runs.
    pub(crate) runs: usize,
    /// Median wall seconds.
    pub(crate) wall: f64,
    /// Median user+sys CPU seconds.
    pub(crate) cpu: f64,
    /// Highest peak RSS over the runs, in MiB.
    pub(crate) peak_rss_mib: f64,
    /// Payload MiB per second at the median wall time.
    pub(crate) throughput_mib_s: Option<f64>,
}

/// The median (mean of the two middle values for an even count); `None`
/// for no values.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

/// Summarises `samples`; `payload` bytes give the throughput.
pub(crate) fn summarize(samples: &[Sample], payload: Option<u64>) -> Option<Summary> {
    let wall = median(&samples.iter().map(|s| s.wall).collect::<Vec<_>>())?;
    let cpu = median(&samples.iter().map(Sample::cpu).collect::<Vec<_>>())?;
    let peak_kib = samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
    let throughput_mib_s = match payload {
        Some(bytes) if wall > 0.0 => Some(bytes as f64 / (1024.0 * 1024.0) / wall),
        _ => None,
    };
    Some(Summary {
        runs: samples.len(),
        wall,
        cpu,
        peak_rss_mib: peak_kib as f64 / 1024.0,
        throughput_mib_s,
    })
}

/// `value / reference`, when both are there and the reference is not 0.
pub(crate) fn ratio(value: f64, reference: Option<f64>) -> Option<f64> {
    match reference {
        Some(r) if r > 0.0 && value.is_finite() => Some(value / r),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wall: f64, user: f64, sys: f64, rss: u64) -> Sample {
        Sample {
            wall,
            user,
            sys,
            max_rss_kib: rss,
        }
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0]), Some(1.0));
    }

    #[test]
    fn summary_takes_medians_the_highest_rss_and_throughput() {
        let samples = [
            sample(2.0, 1.0, 0.5, 10 * 1024),
            sample(1.0, 0.5, 0.25, 30 * 1024),
            sample(4.0, 2.0, 1.0, 20 * 1024),
        ];
        let s = summarize(&samples, Some(512 * 1024 * 1024)).unwrap();
        assert_eq!(s.runs, 3);
        assert_eq!(s.wall, 2.0);
        assert_eq!(s.cpu, 1.5);
        assert_eq!(s.peak_rss_mib, 30.0);
        assert_eq!(s.throughput_mib_s, Some(256.0));
        assert_eq!(summarize(&samples, None).unwrap().throughput_mib_s, None);
        assert_eq!(summarize(&[], None), None);
    }

    #[test]
    fn ratios_need_a_positive_reference() {
        assert_eq!(ratio(3.0, Some(2.0)), Some(1.5));
        assert_eq!(ratio(3.0, Some(0.0)), None);
        assert_eq!(ratio(3.0, None), None);
    }
}
