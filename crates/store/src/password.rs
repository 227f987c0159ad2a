//! The password policy and argon2id hashing, shared by every backend.
//!
//! Hashing and verification take tens of milliseconds of CPU by design, so they run on tokio's
//! blocking pool, never on the async worker threads, and within a bound
//! ([`PasswordHashing`](crate::PasswordHashing)).

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{self, Salt, SaltString},
};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use crate::{Result, StoreError};

/// The fewest characters (Unicode scalar values, as typed: nothing is trimmed or normalised) a
/// new password may have.
///
/// 12: OWASP ASVS 5.0 (V6.2.1) accepts 8 but strongly recommends 15, and NIST SP 800-63B-4 asks for
/// 15 when the password is the only factor, as here. 12 is the middle ground for a site's customer
/// accounts (a passphrase of three short words passes); no composition rules, as both advise.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The most bytes (UTF-8) a password may have. Long enough for any passphrase or password
/// manager (both standards ask for at least 64 characters), short enough that nobody can make the
/// server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// OWASP Password Storage Cheat Sheet's argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// A hash of a random password that nobody knows, with the current parameters. Unknown accounts
/// are verified against it so that a wrong email takes as long as a wrong password (and the
/// answer cannot tell which). A test checks its parameters match the ones above.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$/BGjAfo9pLOSt3nlg+MrMA$\
                         qY2vlsrXfaTUZwnX7iPn0tmbWcWeKlIGxVjzcfm0dvs";

/// Checks a new password against the policy: at least [`MIN_PASSWORD_CHARS`] characters and at
/// most [`MAX_PASSWORD_BYTES`] bytes.
///
/// ```
/// use secrecy::SecretString;
/// use synerise_auth_store::check_password_policy;
/// assert!(check_password_policy(&SecretString::from("correct horse battery")).is_ok());
/// let short = check_password_policy(&SecretString::from("hunter2")).unwrap_err();
/// assert_eq!(short.code(), "password_too_short");
/// ```
///
/// # Errors
/// [`StoreError::PasswordTooLong`] or [`StoreError::PasswordTooShort`].
pub fn check_password_policy(password: &SecretString) -> Result<()> {
    let text = password.expose_secret();
    // Bytes first: counting the characters of a huge input is itself work.
    if text.len() > MAX_PASSWORD_BYTES {
        return Err(StoreError::PasswordTooLong {
            max_bytes: MAX_PASSWORD_BYTES,
        });
    }
    if text.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::PasswordTooShort {
            min_chars: MIN_PASSWORD_CHARS,
        });
    }
    Ok(())
}

/// What a password check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum PasswordCheck {
    /// The password is wrong (or the account does not exist).
    Mismatch,
    /// The password is right and the stored hash uses the current parameters.
    Match,
    /// The password is right but the stored hash uses older parameters: store a new hash.
    MatchOutdated,
}

impl PasswordCheck {
    /// Whether the password was right.
    #[must_use]
    pub const fn is_match(self) -> bool {
        !matches!(self, Self::Mismatch)
    }
}

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .map_err(|e| StoreError::PasswordHashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub(crate) fn hash_now(password: &SecretString) -> Result<String> {
    let mut salt = [0_u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt);
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| StoreError::PasswordHashing(e.to_string()))?;
    let hash = hasher()?
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| StoreError::PasswordHashing(e.to_string()))?;
    Ok(hash.to_string())
}

pub(crate) fn verify_now(password: &SecretString, phc: &str) -> Result<PasswordCheck> {
    let parsed =
        PasswordHash::new(phc).map_err(|_| StoreError::Corrupt("a password hash is unreadable"))?;
    // The stored string's own algorithm and parameters are used, so old hashes still verify.
    match Argon2::default().verify_password(password.expose_secret().as_bytes(), &parsed) {
        Ok(()) if is_current(&parsed) => Ok(PasswordCheck::Match),
        Ok(()) => Ok(PasswordCheck::MatchOutdated),
        Err(password_hash::Error::Password) => Ok(PasswordCheck::Mismatch),
        Err(_) => Err(StoreError::Corrupt("a password hash is unreadable")),
    }
}

/// Verifies against the dummy hash: the same work as a real check, always a mismatch.
pub(crate) fn verify_dummy_now(password: &SecretString) -> Result<PasswordCheck> {
    verify_now(password, DUMMY_PHC).map(|_| PasswordCheck::Mismatch)
}

/// Whether a stored hash was made with today's algorithm, version and parameters.
fn is_current(hash: &PasswordHash<'_>) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return false;
    };
    hash.algorithm == argon2::ARGON2ID_IDENT
        && hash.version == Some(Version::V0x13.into())
        && params.m_cost() == M_COST_KIB
        && params.t_cost() == T_COST
        && params.p_cost() == P_COST
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text)
    }

    async fn hash_password(password: SecretString) -> Result<String> {
        crate::PasswordHashing::default().hash(password).await
    }

    async fn verify_password_hash(
        password: SecretString,
        stored_phc: Option<String>,
    ) -> Result<PasswordCheck> {
        crate::PasswordHashing::default()
            .verify(password, stored_phc)
            .await
    }

    #[test]
    fn policy_boundaries() {
        assert!(matches!(
            check_password_policy(&secret("")),
            Err(StoreError::PasswordTooShort { min_chars: 12 })
        ));
        assert!(matches!(
            check_password_policy(&secret("elevenchars")),
            Err(StoreError::PasswordTooShort { .. })
        ));
        assert!(check_password_policy(&secret("twelve chars")).is_ok());
        assert!(check_password_policy(&secret(&"x".repeat(1024))).is_ok());
        assert!(matches!(
            check_password_policy(&secret(&"x".repeat(1025))),
            Err(StoreError::PasswordTooLong { max_bytes: 1024 })
        ));
    }

    #[test]
    fn policy_counts_characters_not_bytes_for_the_minimum() {
        // 11 characters of 2 bytes each: 22 bytes, still too short.
        let eleven = "é".repeat(11);
        assert_eq!(eleven.len(), 22);
        assert!(matches!(
            check_password_policy(&secret(&eleven)),
            Err(StoreError::PasswordTooShort { .. })
        ));
        assert!(check_password_policy(&secret(&"é".repeat(12))).is_ok());
        // ...but bytes for the maximum: 513 two-byte characters are 1026 bytes.
        assert!(matches!(
            check_password_policy(&secret(&"é".repeat(513))),
            Err(StoreError::PasswordTooLong { .. })
        ));
    }

    #[test]
    fn policy_does_not_trim() {
        assert!(matches!(
            check_password_policy(&secret("   short   ")),
            Err(StoreError::PasswordTooShort { .. })
        ));
        assert!(check_password_policy(&secret("  spaces count")).is_ok());
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let phc = hash_password(secret("correct horse battery"))
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert_eq!(
            verify_password_hash(secret("correct horse battery"), Some(phc.clone()))
                .await
                .unwrap(),
            PasswordCheck::Match
        );
        assert_eq!(
            verify_password_hash(secret("correct horse batterY"), Some(phc))
                .await
                .unwrap(),
            PasswordCheck::Mismatch
        );
    }

    #[tokio::test]
    async fn salts_differ() {
        let a = hash_password(secret("same password!")).await.unwrap();
        let b = hash_password(secret("same password!")).await.unwrap();
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn unknown_account_is_a_mismatch_after_real_work() {
        assert_eq!(
            verify_password_hash(secret("anything at all"), None)
                .await
                .unwrap(),
            PasswordCheck::Mismatch
        );
    }

    #[test]
    fn dummy_hash_uses_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_PHC).unwrap();
        assert!(
            is_current(&parsed),
            "DUMMY_PHC must be re-made when the parameters change"
        );
        // A real hash (not a placeholder), so verifying against it costs what a real one does.
        assert_eq!(parsed.hash.unwrap().len(), 32);
        assert_eq!(
            verify_now(&secret("not the dummy password"), DUMMY_PHC).unwrap(),
            PasswordCheck::Mismatch
        );
    }

    #[tokio::test]
    async fn older_parameters_still_verify_but_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = weak
            .hash_password(b"an old password", &salt)
            .unwrap()
            .to_string();
        assert_eq!(
            verify_password_hash(secret("an old password"), Some(phc.clone()))
                .await
                .unwrap(),
            PasswordCheck::MatchOutdated
        );
        assert_eq!(
            verify_password_hash(secret("a wrong password"), Some(phc))
                .await
                .unwrap(),
            PasswordCheck::Mismatch
        );
    }

    #[tokio::test]
    async fn corrupt_hash_is_an_error_not_a_match() {
        let err = verify_password_hash(secret("whatever it is"), Some("not a hash".into()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_corrupt");
    }

    #[tokio::test]
    async fn overlong_passwords_are_refused_without_hashing() {
        let phc = hash_password(secret("a fine password")).await.unwrap();
        assert_eq!(
            verify_password_hash(secret(&"x".repeat(1025)), Some(phc))
                .await
                .unwrap(),
            PasswordCheck::Mismatch
        );
    }
}
