//! The `oras` command-line tool.

fn main() {
    println!("oras-rs {}", env!("CARGO_PKG_VERSION"));
}
