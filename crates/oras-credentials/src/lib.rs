//! oras_credentials: being built; see ARCHITECTURE.md for what this crate will hold.
