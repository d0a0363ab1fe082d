//! The test kit's own tests, in one test binary: the in-process fake
//! registry (`fake_registry`) and the real-registry harness
//! (`real_registry`).

mod fake_registry;
mod real_registry;
