//! The end-of-command output of the commands with `--format`, in each
//! format: the text summary, the JSON model, or a Go template over it
//! (Go `display/metadata/{text,json,template}`). Commands call these once
//! the work is done; per-tag `Tagged <tag>` lines of the text format are
//! printed as tagging happens, with [`text::tagged`].

use std::path::Path;

use oras_spec::Descriptor;

use crate::options::{OutputFormat, Target};
use crate::output::escape::escape_controls;
use crate::output::model::{
    DescriptorModel, DiscoverNode, FetchedModel, FileModel, PullModel, PushModel,
    RepositoriesModel, TagsModel,
};
use crate::output::tree::{Colors, DiscoverTreeView, discover_table};
use crate::output::{Printer, render, text};

/// `oras push`: `Pushed [kind] <ref>`, `ArtifactType:`, `Digest:`; or the
/// push model, whose tags are the reference's tag plus `extra_tags`.
pub fn push(
    printer: &Printer,
    format: &OutputFormat,
    target: &Target,
    root: &Descriptor,
    extra_tags: &[String],
) -> anyhow::Result<()> {
    let mut tags = extra_tags.to_vec();
    if !target.reference.is_empty() && !target.reference_is_digest() {
        tags.push(target.reference.clone());
    }
    render(
        printer,
        format,
        &PushModel::new(&target.path, root, &tags),
        |p| {
            p.println(&text::pushed(&target.display_reference()))?;
            for line in text::push_summary(root) {
                p.println(&line)?;
            }
            Ok(())
        },
    )
}

/// `oras attach`: `Attached to [kind] <repo>@<subject>` and `Digest:`; or
/// the descriptor model of the referrer. The subject is shown by digest
/// unless the reference already was that digest (Go `AttachHandler`).
pub fn attach(
    printer: &Printer,
    format: &OutputFormat,
    target: &Target,
    root: &Descriptor,
    subject: &Descriptor,
) -> anyhow::Result<()> {
    render(
        printer,
        format,
        &DescriptorModel::new(&target.path, root),
        |p| {
            let subject_display = if target.raw_reference.ends_with(&subject.digest.to_string()) {
                target.display_reference()
            } else {
                format!("[{}] {}@{}", target.kind, target.path, subject.digest)
            };
            for line in text::attach_summary(&subject_display, &root.digest) {
                p.println(&line)?;
            }
            Ok(())
        },
    )
}

/// `oras pull`: `Pulled [kind] <ref>` and `Digest:` (or the hint about
/// untitled layers); or the pull model with the files written.
pub fn pull(
    printer: &Printer,
    format: &OutputFormat,
    target: &Target,
    root: &Descriptor,
    files: Vec<FileModel>,
    layers_skipped: bool,
) -> anyhow::Result<()> {
    render(
        printer,
        format,
        &PullModel::new(&target.path, &root.digest, files),
        |p| {
            for line in text::pull_summary(
                &target.display_reference(),
                &target.raw_reference,
                &root.digest,
                layers_skipped,
            ) {
                p.println(&line)?;
            }
            Ok(())
        },
    )
}

/// The model of a pulled file, for [`pull`].
pub fn pulled_file(
    name: &str,
    output_dir: &Path,
    desc: &Descriptor,
    target: &Target,
) -> std::io::Result<FileModel> {
    FileModel::new(name, output_dir, desc, &target.path)
}

/// `oras discover`: tree (default), table, JSON or template, from the
/// `(referrer, subject)` pairs in discovery order.
pub fn discover(
    printer: &Printer,
    format: &OutputFormat,
    target: &Target,
    subject: &Descriptor,
    found: &[(Descriptor, Descriptor)],
    color: bool,
    verbose: bool,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Tree | OutputFormat::Text => {
            let mut tree = DiscoverTreeView::new(&target.path, subject, Colors::new(color));
            for (referrer, of) in found {
                tree.add(referrer, of).map_err(anyhow::Error::msg)?;
            }
            printer.write_out(tree.render().as_bytes())?;
        }
        OutputFormat::Table => {
            let direct: Vec<Descriptor> = found
                .iter()
                .filter(|(_, of)| of.digest == subject.digest)
                .map(|(r, _)| r.clone())
                .collect();
            printer.write_out(
                discover_table(&target.raw_reference, &subject.digest, &direct, verbose)?
                    .as_bytes(),
            )?;
        }
        OutputFormat::Json | OutputFormat::GoTemplate(_) => {
            let mut tree = crate::output::model::DiscoverTree::new(&target.path, subject);
            for (referrer, of) in found {
                tree.add(referrer, of).map_err(anyhow::Error::msg)?;
            }
            let root: &DiscoverNode = tree.root();
            render(printer, format, root, |_| Ok(()))?;
        }
    }
    Ok(())
}

/// `oras manifest fetch --format json|go-template`: descriptor plus content.
/// (The text format writes the raw manifest, see [`raw_json`].)
pub fn manifest_fetched(
    printer: &Printer,
    format: &OutputFormat,
    target: &Target,
    desc: &Descriptor,
    bytes: &[u8],
) -> anyhow::Result<()> {
    render(
        printer,
        format,
        &FetchedModel::new(&target.path, desc, bytes),
        |p| {
            p.write_out(bytes)?;
            Ok(())
        },
    )
}

/// Writes JSON bytes as Go's `output.PrintJSON`: unchanged (no trailing
/// newline), or indented with a trailing newline for `--pretty`.
pub fn raw_json(printer: &Printer, bytes: &[u8], pretty: bool) -> anyhow::Result<()> {
    if pretty {
        printer.write_out(&crate::output::json::indent_json(bytes)?)?;
    } else {
        printer.write_out(bytes)?;
    }
    Ok(())
}

/// `--descriptor`: the full descriptor as compact JSON (Go `json.Marshal`
/// of `ocispec.Descriptor`), or indented with `--pretty`.
pub fn descriptor(printer: &Printer, desc: &Descriptor, pretty: bool) -> anyhow::Result<()> {
    let bytes = crate::output::json::to_compact_json(desc)?;
    raw_json(printer, bytes.as_bytes(), pretty)
}

/// `oras repo ls`: one repository per line (namespace prefix removed); or
/// the repositories model.
pub fn repositories(
    printer: &Printer,
    format: &OutputFormat,
    registry: &str,
    namespace: &str,
    repositories: &[String],
) -> anyhow::Result<()> {
    let names: Vec<String> = repositories
        .iter()
        .map(|r| text::listed_repository(namespace, r))
        .collect();
    let model = RepositoriesModel {
        registry: registry.to_owned(),
        repositories: names.clone(),
    };
    render(printer, format, &model, |p| {
        // Names and tags come from the registry: one per line, each with
        // its control characters (line feeds included) escaped.
        for name in &names {
            p.println(&escape_controls(name))?;
        }
        Ok(())
    })
}

/// `oras repo tags`: one tag per line; or the tags model.
pub fn tags(printer: &Printer, format: &OutputFormat, tags: &[String]) -> anyhow::Result<()> {
    render(
        printer,
        format,
        &TagsModel {
            tags: tags.to_vec(),
        },
        |p| {
            for tag in tags {
                p.println(&escape_controls(tag))?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::TargetOptions;
    use oras_spec::{annotation, media_type};

    fn target(raw: &str) -> Target {
        TargetOptions::default().parse(raw).unwrap()
    }

    fn root() -> Descriptor {
        let mut d = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{\"schemaVersion\":2}");
        d.artifact_type = media_type::UNKNOWN_ARTIFACT.into();
        d
    }

    #[test]
    fn push_in_every_format() {
        let t = target("localhost:5000/hello:v1");
        let r = root();
        let (p, out, _) = Printer::captured();
        push(&p, &OutputFormat::Text, &t, &r, &[]).unwrap();
        assert_eq!(
            out.text(),
            format!(
                "Pushed [registry] localhost:5000/hello:v1\nArtifactType: application/vnd.unknown.artifact.v1\nDigest: {}\n",
                r.digest
            )
        );
        let (p, out, _) = Printer::captured();
        push(&p, &OutputFormat::Json, &t, &r, &["v2".into()]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out.text()).unwrap();
        assert_eq!(
            v["referenceAsTags"],
            serde_json::json!(["localhost:5000/hello:v1", "localhost:5000/hello:v2"])
        );
        let (p, out, _) = Printer::captured();
        push(
            &p,
            &OutputFormat::GoTemplate("{{.digest}} {{.size}}".into()),
            &t,
            &r,
            &[],
        )
        .unwrap();
        assert_eq!(out.text(), format!("{} {}", r.digest, r.size));
    }

    #[test]
    fn attach_names_the_subject_by_digest() {
        let t = target("localhost:5000/hello:v1");
        let subject = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"subject");
        let (p, out, _) = Printer::captured();
        attach(&p, &OutputFormat::Text, &t, &root(), &subject).unwrap();
        assert!(out.text().starts_with(&format!(
            "Attached to [registry] localhost:5000/hello@{}\nDigest: ",
            subject.digest
        )));
    }

    #[test]
    fn pull_json_lists_files() {
        let t = target("localhost:5000/hello:v1");
        let mut layer = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"hi");
        layer
            .annotations
            .insert(annotation::TITLE.into(), "hi.txt".into());
        let file = pulled_file("hi.txt", Path::new("/out"), &layer, &t).unwrap();
        let (p, out, _) = Printer::captured();
        pull(&p, &OutputFormat::Json, &t, &root(), vec![file], false).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out.text()).unwrap();
        assert_eq!(v["files"][0]["path"], "/out/hi.txt");
        let (p, out, _) = Printer::captured();
        pull(&p, &OutputFormat::Text, &t, &root(), vec![], true).unwrap();
        assert!(out.text().starts_with("Skipped pulling layers"));
    }

    #[test]
    fn discover_formats() {
        let t = target("localhost:5000/hello:v1");
        let subject = root();
        let mut sig = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"sig");
        sig.artifact_type = "sig/example".into();
        let found = vec![(sig.clone(), subject.clone())];
        let (p, out, _) = Printer::captured();
        discover(&p, &OutputFormat::Tree, &t, &subject, &found, false, true).unwrap();
        assert_eq!(
            out.text(),
            format!(
                "localhost:5000/hello@{}\n└── sig/example\n    └── {}\n",
                subject.digest, sig.digest
            )
        );
        let (p, out, _) = Printer::captured();
        discover(&p, &OutputFormat::Json, &t, &subject, &found, false, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out.text()).unwrap();
        assert_eq!(v["referrers"][0]["artifactType"], "sig/example");
        let (p, out, _) = Printer::captured();
        discover(&p, &OutputFormat::Table, &t, &subject, &found, false, true).unwrap();
        assert!(
            out.text()
                .starts_with("Discovered 1 artifact referencing localhost:5000/hello:v1\n")
        );
    }

    #[test]
    fn descriptors_and_lists() {
        let d = Descriptor::from_bytes("a/b", b"x");
        let (p, out, _) = Printer::captured();
        descriptor(&p, &d, false).unwrap();
        assert_eq!(
            out.text(),
            format!(
                "{{\"mediaType\":\"a/b\",\"digest\":\"{}\",\"size\":1}}",
                d.digest
            )
        );
        let (p, out, _) = Printer::captured();
        descriptor(&p, &d, true).unwrap();
        assert!(out.text().starts_with("{\n  \"mediaType\": \"a/b\",\n"));
        let (p, out, _) = Printer::captured();
        repositories(
            &p,
            &OutputFormat::Text,
            "localhost:5000",
            "ns/",
            &["ns/a".into(), "ns/b/c".into()],
        )
        .unwrap();
        assert_eq!(out.text(), "a\nb/c\n");
        let (p, out, _) = Printer::captured();
        tags(
            &p,
            &OutputFormat::GoTemplate("{{range .tags}}{{.}},{{end}}".into()),
            &["v1".into(), "v2".into()],
        )
        .unwrap();
        assert_eq!(out.text(), "v1,v2,");
        let (p, out, _) = Printer::captured();
        manifest_fetched(
            &p,
            &OutputFormat::Text,
            &target("localhost:5000/hello:v1"),
            &root(),
            b"{\"schemaVersion\":2}",
        )
        .unwrap();
        assert_eq!(out.text(), "{\"schemaVersion\":2}");
    }
}
