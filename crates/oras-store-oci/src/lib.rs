//! oras_store_oci: being built; see ARCHITECTURE.md for what this crate will hold.
