//! Files in the data directory: the directory itself and the secrets dev mode keeps there.

use std::path::Path;

use anyhow::Context as _;

/// Creates the data directory (0700) if it does not exist.
pub(crate) fn ensure_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data dir {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot restrict data dir {}", dir.display()))?;
        }
    }
    Ok(())
}

/// Reads a one-line secret from `path`, or makes one (256 random bits, hex) and stores it 0600.
///
/// A new secret is written to a side file, flushed to disk, then linked into place and the
/// directory flushed, so that a crash or a failing disk leaves either no file (a new secret is
/// made next time) or the whole secret, never an empty or partial one that a restart would take.
pub(crate) fn read_or_create_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let text = text.trim().to_owned();
        anyhow::ensure!(
            !text.is_empty(),
            "{} is empty; delete it to have a new one made",
            path.display()
        );
        return Ok(text);
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let side = path.with_extension("new");
    let cannot = |what: &str| format!("cannot {what} {}", path.display());
    // A side file left by a crash is never a secret anyone used.
    let _ = std::fs::remove_file(&side);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&side).with_context(|| cannot("create"))?;
    std::io::Write::write_all(&mut file, secret.as_bytes()).with_context(|| cannot("write"))?;
    file.sync_all().with_context(|| cannot("flush"))?;
    drop(file);
    // A link, not a rename: like `create_new`, it never replaces a secret made meanwhile.
    let linked = std::fs::hard_link(&side, path);
    let _ = std::fs::remove_file(&side);
    linked.with_context(|| cannot("create"))?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| cannot("flush the directory of"))?;
    }
    Ok(secret)
}
