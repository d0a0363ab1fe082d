//! Every long flag of the Go CLI is used by at least one compared scenario
//! step (of some command that has it). The commands, their aliases and their flags come from the Go
//! binary's own `--help` pages (walked from `oras --help` down every
//! `Available Commands:` list), so a flag the Go CLI gains is caught
//! without editing this file. A flag that cannot run on loopback is listed
//! in `flag_exemptions.toml` with its reason; the test also fails on an
//! exemption that is no longer needed or names no flag.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use oras_testkit::real::skip_requested;
use oras_testkit::reference::{Binary, go_oras, load_flag_exemptions, load_scenarios};

/// One command of the Go CLI as its help page describes it.
#[derive(Debug, Default)]
struct HelpPage {
    /// Subcommand names (and their aliases) → their canonical name.
    children: BTreeMap<String, String>,
    /// Long flag names (without `--`), local and global.
    flags: BTreeSet<String>,
    /// Short flag letters → long names.
    shorts: BTreeMap<char, String>,
}

/// Runs `go <path> --help` (bounded by a `timeout` wrapper).
fn help_text(go: &Path, path: &[String]) -> String {
    let out = Command::new("timeout")
        .arg("30")
        .arg(go)
        .args(path)
        .arg("--help")
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{path:?} --help: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Parses one help page.
fn parse_help(text: &str) -> HelpPage {
    let mut page = HelpPage::default();
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line;
            continue;
        }
        if !line.starts_with(' ') {
            section = "";
            continue;
        }
        let trimmed = line.trim_start();
        match section {
            "Available Commands:" => {
                if let Some(name) = trimmed.split_whitespace().next() {
                    page.children.insert(name.to_owned(), name.to_owned());
                }
            }
            "Flags:" | "Global Flags:" => {
                let (short, rest) = match trimmed.strip_prefix('-') {
                    Some(r) if !r.starts_with('-') => {
                        let letter = r.chars().next().unwrap();
                        (Some(letter), r[1..].trim_start_matches(", "))
                    }
                    _ => (None, trimmed),
                };
                if let Some(long) = rest.strip_prefix("--") {
                    let name: String = long
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    if let Some(letter) = short {
                        page.shorts.insert(letter, name.clone());
                    }
                    page.flags.insert(name);
                }
            }
            _ => {}
        }
    }
    page
}

/// The aliases of a command (`Aliases:` section, first word is the name).
fn aliases(text: &str) -> Vec<String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "Aliases:" {
            return lines
                .next()
                .unwrap_or_default()
                .split(',')
                .map(|a| a.trim().to_owned())
                .skip(1)
                .filter(|a| !a.is_empty())
                .collect();
        }
    }
    Vec::new()
}

/// Every command path of the Go CLI with its help page.
fn command_tree(go: &Path) -> BTreeMap<Vec<String>, HelpPage> {
    let mut tree = BTreeMap::new();
    let mut queue = vec![Vec::<String>::new()];
    while let Some(path) = queue.pop() {
        assert!(
            path.len() < 5,
            "command tree deeper than expected: {path:?}"
        );
        let text = help_text(go, &path);
        let mut page = parse_help(&text);
        let names: Vec<String> = page.children.keys().cloned().collect();
        for name in names {
            let mut child = path.clone();
            child.push(name.clone());
            let child_text = help_text(go, &child);
            for alias in aliases(&child_text) {
                page.children.insert(alias, name.clone());
            }
            queue.push(child);
        }
        tree.insert(path, page);
    }
    tree
}

/// The command path and the long flags one invocation uses.
fn used_flags(
    tree: &BTreeMap<Vec<String>, HelpPage>,
    args: &[String],
) -> (Vec<String>, BTreeSet<String>) {
    let mut path = Vec::new();
    let mut descending = true;
    let mut flags = BTreeSet::new();
    let mut shorts = Vec::new();
    for arg in args {
        if arg == "--" {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            flags.insert(long.split('=').next().unwrap_or_default().to_owned());
        } else if let Some(letters) = arg.strip_prefix('-').filter(|l| !l.is_empty()) {
            shorts.push(letters.to_owned());
        } else if descending {
            match tree.get(&path).and_then(|page| page.children.get(arg)) {
                Some(name) => path.push(name.clone()),
                None => descending = false,
            }
        }
    }
    if let Some(page) = tree.get(&path) {
        for letters in shorts {
            // `-abc` sets `a` and `b` and `c` until a letter that takes a
            // value; counting every known letter is close enough here.
            for letter in letters.chars() {
                if let Some(long) = page.shorts.get(&letter) {
                    flags.insert(long.clone());
                }
            }
        }
    }
    (path, flags)
}

#[test]
fn every_flag_of_the_go_cli_is_used_by_a_scenario() {
    let go = match go_oras() {
        Ok(go) => go,
        Err(e) if skip_requested() => {
            eprintln!("SKIP: flag coverage: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let tree = command_tree(&go);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/differential");
    let scenarios = load_scenarios(&dir.join("scenarios")).unwrap();
    // Where each flag is used (command paths), from the compared steps.
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for scenario in &scenarios {
        for step in scenario.steps.iter().filter(|s| s.binary == Binary::Both) {
            let (path, flags) = used_flags(&tree, &step.args);
            for flag in flags {
                used.entry(flag).or_default().insert(path.join(" "));
            }
        }
    }
    // Every flag and the commands that have it.
    let mut flags: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, page) in &tree {
        for flag in &page.flags {
            flags.entry(flag).or_default().push(path.join(" "));
        }
    }
    let exemptions = load_flag_exemptions(&dir.join("flag_exemptions.toml")).unwrap();
    let mut problems = Vec::new();
    for e in &exemptions {
        if !flags.contains_key(e.flag.as_str()) {
            problems.push(format!("exempt --{} is no flag of the Go CLI", e.flag));
        } else if let Some(commands) = used.get(&e.flag) {
            problems.push(format!(
                "--{} is exempt but scenarios use it (with {commands:?}): remove the exemption",
                e.flag
            ));
        }
    }
    let mut uncovered = 0;
    for (flag, commands) in &flags {
        let exempt = exemptions.iter().any(|e| e.flag == *flag);
        if !exempt && !used.contains_key(*flag) {
            uncovered += 1;
            problems.push(format!(
                "--{flag} (of {commands:?}) is used by no scenario step"
            ));
        }
    }
    println!(
        "flag coverage: {} commands, {} flags, {} exempt, {uncovered} uncovered",
        tree.len(),
        flags.len(),
        exemptions.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
