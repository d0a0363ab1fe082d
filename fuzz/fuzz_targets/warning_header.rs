//! `Warning` headers (`299 - "<text>"`): parsing never panics, and an
//! accepted warning has code 299 and a non-empty text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_remote::client::{Warning, WarningHandler};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(warning) = Warning::parse(text)
    {
        assert_eq!(warning.code, 299);
        assert!(!warning.text.is_empty(), "{text:?} gave an empty warning");
    }
    let mut headers = http::HeaderMap::new();
    for part in data.split(|b| *b == b'\n') {
        if let Ok(value) = http::HeaderValue::from_bytes(part) {
            headers.append(http::header::WARNING, value);
        }
    }
    WarningHandler::new(|warning| assert_eq!(warning.code, 299)).handle_headers(&headers);
});
