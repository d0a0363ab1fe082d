//! `oras-conformance`: runs the conformance checks against a registry,
//! prints the live tree, writes the reports and exits non-zero when a
//! check failed. See the crate documentation and README.md.

use std::io::IsTerminal;
use std::process::ExitCode;

use oras_conformance::config::{Config, env_vars};
use oras_conformance::terminal::TreePrinter;

fn main() -> ExitCode {
    let vars = match oras_conformance::cli::variables(std::env::args(), env_vars()) {
        Ok(vars) => vars,
        Err(e) => e.exit(),
    };
    let vars = match oras_conformance::config_file::apply(vars) {
        Ok((vars, warnings)) => {
            for warning in warnings {
                eprintln!("oras-conformance: warning: {warning}");
            }
            vars
        }
        Err(e) => {
            eprintln!("oras-conformance: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_vars(&vars) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("oras-conformance: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    for warning in &config.warnings {
        eprintln!("oras-conformance: warning: {warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("oras-conformance: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let color = stdout.is_terminal();
    let mut printer = TreePrinter::new(stdout.lock(), color);
    let report_dir = config.report_dir.clone();
    let report = match runtime.block_on(oras_conformance::run(config, &mut printer)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("oras-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    printer.flush();
    drop(printer);
    let s = report.summary();
    println!(
        "\n{} passed, {} failed, {} errors, {} skipped, {} disabled",
        s.passed, s.failed, s.errors, s.skipped, s.disabled
    );
    if let Some(dir) = report_dir {
        match report.write_all(&dir) {
            Ok(paths) => {
                for path in paths {
                    println!("wrote {}", path.display());
                }
            }
            Err(e) => {
                eprintln!(
                    "oras-conformance: cannot write the reports into {}: {e}",
                    dir.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
