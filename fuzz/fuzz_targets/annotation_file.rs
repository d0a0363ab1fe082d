//! `--annotation-file` contents (a JSON object of objects of strings):
//! reading any file never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_cli::parse::parse_annotation_file;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::fs::write(file.path(), data).is_err() {
        return;
    }
    let _ = parse_annotation_file(file.path());
});
