//! `cargo xtask check-modules`: the files of each crate form a tree (or a
//! DAG), never a circle. A file depends on another when it names it
//! through a path (`use crate::a::b`, `super::x`, `crate::a::f()`); a
//! circle means neither file can be read, moved or tested without the
//! other. Test modules (`#[cfg(test)]` to the end of a file) are left
//! out: a test may reach anything. Paths are read from the text, after
//! comments and string literals are dropped, which is enough for the
//! `use` style of this workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A module, by its path inside its crate (`[]` is the crate root).
type Module = Vec<String>;

/// The circles of the crate whose sources are under `src`, each as the
/// sorted list of its modules (`a/b`).
pub(crate) fn circles(src: &Path) -> Result<Vec<Vec<String>>> {
    let files = module_files(src)?;
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, path) in &files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let edges = graph.entry(module.clone()).or_default();
        for named in paths_in(&strip(&text)) {
            if let Some(target) = resolve(module, &named, &files)
                && &target != module
            {
                edges.insert(target);
            }
        }
    }
    Ok(strongly_connected(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<String> = c.iter().map(display).collect();
            names.sort();
            names
        })
        .collect())
}

fn display(module: &Module) -> String {
    if module.is_empty() {
        "lib".to_owned()
    } else {
        module.join("/")
    }
}

/// Every `.rs` file under `src` by its module path (`a/mod.rs` and
/// `a.rs` are module `a`; `lib.rs` and `main.rs` the root).
fn module_files(src: &Path) -> Result<BTreeMap<Module, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap_or(&path).with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = module.last().map(String::as_str);
            if module.len() == 1 && matches!(last, Some("lib" | "main")) || last == Some("mod") {
                module.pop();
            }
            out.insert(module, path);
        }
    }
    Ok(out)
}

/// The text without comments, string contents and test modules.
fn strip(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// The paths the text names that start at `crate`, `super` or `self`,
/// with `use` groups (`a::{b, c::d}`) expanded.
fn paths_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let tail = &rest[at + 4..];
        let end = tail.find(';').unwrap_or(tail.len());
        if before.is_none_or(|c| !c.is_alphanumeric() && c != '_') {
            out.extend(expand(&tail[..end]));
        }
        rest = &tail[end.min(tail.len())..];
    }
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        if starts_word && bytes[i].is_alphabetic() {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_alphanumeric() || bytes[j] == '_' || bytes[j] == ':')
            {
                j += 1;
            }
            let word: String = bytes[i..j].iter().collect();
            if ["crate::", "super::", "self::"]
                .iter()
                .any(|p| word.starts_with(p))
            {
                out.push(word.trim_end_matches(':').to_owned());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let prefix = &tree[..open];
    let inner = tree[open + 1..].trim_end().trim_end_matches('}');
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The deepest module file `path` (named from `from`) reaches.
fn resolve(from: &Module, path: &str, files: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let segments: Vec<&str> = path
        .split("::")
        .map(|s| s.split(" as ").next().unwrap_or(s).trim())
        .collect();
    let (mut current, rest) = match segments.first()? {
        &"crate" => (Vec::new(), &segments[1..]),
        &"super" | &"self" => {
            let mut base = from.clone();
            let mut n = 0;
            for s in &segments {
                match *s {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                n += 1;
            }
            (base, &segments[n..])
        }
        _ => return None,
    };
    for segment in rest {
        let mut next = current.clone();
        next.push((*segment).to_owned());
        if !files.contains_key(&next) {
            break;
        }
        current = next;
    }
    files.contains_key(&current).then_some(current)
}

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'g> {
        graph: &'g BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        on_stack: BTreeSet<&'g Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.graph.get(v) {
            for w in edges {
                let Some((w, _)) = s.graph.get_key_value(w) else {
                    continue;
                };
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_circle_is_found_and_a_tree_passes() {
        let dir = std::env::temp_dir().join(format!("xtask-modules-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write(&dir, "lib.rs", "mod a;\nmod b;\nmod c;\n");
        write(
            &dir,
            "a.rs",
            "use crate::b::{B, inner::{X}};\n// use crate::c;\n",
        );
        write(
            &dir,
            "b/mod.rs",
            "pub mod inner;\nfn f() { crate::a::g(); }\n",
        );
        write(&dir, "b/inner.rs", "use super::super::c::C;\n");
        write(
            &dir,
            "c.rs",
            "const S: &str = \"crate::a\";\n#[cfg(test)]\nmod t { use crate::a; }\n",
        );
        assert_eq!(circles(&dir).unwrap(), vec![vec!["a", "b"]]);
        write(&dir, "b/mod.rs", "pub mod inner;\n");
        assert!(circles(&dir).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn use_groups_expand() {
        assert_eq!(
            expand("crate::a::{b, c::{d, e as f}}"),
            ["crate::a::b", "crate::a::c::d", "crate::a::c::e as f"]
        );
    }
}
