//! Who may read the private keys: the owner only, as OpenSSH requires of an identity file.

use std::path::Path;

use crate::config::Mode;

/// [`check_key_permissions`] for a key file, or for every key of a key directory.
pub(crate) fn check_key_set_permissions(path: &Path, mode: Mode) -> anyhow::Result<()> {
    if !path.is_dir() {
        return check_key_permissions(path, mode);
    }
    let keys = synerise_auth_token::KeyDir::open(path)?;
    for entry in keys.entries() {
        check_key_permissions(&keys.key_path(&entry.kid), mode)?;
    }
    Ok(())
}

/// A private key readable by other users is refused in production (as OpenSSH refuses such an
/// identity file) and warned about in dev mode.
pub(crate) fn check_key_permissions(path: &Path, mode: Mode) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            let bits = format!("{:o}", meta.permissions().mode() & 0o777);
            anyhow::ensure!(
                mode != Mode::Production,
                "the private key {} is readable by other users (mode {bits}); run `chmod 600 {}`",
                path.display(),
                path.display()
            );
            tracing::warn!(
                key = %path.display(),
                mode = bits,
                "the private key file is readable by other users; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
