//! Where a write may land: lexical path arithmetic (Go's `filepath.Clean`
//! and `filepath.Rel`) and the checks that keep writes inside a base
//! directory even when symbolic links are planted along the way.
//!
//! Every check here is done twice, as oras-go does after its advisories:
//! once on the text of the path (`..`, absolute names), once on the real
//! path of the deepest ancestor that exists (GHSA-8xwf-rjm4-xvhv,
//! GHSA-m37j-52j7-pjw7). Where oras-go quietly follows a dangling link in
//! an ancestor, this module refuses it: nothing legitimate is written
//! through one.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// `path` with `.` removed and `..` folded lexically (Go `filepath.Clean`
/// on Unix). An empty result is `.`; `/..` is `/`.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `target` relative to `base`, lexically (Go `filepath.Rel`): `None` when
/// one is absolute and the other is not, or when `base` climbs out with
/// `..` further than `target` can follow.
pub(crate) fn relative(base: &Path, target: &Path) -> Option<PathBuf> {
    let base = clean(base);
    let target = clean(target);
    if base.has_root() != target.has_root() {
        return None;
    }
    let (base_parts, target_parts) = (parts(&base), parts(&target));

    let common = base_parts
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let rest = &base_parts[common..];
    if rest.iter().any(|c| matches!(c, Component::ParentDir)) {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in rest {
        out.push("..");
    }
    for part in &target_parts[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

fn parts(path: &Path) -> Vec<Component<'_>> {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Whether `target` lies in `base` (or is `base`), lexically.
pub(crate) fn within(base: &Path, target: &Path) -> bool {
    relative(base, target)
        .is_some_and(|rel| !matches!(rel.components().next(), Some(Component::ParentDir)))
}

/// The real path `path` would be written at: symbolic links resolved in
/// the deepest ancestor that exists (`path` itself too when `include_last`),
/// the components that do not exist yet appended as they are (oras-go
/// `realPathForWrite`). `path` must be absolute; a `..` in it is resolved
/// after the links before it, as the kernel does. An ancestor that exists
/// only as a dangling symbolic link is refused.
pub(crate) fn real_path_for_write(path: &Path, include_last: bool) -> Result<PathBuf> {
    let mut existing = if include_last {
        Some(path)
    } else {
        path.parent()
    };
    while let Some(dir) = existing {
        match fs::canonicalize(dir) {
            Ok(real) => {
                let rest = path.strip_prefix(dir).unwrap_or(Path::new(""));
                return Ok(clean(&real.join(rest)));
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if fs::symlink_metadata(dir).is_ok() {
                    return Err(Error::traversal(dir, "dangling symbolic link in path"));
                }
                existing = dir.parent();
            }
            Err(err) => {
                return Err(Error::io(format!("resolving {}", dir.display()), err));
            }
        }
    }
    Ok(path.to_path_buf())
}

/// Refuses `target` when resolving symbolic links makes it leave `base`
/// (oras-go `checkSymlinkEscape`). Both must be absolute; `target` may
/// hold `..`, which is then followed as the kernel would. A base
/// that does not exist yet has no links to follow.
pub(crate) fn check_symlink_escape(base: &Path, target: &Path, include_last: bool) -> Result<()> {
    let real_base = match fs::canonicalize(base) {
        Ok(real) => real,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(Error::io(format!("resolving {}", base.display()), err)),
    };
    let real_target = real_path_for_write(target, include_last)?;
    if !within(&real_base, &real_target) {
        return Err(Error::traversal(
            target,
            "resolves outside the directory through a symbolic link",
        ));
    }
    Ok(())
}

/// The path of a tar entry relative to the directory being unpacked
/// (oras-go `resolveRelToBase`). A relative entry name must lie under
/// `base_name` (the title); an absolute one under `base_abs`. No existing
/// directory between the base and the entry may be a symbolic link.
pub(crate) fn entry_relative_path(
    base_abs: &Path,
    base_name: &Path,
    entry: &Path,
) -> Result<PathBuf> {
    let base = if entry.has_root() {
        base_abs
    } else {
        base_name
    };
    let rel = relative(base, entry)
        .filter(|rel| !matches!(rel.components().next(), Some(Component::ParentDir)))
        .ok_or_else(|| Error::traversal(entry, "outside of the directory being unpacked"))?;
    let mut ancestor = rel.parent();
    while let Some(dir) = ancestor.filter(|d| !d.as_os_str().is_empty()) {
        let on_disk = base_abs.join(dir);
        match fs::symlink_metadata(&on_disk) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::traversal(entry, "symbolic link in path"));
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(Error::io(format!("inspecting {}", on_disk.display()), err));
            }
        }
        ancestor = dir.parent();
    }
    Ok(rel)
}

/// The absolute path a link at `link` with target text `target` points
/// at, checked to lie inside the unpacked directory (oras-go
/// `ensureLinkPath`). A relative target is taken from the link's own
/// directory, never from the process's current directory
/// (GHSA-fxhp-mv3v-67qp).
///
/// The text is checked twice: cleaned, against the base (as oras-go), and
/// as the kernel will follow it, hop by hop through links already on disk,
/// so that `hop/../x` with `hop -> .` cannot climb out although its text
/// stays inside (GHSA-m37j-52j7-pjw7). The returned path is the unfolded
/// one, for the kernel to follow.
pub(crate) fn link_destination(
    base_abs: &Path,
    base_name: &Path,
    link: &Path,
    target: &Path,
) -> Result<PathBuf> {
    if target.as_os_str().is_empty() {
        return Err(Error::traversal(link, "empty link target"));
    }
    let destination = if target.has_root() {
        target.to_path_buf()
    } else {
        link.parent().unwrap_or(base_abs).join(target)
    };
    entry_relative_path(base_abs, base_name, &clean(&destination))?;
    check_symlink_escape(base_abs, &destination, true)?;
    Ok(destination)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn clean_folds_like_go() {
        assert_eq!(clean(&p("a/./b/../c")), p("a/c"));
        assert_eq!(clean(&p("../a/..")), p(".."));
        assert_eq!(clean(&p("/../x")), p("/x"));
        assert_eq!(clean(&p("")), p("."));
        assert_eq!(clean(&p("a/..")), p("."));
        assert_eq!(clean(&p("//a//b/")), p("/a/b"));
    }

    #[test]
    fn relative_like_go() {
        assert_eq!(relative(&p("a"), &p("a/b/c")), Some(p("b/c")));
        assert_eq!(relative(&p("a"), &p("a")), Some(p(".")));
        assert_eq!(relative(&p("a/b"), &p("a/c")), Some(p("../c")));
        assert_eq!(relative(&p("/w"), &p("/w/../x")), Some(p("../x")));
        assert_eq!(relative(&p("/w"), &p("x")), None);
        assert_eq!(relative(&p("../a"), &p("b")), None);
        assert_eq!(relative(&p("."), &p("b")), Some(p("b")));
        assert!(within(&p("/w"), &p("/w/a/../b")));
        assert!(!within(&p("/w"), &p("/w/../b")));
        assert!(!within(&p("/w"), &p("/wx")));
    }

    #[test]
    fn entry_paths_stay_under_the_title() {
        let base = p("/nonexistent/out/dir");
        let name = p("dir");
        assert_eq!(
            entry_relative_path(&base, &name, &p("dir/a/b")).unwrap(),
            p("a/b")
        );
        assert_eq!(
            entry_relative_path(&base, &name, &p("dir")).unwrap(),
            p(".")
        );
        assert_eq!(
            entry_relative_path(&base, &name, &p("/nonexistent/out/dir/x")).unwrap(),
            p("x")
        );
        for hostile in ["other/a", "dir/../../x", "..", "/etc/passwd", "dirx/a"] {
            let err = entry_relative_path(&base, &name, &p(hostile)).unwrap_err();
            assert!(
                matches!(err, Error::PathTraversal { .. }),
                "{hostile}: {err}"
            );
        }
    }
}
