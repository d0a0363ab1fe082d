//! The real-registry harness (being built).
