//! Runnable examples of the oras-rs libraries live in `examples/`.
