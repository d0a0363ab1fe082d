//! `WWW-Authenticate` challenges: parsing any header value, and choosing
//! the challenge from several headers, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_auth::{parse_challenges, select_challenge};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for challenge in parse_challenges(text) {
            let _ = challenge.param("realm");
        }
    }
    let mut headers = http::HeaderMap::new();
    for part in data.split(|b| *b == b'\n') {
        if let Ok(value) = http::HeaderValue::from_bytes(part) {
            headers.append(http::header::WWW_AUTHENTICATE, value);
        }
    }
    let _ = select_challenge(&headers);
});
