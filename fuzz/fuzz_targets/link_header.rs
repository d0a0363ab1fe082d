//! Tag listing pages: the `Link` header (`<url>; rel="next"`) and the JSON
//! page body, both from the input (`<link>\0<body>`), read by the registry
//! client. A second page is answered without a `Link`, so a listing ends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::TagLister;
use oras_fuzz::{repository, response, runtime, split};

fuzz_target!(|data: &[u8]| {
    let (link, body) = split(data);
    let (link, body) = (link.to_vec(), body.to_vec());
    let repository = repository(move |_request, n| {
        if n == 0 {
            response(
                200,
                &[("content-type", b"application/json"), ("link", &link)],
                &body,
            )
        } else {
            response(
                200,
                &[("content-type", b"application/json")],
                br#"{"tags":[]}"#,
            )
        }
    });
    let _ = runtime().block_on(repository.tags(None));
});
