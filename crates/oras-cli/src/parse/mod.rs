//! Pure parsers for the argument syntaxes of the Go CLI: file references,
//! multi-tag references, OCI layout references, annotations, `--resolve`
//! rules and `-H` headers. None of them touches the network or a store.

mod annotation;
mod fileref;
mod header;
mod reference;
mod resolve;

pub use annotation::{
    ANNOTATION_CONFIG, ANNOTATION_MANIFEST, Annotations, parse_annotation_file,
    parse_annotation_flags,
};
pub use fileref::{FileRef, layer_name, parse_file_ref, validate_file_paths};
pub use header::{Header, parse_headers};
pub use reference::{
    is_digest, parse_oci_layout_reference, split_multi_tag, split_repository_tags,
    validate_extra_tags,
};
pub use resolve::{ResolveRule, parse_resolve_rules};
