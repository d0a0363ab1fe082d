//! Reference syntaxes beyond oras-go's `ParseReference`: multi-tag
//! destinations and OCI image layout references.

use oras_spec::{Digest, Reference};

use crate::error::{CliError, Result, quote};
use crate::parse::fileref::parse_file_ref;

/// Splits `name:t1,t2,t3` into the reference `name:t1` and the extra tags
/// `t2`, `t3` (Go push/cp/manifest push/index create: `strings.Split(arg, ",")`).
pub fn split_multi_tag(argument: &str) -> (String, Vec<String>) {
    let mut parts = argument.split(',');
    let first = parts.next().unwrap_or_default().to_owned();
    (first, parts.map(str::to_owned).collect())
}

/// Checks the extra tags of a destination before anything is sent (Go
/// 1.3.5+ `option.ValidateExtraTags`): `empty extra tag`, or
/// `invalid extra tag: invalid reference: invalid tag "…"`.
pub fn validate_extra_tags(tags: &[String]) -> Result<()> {
    for tag in tags {
        if tag.is_empty() {
            return Err(CliError::new("empty extra tag"));
        }
        Reference::validate_tag(tag)
            .map_err(|err| CliError::new(format!("invalid extra tag: {err}")))?;
    }
    Ok(())
}

/// Splits an OCI layout reference `<path>[:tag|@digest]` into path and
/// reference (Go `parseOCILayoutReference`): a digest at the last `@`,
/// otherwise a tag at the last `:`.
pub fn parse_oci_layout_reference(raw: &str) -> Result<(String, String)> {
    if let Some(i) = raw.rfind('@') {
        return Ok((raw[..i].to_owned(), raw[i + 1..].to_owned()));
    }
    parse_file_ref(raw, "")
        .map_err(|err| CliError::new(format!("{}: invalid reference", err.message)))
}

/// Whether `text` is a well-formed digest (`sha256:…`), as Go's
/// `contentutil.IsDigest`.
pub fn is_digest(text: &str) -> bool {
    text.parse::<Digest>().is_ok()
}

/// Splits `<registry>/<repo>[:t1[,t2…]]` as backup and restore take it (Go
/// `parseArtifactReferences`): the repository (`registry/repo`) and the
/// tags; digests are refused and every tag is validated.
pub fn split_repository_tags(argument: &str) -> Result<(String, Vec<String>)> {
    if argument.is_empty() {
        return Err(CliError::new("artifact reference cannot be empty"));
    }
    if argument.contains('@') {
        return Err(CliError::new(format!(
            "digest references are not supported: {}",
            quote(argument)
        )));
    }
    let (main, extra) = split_multi_tag(argument);
    let parsed = Reference::parse(&main)
        .map_err(|err| CliError::new(format!("invalid reference {}: {err}", quote(&main))))?;
    let repository = format!("{}/{}", parsed.registry(), parsed.repository());
    let main_tag = parsed.tag().unwrap_or_default().to_owned();
    if main_tag.is_empty() && extra.is_empty() {
        return Ok((repository, Vec::new()));
    }
    let mut tags = vec![main_tag];
    tags.extend(extra);
    for tag in &tags {
        if tag.is_empty() {
            return Err(CliError::new(format!(
                "empty tag in reference {}",
                quote(argument)
            )));
        }
        Reference::validate_tag(tag).map_err(|err| {
            CliError::new(format!(
                "invalid tag {} in reference {}: {err}",
                quote(tag),
                quote(argument)
            ))
        })?;
    }
    Ok((repository, tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_tag() {
        assert_eq!(
            split_multi_tag("localhost:5000/hello:t1,t2,t3"),
            (
                "localhost:5000/hello:t1".to_owned(),
                vec!["t2".to_owned(), "t3".to_owned()]
            )
        );
        assert_eq!(
            split_multi_tag("localhost:5000/hello"),
            ("localhost:5000/hello".to_owned(), vec![])
        );
    }

    #[test]
    fn oci_layout_reference() {
        let digest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(
            parse_oci_layout_reference("layout-dir:v1").unwrap(),
            ("layout-dir".into(), "v1".into())
        );
        assert_eq!(
            parse_oci_layout_reference(&format!("layout@dir@{digest}")).unwrap(),
            ("layout@dir".into(), digest.into())
        );
        assert_eq!(
            parse_oci_layout_reference("layout-dir").unwrap(),
            ("layout-dir".into(), String::new())
        );
        assert_eq!(
            parse_oci_layout_reference("a:b:c").unwrap(),
            ("a:b".into(), "c".into())
        );
        assert!(parse_oci_layout_reference(":v1").is_err());
    }

    #[test]
    fn digests() {
        assert!(is_digest(
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        ));
        assert!(!is_digest("v1"));
        assert!(!is_digest("sha256:abc"));
    }

    #[test]
    fn repository_tags() {
        assert_eq!(
            split_repository_tags("localhost:5000/repo:a,b").unwrap(),
            ("localhost:5000/repo".into(), vec!["a".into(), "b".into()])
        );
        assert_eq!(
            split_repository_tags("localhost:5000/repo").unwrap(),
            ("localhost:5000/repo".into(), vec![])
        );
        assert!(split_repository_tags("localhost:5000/repo@sha256:abc").is_err());
        assert!(split_repository_tags("localhost:5000/repo:a,").is_err());
        assert!(split_repository_tags("localhost:5000/repo,a").is_err());
        assert!(split_repository_tags("localhost:5000/repo:a,b/c").is_err());
        assert!(split_repository_tags("").is_err());
    }
}
