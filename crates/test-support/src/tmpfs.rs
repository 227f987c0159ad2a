//! A tmpfs mounted for one test.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// `errno` for "no space left on device".
const ENOSPC: i32 = 28;

/// A small tmpfs mounted on a fresh directory, unmounted when dropped, also when a test fails
/// (detached lazily if a store or a server still has files open on it).
///
/// ```no_run
/// use synerise_auth_test_support::Tmpfs;
///
/// let Some(disk) = Tmpfs::mount("2m") else {
///     return; // not root: the test is skipped, and says so
/// };
/// let filler = disk.fill();
/// // ... writes on `disk.path()` now fail with ENOSPC ...
/// std::fs::remove_file(filler).unwrap();
/// ```
#[derive(Debug)]
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` reads it: `"2m"`) on a fresh directory
    /// readable by its owner only. `None`, with a line on stderr saying why, when mounting is
    /// not possible (not root), so that the test can skip itself.
    ///
    /// # Panics
    /// When no temporary directory can be made.
    #[must_use]
    pub fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory to mount on");
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self { dir }),
            Ok(out) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs (needs root): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                None
            }
        }
    }

    /// Where it is mounted.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system with one file until the kernel says it is full; the file's path
    /// (remove it to free the space).
    ///
    /// # Panics
    /// When the file cannot be created, or a write fails for another reason than a full disk.
    #[must_use]
    pub fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).expect("the filler file");
        let chunk = vec![0xa5_u8; 16 * 1024];
        loop {
            match file.write_all(&chunk) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(ENOSPC) => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // The last partial chunk may have left a few bytes free: take them with small writes.
        while file.write_all(&[0; 512]).is_ok() {}
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let succeeded = |out: std::io::Result<Output>| out.is_ok_and(|out| out.status.success());
        if !succeeded(Command::new("umount").arg(self.dir.path()).output()) {
            // Still in use (a connection left open by a failed test): detach it anyway.
            let _detached = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .output();
        }
    }
}
