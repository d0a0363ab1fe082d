//! Directory layers as a plain tar (gzipped here, as a registry would
//! serve it): unpacking writes nothing outside its directory, leaves no
//! link pointing out, and rolls back what it refuses.
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if gzip.write_all(data).is_err() {
        return;
    }
    let Ok(gzip) = gzip.finish() else {
        return;
    };
    oras_fuzz::unpack_and_check(&gzip);
});
