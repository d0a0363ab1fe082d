//! Project automation (`cargo xtask <job>`); being built.

fn main() {}
