//! Referrers responses: the body of the referrers API (or of the
//! tag-schema index when the input's first byte is odd), its
//! `OCI-Filters-Applied` header and the artifact type asked for, read by
//! the registry client (`<flags><filters>\0<body>`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::ReferrerLister;
use oras_fuzz::{repository, response, runtime, split};
use oras_spec::{Descriptor, media_type};

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    let (filters, body) = split(rest);
    let (filters, body) = (filters.to_vec(), body.to_vec());
    let tag_schema = flags & 1 == 1;
    let artifact_type = (flags & 2 == 2).then_some("application/vnd.example+type");
    let index = media_type::IMAGE_INDEX.as_bytes();
    let repository = repository(move |request, _n| {
        response(
            200,
            &[("content-type", index), ("oci-filters-applied", &filters)],
            if request.method() == http::Method::HEAD {
                b""
            } else {
                &body
            },
        )
    });
    if repository.set_referrers_capability(!tag_schema).is_err() {
        return;
    }
    let subject = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{}");
    let _ = runtime().block_on(repository.referrers(&subject, artifact_type));
});
