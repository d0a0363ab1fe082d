//! The `oras` binary: parse, run, exit with 0 or 1.

fn main() {
    let ctx = oras_cli::app::process_context();
    let code = oras_cli::app::main_with_args(std::env::args_os(), &ctx);
    std::process::exit(code);
}
