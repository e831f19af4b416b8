//! The local file system, done by hand where `object_store`'s local store does not fit:
//! - writes go to a hidden temporary file beside the target (`.trainready-tmp.<pid>.<n>.<name>`)
//!   and are renamed into place, so a reader sees the old file or the new one, and a killed
//!   process never leaves a file that looks like data (`object_store` leaves `<name>#<n>`);
//! - create-only writes hard-link the temporary file to the target, which fails atomically when
//!   the target exists;
//! - copies are hard links (atomic, no temporary file at all), falling back to a write across
//!   file systems;
//! - listings walk the tree themselves and skip, with a warning naming them, what cannot be an
//!   object (symlink loops, non-UTF-8 names, FIFOs, sockets, devices), instead of failing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use object_store::path::Path as ObjPath;

use super::Listed;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The prefix of temporary files (a leftover of a killed process is hidden, and `verify` still
/// reports one under a release).
pub const TMP_PREFIX: &str = ".trainready-tmp.";

fn temp_beside(path: &Path) -> std::io::Result<PathBuf> {
    let parent = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent folder"))?;
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(parent.join(format!("{TMP_PREFIX}{}.{n}.{name}", std::process::id())))
}

fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = temp_beside(path)?;
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Write `bytes` to `path` atomically (temporary file + rename).
pub fn put(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_temp(path, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Write `bytes` to `path` only if it does not exist: `Ok(false)` when it did.
pub fn put_create(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let tmp = write_temp(path, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Copy `from` to `to`, replacing `to`: a hard link when both are on one file system (no bytes
/// move and nothing temporary is ever visible at `to`'s name), else a write.
pub fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if same_file(from, to) {
                return Ok(());
            }
            // Replace atomically: link to a temporary name, then rename over. (A rename onto
            // a link of the same file does nothing and leaves the temporary name: remove it.)
            let tmp = temp_beside(to)?;
            match std::fs::hard_link(from, &tmp) {
                Ok(()) => {
                    let renamed = std::fs::rename(&tmp, to);
                    let _ = std::fs::remove_file(&tmp);
                    renamed
                }
                Err(_) => put(to, &std::fs::read(from)?),
            }
        }
        // Another file system, or links not supported.
        Err(_) => put(to, &std::fs::read(from)?),
    }
}

/// Whether two paths are the same file (device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Every regular file below `root` (following symlinks), sorted by path. What cannot be an
/// object is skipped with a warning naming it.
pub fn list(root: &Path) -> Vec<Listed> {
    if !root.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if e.loop_ancestor().is_some() {
                    tracing::warn!(path = %path, "skipped: a symbolic link loop");
                } else {
                    tracing::warn!(path = %path, error = %e, "skipped: cannot be read");
                }
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let path = entry.path();
        if path.file_name().and_then(|n| n.to_str()).is_none() {
            tracing::warn!(path = %path.to_string_lossy(), "skipped: a file name that is not UTF-8");
            continue;
        }
        if !ft.is_file() {
            tracing::warn!(path = %path.to_string_lossy(), "skipped: not a regular file (a FIFO, socket or device)");
            continue;
        }
        if path.to_str().is_none() {
            tracing::warn!(path = %path.to_string_lossy(), "skipped: a path that is not UTF-8");
            continue;
        }
        let Ok(location) = ObjPath::from_absolute_path(path) else {
            tracing::warn!(path = %path.to_string_lossy(), "skipped: not a valid object path");
            continue;
        };
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push(Listed { location, size });
    }
    out.sort_by(|a, b| a.location.cmp(&b.location));
    out
}
