//! `[password_hashing]`: the bound on argon2id hashes (sign-in, sign-up).

use std::num::NonZeroUsize;

use synerise_auth_store::HashingLimits;

use super::{SettingsError, declare::declare_layer, values::count};

declare_layer! {
    /// `[password_hashing]`: how many password hashes run and wait at once.
    pub struct PasswordHashingLayer in "password_hashing" {
        max_running: u32, default "one per CPU",
            "argon2id hashes (sign-in, sign-up) running at once";
        queue: u32, default "four per CPU",
            "hashes waiting for a place; beyond, 503 `busy` with `Retry-After` at once";
    }
}

impl PasswordHashingLayer {
    /// Defaults, and checks at least one hash may run.
    pub(crate) fn resolve(&self) -> Result<HashingLimits, SettingsError> {
        let defaults = HashingLimits::default();
        let running = match self.max_running {
            None => defaults.running,
            Some(n) => NonZeroUsize::new(count(n)).ok_or_else(|| {
                SettingsError::setting("password_hashing.max_running", "must be at least 1")
            })?,
        };
        Ok(HashingLimits {
            running,
            queued: self.queue.map_or(defaults.queued, count),
        })
    }
}
