//! The in-process fake registry (being built).
