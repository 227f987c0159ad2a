//! A key set on disk: one PKCS#8 PEM per key, named by its kid (`<kid>.pem`, mode 0600), and a
//! small state file (`keys.json`) saying which key is active, which is next and when each retired
//! one stopped signing. Every write goes to a side file that is flushed, then moved into place,
//! and the directory flushed: a crash leaves the old state or the new, never half of one.

use std::path::{Path, PathBuf};

use crate::{
    KEY_STATE_FILE, KeyEntry, KeyError, KeyRole, KeySet, KeySetError, PublicKey, Result,
    SigningKey, UnixTime, atomic_file, key_set::RetiredKey, key_state::State,
};

/// A key directory and its state, read once; each change is written through at once.
///
/// ```
/// use synerise_auth_token::{KeyDir, KeyRole, SigningKey, UnixTime};
///
/// let dir = tempfile::tempdir().unwrap();
/// let now = UnixTime::from_secs(1_700_000_000);
/// let mut keys = KeyDir::create(dir.path(), &SigningKey::generate(2048).unwrap(), now).unwrap();
/// let next = SigningKey::generate(2048).unwrap();
/// keys.add_next(&next, now).unwrap();
/// keys.activate(now).unwrap();
/// let set = KeyDir::open(dir.path()).unwrap().load().unwrap();
/// assert_eq!(set.active().public_key(), next.public_key());
/// assert_eq!(set.retired().len(), 1);
/// ```
#[derive(Debug)]
pub struct KeyDir {
    dir: PathBuf,
    state: State,
}

impl KeyDir {
    /// Whether `dir` holds a key set (its state file exists).
    #[must_use]
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEY_STATE_FILE).exists()
    }

    /// Makes a key set in `dir` (created 0700 if absent) whose active key is `active`.
    ///
    /// # Errors
    /// [`KeySetError::Exists`] when `dir` already holds a key set; an I/O error naming the file.
    pub fn create(dir: &Path, active: &SigningKey, now: UnixTime) -> Result<Self> {
        if Self::exists(dir) {
            return Err(KeySetError::Exists(dir.to_owned()).into());
        }
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|source| KeySetError::Io {
                action: "create",
                path: dir.to_owned(),
                source,
            })?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(
                    |source| KeySetError::Io {
                        action: "restrict",
                        path: dir.to_owned(),
                        source,
                    },
                )?;
            }
        }
        let mut keys = Self {
            dir: dir.to_owned(),
            state: State {
                version: 1,
                keys: Vec::new(),
            },
        };
        let kid = keys.write_key(active)?;
        keys.state.keys.push(KeyEntry {
            kid,
            role: KeyRole::Active,
            created_at: now.as_secs(),
            retired_at: None,
        });
        keys.save()?;
        Ok(keys)
    }

    /// Reads the state of the key set in `dir` (the keys themselves are read by
    /// [`load`](Self::load)).
    ///
    /// # Errors
    /// When the state file cannot be read or is not one this version writes.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(KEY_STATE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| KeySetError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let invalid = |reason: String| KeySetError::State {
            path: path.clone(),
            reason,
        };
        let state = State::parse(&text).map_err(invalid)?;
        let mut keys = Self {
            dir: dir.to_owned(),
            state,
        };
        keys.sort();
        Ok(keys)
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The keys as listed: the active one first, then the next one, then the retired ones,
    /// newest first.
    #[must_use]
    pub fn entries(&self) -> &[KeyEntry] {
        &self.state.keys
    }

    /// The file a key is kept in.
    #[must_use]
    pub fn key_path(&self, kid: &str) -> PathBuf {
        self.dir.join(format!("{kid}.pem"))
    }

    /// The active key's entry.
    #[must_use]
    pub fn active(&self) -> &KeyEntry {
        // `open` and every change keep exactly one active key, sorted first.
        &self.state.keys[0]
    }

    /// The next key's entry, when one is waiting.
    #[must_use]
    pub fn next(&self) -> Option<&KeyEntry> {
        self.state.keys.iter().find(|k| k.role == KeyRole::Next)
    }

    /// Reads and checks every key of the set.
    ///
    /// # Errors
    /// The first key file that cannot be read or used (missing, encrypted, not RSA, under 2048
    /// bits...), or that holds another key than its name says, named with the reason.
    pub fn load(&self) -> Result<KeySet> {
        let mut active = None;
        let mut next = None;
        let mut retired = Vec::new();
        for entry in &self.state.keys {
            let path = self.key_path(&entry.kid);
            let key = SigningKey::from_file(&path)?;
            if key.public_key().thumbprint() != entry.kid {
                return Err(KeyError::Refused {
                    origin: path.display().to_string(),
                    reason: format!(
                        "holds the key {}, not the key {} its name says",
                        key.public_key().thumbprint(),
                        entry.kid
                    ),
                }
                .into());
            }
            match (entry.role, entry.retired_at) {
                (KeyRole::Active, _) => active = Some(key),
                (KeyRole::Next, _) => next = Some(key.public_key().clone()),
                (KeyRole::Retired, at) => retired.push(RetiredKey {
                    public: key.public_key().clone(),
                    retired_at: UnixTime::from_secs(at.unwrap_or_default()),
                }),
            }
        }
        let active = active.ok_or_else(|| KeySetError::State {
            path: self.dir.join(KEY_STATE_FILE),
            reason: "lists no active key".into(),
        })?;
        Ok(KeySet::new(active, next, retired))
    }

    /// Adds `key` as the next key: published, not signing.
    ///
    /// # Errors
    /// [`KeySetError::NextKeyWaiting`] when a next key is already waiting; I/O errors.
    pub fn add_next(&mut self, key: &SigningKey, now: UnixTime) -> Result<()> {
        if let Some(next) = self.next() {
            return Err(KeySetError::NextKeyWaiting(next.kid.clone()).into());
        }
        let kid = key.public_key().thumbprint();
        if self.state.keys.iter().any(|k| k.kid == kid) {
            return Err(KeySetError::State {
                path: self.dir.join(KEY_STATE_FILE),
                reason: format!("already lists the key {kid}"),
            }
            .into());
        }
        let kid = self.write_key(key)?;
        self.state.keys.push(KeyEntry {
            kid,
            role: KeyRole::Next,
            created_at: now.as_secs(),
            retired_at: None,
        });
        self.sort();
        self.save()
    }

    /// Makes the next key active; the active one retires as of `now`. Returns the kids of the
    /// retired key and of the new active one.
    ///
    /// # Errors
    /// [`KeySetError::NoNextKey`] when no next key is waiting; I/O errors.
    pub fn activate(&mut self, now: UnixTime) -> Result<(String, String)> {
        if self.next().is_none() {
            return Err(KeySetError::NoNextKey.into());
        }
        let mut old = String::new();
        let mut new = String::new();
        for entry in &mut self.state.keys {
            match entry.role {
                KeyRole::Active => {
                    entry.role = KeyRole::Retired;
                    entry.retired_at = Some(now.as_secs());
                    old.clone_from(&entry.kid);
                }
                KeyRole::Next => {
                    entry.role = KeyRole::Active;
                    new.clone_from(&entry.kid);
                }
                KeyRole::Retired => {}
            }
        }
        self.sort();
        self.save()?;
        Ok((old, new))
    }

    /// Drops `kid` from the set: the next key (it never signed) or a retired key, whose tokens
    /// then stop verifying here. Its file is deleted. Returns the role it had.
    ///
    /// # Errors
    /// [`KeySetError::RetireActive`] for the active key, [`KeySetError::UnknownKid`] for a kid
    /// not in the set; I/O errors.
    pub fn retire(&mut self, kid: &str) -> Result<KeyRole> {
        let Some(index) = self.state.keys.iter().position(|k| k.kid == kid) else {
            return Err(KeySetError::UnknownKid(kid.to_owned()).into());
        };
        let role = self.state.keys[index].role;
        if role == KeyRole::Active {
            return Err(KeySetError::RetireActive(kid.to_owned()).into());
        }
        self.state.keys.remove(index);
        self.save()?;
        // The state no longer lists it: a file left by a failure here is never read.
        let path = self.key_path(kid);
        atomic_file::remove(&path).map_err(|source| KeySetError::Io {
            action: "delete",
            path,
            source,
        })?;
        Ok(role)
    }

    /// The public key of `kid`, read from its file.
    ///
    /// # Errors
    /// When the file cannot be read or used.
    pub fn public_key(&self, kid: &str) -> Result<PublicKey> {
        Ok(SigningKey::from_file(&self.key_path(kid))?
            .public_key()
            .clone())
    }

    fn sort(&mut self) {
        self.state.sort();
    }

    /// Writes `key` to `<kid>.pem` (a new file, 0600) and returns the kid.
    fn write_key(&self, key: &SigningKey) -> Result<String> {
        let kid = key.public_key().thumbprint().to_owned();
        let path = self.key_path(&kid);
        let pem = key.to_pkcs8_pem()?;
        atomic_file::write_new(&path, pem.as_bytes()).map_err(|source| KeyError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(kid)
    }

    fn save(&self) -> Result<()> {
        let path = self.dir.join(KEY_STATE_FILE);
        let mut text =
            serde_json::to_string_pretty(&self.state).map_err(|e| KeySetError::State {
                path: path.clone(),
                reason: format!("cannot be written ({e})"),
            })?;
        text.push('\n');
        atomic_file::replace(&path, text.as_bytes()).map_err(|source| {
            KeySetError::Io {
                action: "write",
                path,
                source,
            }
            .into()
        })
    }
}

impl KeySet {
    /// Loads a key file (a set of one) or a key directory.
    ///
    /// # Errors
    /// The first key or state file that cannot be read or used, named with the reason.
    pub fn load(path: &Path) -> Result<Self> {
        if path.is_dir() {
            KeyDir::open(path)?.load()
        } else {
            Ok(Self::single(SigningKey::from_file(path)?))
        }
    }
}
