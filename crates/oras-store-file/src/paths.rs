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
        .ok_or_else(|| Error::unsafe_entry(entry, "outside of the directory being unpacked"))?;
    let mut ancestor = rel.parent();
    while let Some(dir) = ancestor.filter(|d| !d.as_os_str().is_empty()) {
        let on_disk = base_abs.join(dir);
        match fs::symlink_metadata(&on_disk) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::unsafe_entry(entry, "symbolic link in path"));
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
    check_link_text(link, target)?;
    let destination = if target.has_root() {
        target.to_path_buf()
    } else {
        link.parent().unwrap_or(base_abs).join(target)
    };
    entry_relative_path(base_abs, base_name, &clean(&destination))?;
    check_symlink_escape(base_abs, &destination, true).map_err(Error::in_archive)?;
    Ok(destination)
}

/// Accepts the text of a symbolic or hard link only when it is already
/// clean, so that the kernel follows exactly the path the lexical check
/// saw: `..` components only at the start of a relative text, `.` only as
/// its first component (or as the whole text), no empty component (`//`,
/// a trailing `/`), and no `.` or `..` at all in an absolute text (which
/// must then lie inside the directory being unpacked, as before).
///
/// Without this, `hop/hop/../../x` passes every check while `hop` does
/// not exist, and climbs out once another layer makes `hop -> .`: each
/// layer's checks are sound alone, but they do not compose.
pub(crate) fn check_link_text(link: &Path, text: &Path) -> Result<()> {
    let bytes = crate::platform::path_bytes(text);
    if bytes.is_empty() {
        return Err(Error::unsafe_entry(link, "empty link target"));
    }
    if bytes.as_ref() == b"." {
        return Ok(());
    }
    let absolute = bytes.starts_with(b"/");
    let body = if absolute { &bytes[1..] } else { &bytes[..] };
    let mut named = false;
    for (i, part) in body.split(|b| *b == b'/').enumerate() {
        match part {
            b"" => {
                return Err(Error::unsafe_entry(
                    link,
                    "link target is not clean: empty component",
                ));
            }
            b"." if i == 0 && !absolute => {}
            b"." => {
                return Err(Error::unsafe_entry(
                    link,
                    "link target is not clean: '.' component",
                ));
            }
            b".." if named || absolute => {
                return Err(Error::unsafe_entry(
                    link,
                    "link target is not clean: '..' after a name",
                ));
            }
            b".." => {}
            _ => named = true,
        }
    }
    Ok(())
}

/// Whether `rel`, a path beneath `root` (the real path of the working
/// directory: no links in it), stays beneath `root` when every symbolic
/// link in it is followed, its last component too, as the kernel would.
/// Walked with `lstat` and `readlink` only, nothing is opened or followed
/// outside. It leaves when a `..` climbs above `root`, when an absolute
/// link text does not start with `root` (or with `alias`, the working
/// directory as it was given), or after 40 links (a loop). Components
/// that do not exist are taken lexically.
pub(crate) fn resolves_beneath(root: &Path, alias: &Path, rel: &Path) -> Result<bool> {
    use std::collections::VecDeque;
    let mut steps: VecDeque<Step> = rel.components().filter_map(Step::of).collect();
    let mut current = root.to_path_buf();
    let mut hops = 0;
    while let Some(step) = steps.pop_front() {
        match step {
            Step::Up => {
                if current == root {
                    return Ok(false);
                }
                current.pop();
            }
            Step::Name(name) => {
                let next = current.join(&name);
                match fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        hops += 1;
                        if hops > 40 {
                            return Ok(false);
                        }
                        let text = fs::read_link(&next)
                            .map_err(|e| Error::io(format!("reading {}", next.display()), e))?;
                        let rest: Vec<Step> = if text.has_root() {
                            let text = clean(&text);
                            let Some(inside) = text
                                .strip_prefix(root)
                                .ok()
                                .or_else(|| text.strip_prefix(alias).ok())
                            else {
                                return Ok(false);
                            };
                            current = root.to_path_buf();
                            inside.components().filter_map(Step::of).collect()
                        } else {
                            text.components().filter_map(Step::of).collect()
                        };
                        for step in rest.into_iter().rev() {
                            steps.push_front(step);
                        }
                    }
                    Ok(_) => current = next,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => current = next,
                    Err(e) => {
                        return Err(Error::io(format!("inspecting {}", next.display()), e));
                    }
                }
            }
        }
    }
    Ok(within(root, &current))
}

/// One step of a walk: up, or into a name.
enum Step {
    Up,
    Name(std::ffi::OsString),
}

impl Step {
    fn of(component: Component<'_>) -> Option<Step> {
        match component {
            Component::ParentDir => Some(Step::Up),
            Component::Normal(name) => Some(Step::Name(name.to_os_string())),
            _ => None,
        }
    }
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
            assert!(matches!(err, Error::UnsafeEntry { .. }), "{hostile}: {err}");
        }
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn only_clean_link_texts_pass() {
        let link = Path::new("t/l");
        for good in [".", "a", "a/b", "../a", "../../a/b", "./a", "/abs/x", ".."] {
            assert!(check_link_text(link, Path::new(good)).is_ok(), "{good}");
        }
        for bad in [
            "",
            "hop/hop/hop/../../../victim",
            "a/..",
            "a/./b",
            "a//b",
            "a/",
            "/abs/../x",
            "/abs/./x",
            "/",
        ] {
            let err = check_link_text(link, Path::new(bad)).unwrap_err();
            assert!(matches!(err, Error::UnsafeEntry { .. }), "{bad}: {err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn walks_links_without_leaving() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(root.join("t")).unwrap();
        symlink(".", root.join("t/hop")).unwrap();
        symlink("hop/hop/hop/../../../victim", root.join("t/out")).unwrap();
        symlink("hop/x", root.join("t/in")).unwrap();
        symlink("missing", root.join("t/dangling")).unwrap();
        symlink("loop", root.join("t/loop")).unwrap();
        symlink(root.join("t"), root.join("abs")).unwrap();
        symlink("/etc", root.join("etc")).unwrap();
        let ok = |rel: &str| resolves_beneath(&root, dir.path(), Path::new(rel)).unwrap();
        assert!(!ok("t/out"));
        assert!(!ok("t/out/x"));
        assert!(ok("t/in"));
        assert!(ok("t/dangling"));
        assert!(!ok("t/loop"));
        assert!(ok("abs/hop/x"));
        assert!(!ok("etc"));
        assert!(!ok(".."));
    }
}
