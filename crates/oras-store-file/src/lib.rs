//! oras_store_file: being built; see ARCHITECTURE.md for what this crate will hold.
