//! Bearer token exchanges: the registry's `WWW-Authenticate` challenge and
//! the token server's JSON answer both come from the input
//! (`<challenge>\0<token body>`); the client resolves a tag through them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::Resolver;
use oras_fuzz::{repository, response, runtime, split};

fuzz_target!(|data: &[u8]| {
    let (challenge, token) = split(data);
    let (challenge, token) = (challenge.to_vec(), token.to_vec());
    let repository = repository(move |request, _n| {
        if request.uri().path().starts_with("/token") {
            return response(200, &[("content-type", b"application/json")], &token);
        }
        if request.headers().contains_key(http::header::AUTHORIZATION) {
            return response(404, &[], b"");
        }
        response(401, &[("www-authenticate", &challenge)], b"")
    });
    let _ = runtime().block_on(repository.resolve("v1"));
});
