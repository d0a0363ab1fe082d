//! Measuring a process's peak memory and CPU: the command runs under GNU
//! time (Debian package `time`), which reports the child's user and system
//! CPU and its peak RSS from `wait4`'s `rusage`, so the numbers are the
//! whole process's (every thread). A harness cannot call `wait4` itself:
//! std has no rusage API and the workspace denies `unsafe`, and `getrusage
//! (RUSAGE_CHILDREN)` gives only a running maximum over all children, not
//! one run's.
//!
//! [`under_gnu_time`] wraps a [`Command`]; [`read_report`] (or
//! [`parse_time_output`]) reads what GNU time wrote.

use std::path::Path;
use std::process::Command;

/// GNU time (Debian package `time`).
pub const GNU_TIME: &str = "/usr/bin/time";

/// The line GNU time writes; parsed by [`parse_time_output`].
pub const FORMAT: &str = "oras-measure wall=%e user=%U sys=%S maxrss_kib=%M exit=%x";

/// What GNU time wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeOutput {
    /// `%e`, seconds.
    pub wall: f64,
    /// `%U`, seconds.
    pub user: f64,
    /// `%S`, seconds.
    pub sys: f64,
    /// `%M`, KiB.
    pub max_rss_kib: u64,
    /// `%x`, the exit status.
    pub exit: i32,
}

/// `command` run under GNU time, which writes its report to `report`:
/// the same program, arguments, environment and working directory.
/// Standard streams are not copied: set them on the result.
pub fn under_gnu_time(command: &Command, report: &Path) -> Command {
    let mut timed = Command::new(GNU_TIME);
    timed
        .args(["-f", FORMAT, "-o"])
        .arg(report)
        .arg("--")
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    timed
}

/// Reads and parses the report GNU time wrote to `path`.
///
/// # Errors
/// The file is missing or holds no measurement line.
pub fn read_report(path: &Path) -> Result<TimeOutput, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("reading GNU time's report {}: {e}", path.display()))?;
    parse_time_output(&text)
}

/// Parses the file GNU time wrote with [`FORMAT`]. Lines such as
/// `Command exited with non-zero status 1` before it are ignored.
///
/// # Errors
/// No measurement line, or a field missing or malformed.
pub fn parse_time_output(text: &str) -> Result<TimeOutput, String> {
    let line = text
        .lines()
        .rev()
        .find(|line| line.starts_with("oras-measure "))
        .ok_or_else(|| format!("no measurement line in GNU time output {text:?}"))?;
    let mut wall = None;
    let mut user = None;
    let mut sys = None;
    let mut rss = None;
    let mut exit = None;
    for field in line.split_whitespace().skip(1) {
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("malformed field {field:?} in {line:?}"))?;
        let bad = || format!("bad value {value:?} for {key} in {line:?}");
        match key {
            "wall" => wall = Some(value.parse::<f64>().map_err(|_| bad())?),
            "user" => user = Some(value.parse::<f64>().map_err(|_| bad())?),
            "sys" => sys = Some(value.parse::<f64>().map_err(|_| bad())?),
            "maxrss_kib" => rss = Some(value.parse::<u64>().map_err(|_| bad())?),
            "exit" => exit = Some(value.parse::<i32>().map_err(|_| bad())?),
            _ => {}
        }
    }
    match (wall, user, sys, rss, exit) {
        (Some(wall), Some(user), Some(sys), Some(max_rss_kib), Some(exit)) => Ok(TimeOutput {
            wall,
            user,
            sys,
            max_rss_kib,
            exit,
        }),
        _ => Err(format!("missing fields in {line:?}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn parses_a_successful_run() {
        let t = parse_time_output(
            "oras-measure wall=1.25 user=0.80 sys=0.15 maxrss_kib=40960 exit=0\n",
        )
        .unwrap();
        assert_eq!(
            t,
            TimeOutput {
                wall: 1.25,
                user: 0.80,
                sys: 0.15,
                max_rss_kib: 40960,
                exit: 0
            }
        );
    }

    #[test]
    fn skips_gnu_time_notes_before_the_line() {
        let text = "Command exited with non-zero status 3\n\
                    oras-measure wall=0.01 user=0.00 sys=0.00 maxrss_kib=2048 exit=3\n";
        assert_eq!(parse_time_output(text).unwrap().exit, 3);
        let killed = "Command terminated by signal 9\n\
                      oras-measure wall=5.00 user=1.00 sys=0.00 maxrss_kib=1 exit=0\n";
        assert_eq!(parse_time_output(killed).unwrap().wall, 5.0);
    }

    #[test]
    fn rejects_missing_or_bad_fields() {
        assert!(parse_time_output("").is_err());
        assert!(parse_time_output("oras-measure wall=1 user=1 sys=1 exit=0").is_err());
        assert!(parse_time_output("oras-measure wall=x user=1 sys=1 maxrss_kib=1 exit=0").is_err());
        assert!(parse_time_output("oras-measure wall").is_err());
    }

    #[test]
    fn a_wrapped_command_keeps_its_arguments_environment_and_directory() {
        let work = tempfile::tempdir().unwrap();
        let report = work.path().join("time.txt");
        let mut command = Command::new("sh");
        command
            .args([
                "-c",
                "test \"$MEASURE_TEST\" = 42 && test -z \"$HOME\" && pwd",
            ])
            .env("MEASURE_TEST", "42")
            .env_remove("HOME")
            .current_dir(work.path());
        let out = under_gnu_time(&command, &report).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .ends_with(work.path().file_name().unwrap().to_str().unwrap())
        );
        let measured = read_report(&report).unwrap();
        assert_eq!(measured.exit, 0);
        assert!(measured.max_rss_kib > 0);
    }
}
