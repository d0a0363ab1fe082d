//! Command-line flags: one per configuration variable (see
//! [`crate::config::VARIABLES`]), so `--root-url X` is `OCI_ROOT_URL=X`.
//! A flag wins over the environment. Switches take an optional value
//! (`--pull` is `--pull=true`).

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, Command};

use crate::config::VARIABLES;

/// The clap command of the binary.
pub fn command() -> Command {
    let mut command = Command::new("oras-conformance")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Tests a registry against the OCI distribution spec v1.1, as the official conformance suites do")
        .after_help(
            "Every flag may also be given as its environment variable (shown in brackets); a flag wins.\n\
             Exit status: 0 when no check failed, 1 when one failed, 2 on a configuration error.",
        );
    for variable in VARIABLES {
        let name = variable.name;
        let mut arg = Arg::new(name)
            .long(variable.flag)
            .help(format!("{} [{name}]", variable.help))
            .action(ArgAction::Set)
            .value_name(if variable.switch { "BOOL" } else { "VALUE" });
        if variable.switch {
            arg = arg.num_args(0..=1).default_missing_value("true");
        }
        command = command.arg(arg);
    }
    command
}

/// The variables given by `args` (program name first), laid over `env`.
///
/// # Errors
/// Clap's error for unknown flags, missing values, `--help` and
/// `--version` (whose `exit()` prints and exits).
pub fn variables(
    args: impl IntoIterator<Item = String>,
    env: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, clap::Error> {
    let matches = command().try_get_matches_from(args)?;
    let mut vars = env;
    for variable in VARIABLES {
        if let Some(value) = matches.get_one::<String>(variable.name) {
            vars.insert(variable.name.to_owned(), value.clone());
        }
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_environment() {
        let env: BTreeMap<String, String> = [
            ("OCI_NAMESPACE".to_owned(), "a".to_owned()),
            ("OCI_DEBUG".to_owned(), "1".to_owned()),
        ]
        .into();
        let args = [
            "oras-conformance",
            "--namespace",
            "b",
            "--pull",
            "--push=false",
            "--root-url",
            "http://127.0.0.1:1",
        ];
        let vars = variables(args.iter().map(|s| s.to_string()), env).unwrap();
        assert_eq!(vars["OCI_NAMESPACE"], "b");
        assert_eq!(vars["OCI_TEST_PULL"], "true");
        assert_eq!(vars["OCI_TEST_PUSH"], "false");
        assert_eq!(vars["OCI_DEBUG"], "1");
        assert!(variables(["x".to_owned(), "--nope".to_owned()], BTreeMap::new()).is_err());
        command().debug_assert();
    }
}
