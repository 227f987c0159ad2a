//! Writing files so that a crash or a failing disk leaves either the old contents or the new,
//! never a partial file: a side file is written and flushed, then moved (or linked) into place,
//! and the directory flushed. The same steps the server takes for the secrets dev mode keeps.

use std::{
    io::{self, Write as _},
    path::Path,
};

/// Writes `bytes` to a new file at `path`, mode 0600; fails if `path` exists.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let side = side_file(path, "new");
    // A side file left by a crash holds nothing anyone used.
    let _ = std::fs::remove_file(&side);
    write_flushed(&side, bytes)?;
    // A link, not a rename: like `create_new`, it never replaces a file made meanwhile.
    let linked = std::fs::hard_link(&side, path);
    let _ = std::fs::remove_file(&side);
    linked?;
    sync_dir(path)
}

/// Replaces the file at `path` (or creates it) with `bytes`, mode 0600, atomically.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let side = side_file(path, "tmp");
    let _ = std::fs::remove_file(&side);
    write_flushed(&side, bytes)?;
    if let Err(e) = std::fs::rename(&side, path) {
        let _ = std::fs::remove_file(&side);
        return Err(e);
    }
    sync_dir(path)
}

/// Removes the file at `path` and flushes its directory.
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    std::fs::remove_file(path)?;
    sync_dir(path)
}

fn side_file(path: &Path, suffix: &str) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{suffix}"))
}

fn write_flushed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = std::fs::remove_file(path);
    }
    written
}

fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}
