//! The distribution-spec conformance runner (being built; see ARCHITECTURE.md).
