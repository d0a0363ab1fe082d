//! Directory layers as the raw tar+gzip bytes a registry serves (broken
//! gzip framing, trailing garbage, bombs): unpacking writes nothing
//! outside its directory, leaves no link pointing out, and rolls back
//! what it refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    oras_fuzz::unpack_and_check(data);
});
