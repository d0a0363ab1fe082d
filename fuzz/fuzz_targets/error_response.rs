//! Registry error bodies (`{"errors":[{"code":…,"message":…,"detail":…}]}`)
//! on any status the input's first byte picks, read by the registry client
//! while it fetches a manifest by tag.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::ReferenceFetcher;
use oras_fuzz::{repository, response, runtime};

const STATUSES: [u16; 8] = [400, 401, 403, 404, 405, 409, 429, 500];

fuzz_target!(|data: &[u8]| {
    let Some((pick, body)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(*pick) % STATUSES.len()];
    let body = body.to_vec();
    let repository = repository(move |_request, _n| {
        response(status, &[("content-type", b"application/json")], &body)
    });
    if let Err(e) = runtime().block_on(repository.fetch_reference("v1")) {
        let _ = e.to_string();
    }
});
