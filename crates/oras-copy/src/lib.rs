//! oras_copy: being built; see ARCHITECTURE.md for what this crate will hold.
