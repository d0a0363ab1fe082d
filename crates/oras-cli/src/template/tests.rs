//! End-to-end template tests over the JSON models the CLI produces.

use serde_json::{Value, json};

use super::render;

fn push_data() -> Value {
    crate::output::json::template_data(&json!({
        "reference": "localhost:5000/hello@sha256:aaa",
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": "sha256:aaa",
        "size": 1234567,
        "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z", "k": "v"},
        "artifactType": "application/vnd.unknown.artifact.v1",
        "referenceAsTags": ["localhost:5000/hello:v1", "localhost:5000/hello:v2"],
        "files": [
            {"path": "/tmp/a.txt", "size": 5},
            {"path": "/tmp/b.txt", "size": 0}
        ]
    }))
    .unwrap()
}

fn r(src: &str) -> String {
    render(src, &push_data()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn fields_and_nesting() {
    assert_eq!(r("{{.digest}}"), "sha256:aaa");
    assert_eq!(r("{{.size}}"), "1.234567e+06");
    assert_eq!(r("{{.annotations.k}}"), "v");
    assert_eq!(r("{{.missing}}"), "<no value>");
    assert_eq!(r("{{.missing.deeper}}"), "<no value>");
    assert_eq!(
        r("{{index .annotations \"org.opencontainers.image.created\"}}"),
        "2024-01-01T00:00:00Z"
    );
    assert_eq!(
        r("{{.annotations}}"),
        "map[k:v org.opencontainers.image.created:2024-01-01T00:00:00Z]"
    );
    assert_eq!(r("{{$.digest}}"), "sha256:aaa");
}

#[test]
fn range_and_variables() {
    assert_eq!(
        r("{{range .referenceAsTags}}{{.}}\n{{end}}"),
        "localhost:5000/hello:v1\nlocalhost:5000/hello:v2\n"
    );
    assert_eq!(
        r("{{range $i, $t := .referenceAsTags}}{{$i}}={{$t}};{{end}}"),
        "0=localhost:5000/hello:v1;1=localhost:5000/hello:v2;"
    );
    assert_eq!(
        r("{{range $k, $v := .annotations}}{{$k}} {{end}}"),
        "k org.opencontainers.image.created "
    );
    assert_eq!(r("{{range .nothing}}x{{else}}empty{{end}}"), "empty");
    assert_eq!(
        r("{{range .files}}{{.path}} {{$.digest}} {{end}}"),
        "/tmp/a.txt sha256:aaa /tmp/b.txt sha256:aaa "
    );
    assert_eq!(r("{{$x := .digest}}{{$x}}"), "sha256:aaa");
    assert_eq!(r("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
    assert_eq!(r("{{range 3}}{{.}}{{end}}"), "012");
    assert_eq!(
        r("{{range .files}}{{if eq .size 0.0}}{{break}}{{end}}{{.path}}{{end}}"),
        "/tmp/a.txt"
    );
    assert_eq!(
        r("{{range .files}}{{if eq .size 5}}{{continue}}{{end}}{{.path}}{{end}}"),
        "/tmp/b.txt"
    );
}

#[test]
fn conditions() {
    assert_eq!(r("{{if .artifactType}}yes{{else}}no{{end}}"), "yes");
    assert_eq!(
        r("{{if .missing}}a{{else if .digest}}b{{else}}c{{end}}"),
        "b"
    );
    assert_eq!(r("{{if and .digest (not .missing)}}ok{{end}}"), "ok");
    assert_eq!(r("{{if or .missing .size}}ok{{end}}"), "ok");
    assert_eq!(r("{{with .annotations}}{{.k}}{{end}}"), "v");
    assert_eq!(r("{{with .missing}}x{{else}}none{{end}}"), "none");
    assert_eq!(r("{{if gt (len .referenceAsTags) 1}}many{{end}}"), "many");
    assert_eq!(r("{{if ne .mediaType \"x\"}}ne{{end}}"), "ne");
    assert_eq!(r("{{if lt .size 2000000}}small{{end}}"), "small");
    assert_eq!(r("{{if eq .digest \"a\" \"sha256:aaa\"}}any{{end}}"), "any");
}

#[test]
fn pipelines_and_functions() {
    assert_eq!(r("{{.digest | upper}}"), "SHA256:AAA");
    assert_eq!(r("{{.missing | default \"none\"}}"), "none");
    assert_eq!(r("{{printf \"%s@%d\" .digest 5}}"), "sha256:aaa@5");
    assert_eq!(r("{{printf \"%v\" .size}}"), "1.234567e+06");
    assert_eq!(r("{{printf \"%.0f\" .size}}"), "1234567");
    assert_eq!(
        r("{{join \",\" .referenceAsTags}}"),
        "localhost:5000/hello:v1,localhost:5000/hello:v2"
    );
    assert_eq!(
        r("{{.referenceAsTags | join \" \"}}"),
        "localhost:5000/hello:v1 localhost:5000/hello:v2"
    );
    assert_eq!(
        r("{{toJson .annotations}}"),
        r#"{"k":"v","org.opencontainers.image.created":"2024-01-01T00:00:00Z"}"#
    );
    assert_eq!(r("{{.size | toJson}}"), "1234567");
    assert_eq!(
        r("{{toPrettyJson .files}}"),
        "[\n  {\n    \"path\": \"/tmp/a.txt\",\n    \"size\": 5\n  },\n  {\n    \"path\": \"/tmp/b.txt\",\n    \"size\": 0\n  }\n]"
    );
    assert_eq!(r("{{(index .files 0).path}}"), "/tmp/a.txt");
    assert_eq!(r("{{len .digest}}"), "10");
    assert_eq!(r("{{print \"a\" 1 2}}"), "a1 2");
    assert_eq!(r("{{println .digest}}"), "sha256:aaa\n");
    assert_eq!(r("{{quote .digest}}"), "\"sha256:aaa\"");
    assert_eq!(r("{{trimPrefix \"sha256:\" .digest}}"), "aaa");
    assert_eq!(r("{{(split \":\" .digest)._1}}"), "aaa");
    assert_eq!(r("{{replace \"a\" \"b\" .digest}}"), "shb256:bbb");
    assert_eq!(
        r("{{if contains \"hello\" .reference}}c{{end}}{{if hasSuffix \"aaa\" .digest}}s{{end}}"),
        "cs"
    );
}

#[test]
fn trim_markers_and_comments() {
    assert_eq!(r("a  {{- .digest -}}  b"), "asha256:aaab");
    assert_eq!(r("{{/* comment */}}x{{- /* c */ -}} y"), "xy");
    assert_eq!(
        r("{{range .referenceAsTags -}}\n  {{.}}\n{{- end}}"),
        "localhost:5000/hello:v1localhost:5000/hello:v2"
    );
    assert_eq!(r("{{-3}}"), "-3");
}

#[test]
fn errors_name_positions() {
    let data = push_data();
    let err = render("ok\n  {{nope .x}}", &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: format output:2: function \"nope\" not defined"
    );
    // Execution errors: the byte offset of the command on its line, the
    // command, and the output up to it (Go `state.errorf`).
    let err = render("{{.digest}} {{ len .nothing}}", &data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: format output:1:15: executing \"format output\" at <len .nothing>: \
         error calling len: reflect: call of reflect.Value.Type on zero Value"
    );
    assert_eq!(err.partial, "sha256:aaa ");
    let err = render("{{if .x}}", &data).unwrap_err();
    assert!(err.to_string().contains("unexpected EOF"), "{err}");
    let err = render("{{end}}", &data).unwrap_err();
    assert!(err.to_string().contains("unexpected {{end}}"), "{err}");
    let err = render("{{.digest.x}}", &data).unwrap_err();
    assert!(
        err.to_string()
            .contains("can't evaluate field x in type string"),
        "{err}"
    );
    let err = render("{{.digest 1}}", &data).unwrap_err();
    assert!(
        err.to_string()
            .contains("can't give argument to non-function"),
        "{err}"
    );
    let err = render("{{len .missing}}", &data).unwrap_err();
    assert!(err.to_string().contains("error calling len"), "{err}");
    let err = render("{{$y}}", &data).unwrap_err();
    assert!(err.to_string().contains("undefined variable: $y"), "{err}");
    assert!(render("{{define \"x\"}}{{end}}", &data).is_err());
    assert!(render("{{break}}", &data).is_err());
    assert!(render("{{.a | }}", &data).is_err());
}

/// Widths and precisions past Go's bound (found by the `go_template` fuzz
/// target: `%2222222222d` asked for gigabytes of padding) print as Go's
/// `fmt.Sprintf` prints them, checked against Go itself.
#[test]
fn printf_widths_past_go_bound_match_go() {
    let formats = [
        "%2222222222s",
        "%1000000s|",
        "%10000009s|",
        "%.2222222222s",
        "%-99999999999s",
        "%5s|%2222222222222222222222s",
        "%08.3s",
    ];
    let go = go_sprintf_of_x(&formats);
    for (format, expected) in formats.iter().zip(go.lines()) {
        let ours = super::printf::sprintf(format, &[json!("x")]);
        let ours_line = ours.replace(' ', "_");
        let ours_line = if ours_line.len() > 64 {
            format!("len={}", ours.len())
        } else {
            ours_line
        };
        assert_eq!(ours_line, expected, "format {format:?}");
    }
}

/// Runs Go's `fmt.Sprintf(format, "x")` for each format (Go's `go run`);
/// one line each: the text with spaces as `_`, or `len=<n>` when long.
fn go_sprintf_of_x(formats: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let quoted: Vec<String> = formats.iter().map(|f| format!("{f:?}")).collect();
    let program = format!(
        "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {{\n\tfor _, f := range []string{{{}}} {{\n\t\ts := fmt.Sprintf(f, \"x\")\n\t\tif len(s) > 64 {{\n\t\t\tfmt.Printf(\"len=%d\\n\", len(s))\n\t\t}} else {{\n\t\t\tfmt.Println(strings.ReplaceAll(s, \" \", \"_\"))\n\t\t}}\n\t}}\n}}\n",
        quoted.join(", ")
    );
    let main = dir.path().join("main.go");
    std::fs::write(&main, program).unwrap();
    let go = ["go", "/usr/local/go/bin/go"]
        .into_iter()
        .find(|go| {
            std::process::Command::new(go)
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("Go is needed to compare with fmt.Sprintf");
    let output = std::process::Command::new(go)
        .arg("run")
        .arg(&main)
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "off")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
