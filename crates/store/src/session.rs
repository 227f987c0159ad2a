//! Server-side sessions: the secret token handed to the browser once, what is stored about it,
//! and the trait every backend implements.

use std::{fmt, time::Duration};

use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use synerise_auth_token::{Email, UnixTime};

use crate::{AccountId, Result, StoreError};

/// Random bytes in a session token (256 bits; the issue asks for at least 128).
const TOKEN_BYTES: usize = 32;
/// Characters of a token's unpadded base64url text.
const TOKEN_CHARS: usize = 43;

/// The secret a signed-in browser holds (in its session cookie): 32 random bytes as unpadded
/// base64url (43 characters). It is handed out once, by [`SessionStore::create`]; the store keeps
/// only its [`SessionTokenHash`].
///
/// It does not print (`Debug` is redacted, there is no `Display`), compares in constant time, and
/// its memory is zeroed when dropped.
///
/// ```
/// use synerise_auth_store::SessionToken;
/// let token = SessionToken::generate();
/// assert_eq!(token.expose_secret().len(), 43);
/// assert_eq!(format!("{token:?}"), "SessionToken(<redacted>)");
/// let again = SessionToken::parse(token.expose_secret()).unwrap();
/// assert_eq!(again, token);
/// assert!(SessionToken::parse("not a token").is_err());
/// ```
#[derive(Clone)]
pub struct SessionToken {
    text: SecretString,
    hash: SessionTokenHash,
}

impl SessionToken {
    /// A new random token, from the operating system's generator (through `rand::rng()`, a
    /// cryptographically secure generator seeded from the OS).
    #[must_use]
    pub fn generate() -> Self {
        let mut bytes = [0_u8; TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let token = Self::from_bytes(&bytes);
        bytes.fill(0);
        token
    }

    /// Reads a token back from its text (a cookie's value). Only checks its form: whether a
    /// session exists is [`SessionStore::lookup`]'s business.
    ///
    /// # Errors
    /// [`StoreError::MalformedSessionToken`] unless the text is 43 characters of base64url that
    /// decode to 32 bytes.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() != TOKEN_CHARS {
            return Err(StoreError::MalformedSessionToken);
        }
        let mut bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| StoreError::MalformedSessionToken)?;
        let token = <[u8; TOKEN_BYTES]>::try_from(bytes.as_slice())
            .map(|array| Self::from_bytes(&array))
            .map_err(|_| StoreError::MalformedSessionToken);
        bytes.fill(0);
        token
    }

    fn from_bytes(bytes: &[u8; TOKEN_BYTES]) -> Self {
        Self {
            text: SecretString::from(URL_SAFE_NO_PAD.encode(bytes)),
            hash: SessionTokenHash(Sha256::digest(bytes).into()),
        }
    }

    /// The token's text, to put in the cookie. Never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.text.expose_secret()
    }

    /// The SHA-256 of the token's 32 bytes: what the store keeps and looks sessions up by.
    #[must_use]
    pub const fn hash(&self) -> &SessionTokenHash {
        &self.hash
    }
}

impl PartialEq for SessionToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret()
            .as_bytes()
            .ct_eq(other.expose_secret().as_bytes())
            .into()
    }
}

impl Eq for SessionToken {}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// SHA-256 of a session token: what a backend stores. A database leak therefore yields no
/// usable session, and a plain hash is enough (no salt or slow hash) because the token is 256
/// random bits, not something a person chose.
#[derive(Clone, Copy, Eq)]
pub struct SessionTokenHash([u8; 32]);

impl SessionTokenHash {
    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A short tag for logs (the first 12 hex digits of the hash): tells sessions apart in
    /// logs without revealing anything that would let someone use one.
    #[must_use]
    pub fn log_tag(&self) -> String {
        self.0.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }
}

impl PartialEq for SessionTokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for SessionTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionTokenHash({}..)", self.log_tag())
    }
}

/// A live session, as [`SessionStore::create`] and [`SessionStore::lookup`] return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The signed-in account.
    pub account_id: AccountId,
    /// The account's email address, as stored (the token's email must be this one).
    pub email: Email,
    /// When the session was created (sign-in).
    pub created_at: UnixTime,
    /// When the session was last seen in use, to within [`touch_interval_secs`].
    pub last_seen: UnixTime,
    /// When the session ends unless it is used before: `last_seen` + the idle lifetime.
    pub idle_expires_at: UnixTime,
    /// When the session ends however much it is used: `created_at` + the absolute lifetime.
    pub expires_at: UnixTime,
}

impl Session {
    /// The earlier of the two expiries: the session is valid strictly before this time.
    #[must_use]
    pub fn valid_until(&self) -> UnixTime {
        self.idle_expires_at.min(self.expires_at)
    }

    /// Whether the session has ended at `now` (idle or absolute expiry).
    #[must_use]
    pub fn is_expired_at(&self, now: UnixTime) -> bool {
        now >= self.valid_until()
    }
}

/// How stale `last_seen` may get before a lookup writes it: a minute, or a tenth of the idle
/// lifetime when that is shorter, so that a session in steady use is not written on every request
/// and idle expiry is still early by at most that much.
#[must_use]
pub fn touch_interval_secs(idle_ttl_secs: i64) -> i64 {
    (idle_ttl_secs / 10).clamp(0, 60)
}

/// Checks a pair of session lifetimes and returns them in whole seconds.
///
/// # Errors
/// [`StoreError::InvalidSessionTtl`] when either is under a second or over 10 years.
pub fn session_ttl_secs(idle_ttl: Duration, absolute_ttl: Duration) -> Result<(i64, i64)> {
    const MAX_SECS: u64 = 10 * 366 * 24 * 3600;
    let check = |ttl: Duration, what: &'static str| -> Result<i64> {
        let secs = ttl.as_secs();
        if secs == 0 || secs > MAX_SECS {
            return Err(StoreError::InvalidSessionTtl(what));
        }
        i64::try_from(secs).map_err(|_| StoreError::InvalidSessionTtl(what))
    };
    Ok((
        check(
            idle_ttl,
            "the idle lifetime must be between 1 second and 10 years",
        )?,
        check(
            absolute_ttl,
            "the absolute lifetime must be between 1 second and 10 years",
        )?,
    ))
}

/// Where sessions live. Implementations are cheap to share as `Arc<dyn SessionStore>`.
///
/// Time is always passed in; no implementation reads the clock.
#[async_trait]
pub trait SessionStore: Send + Sync + fmt::Debug {
    /// Starts a session for an account. The returned token is the only copy of the secret: put it
    /// in the cookie, then drop it.
    ///
    /// The session ends `idle_ttl` after it was last used, and `absolute_ttl` after `now` in any
    /// case (whole seconds).
    ///
    /// # Errors
    /// [`StoreError::AccountNotFound`] if the account does not exist (e.g. it was just removed);
    /// [`StoreError::InvalidSessionTtl`] for a lifetime under a second or over 10 years.
    async fn create(
        &self,
        account: AccountId,
        now: UnixTime,
        idle_ttl: Duration,
        absolute_ttl: Duration,
    ) -> Result<(SessionToken, Session)>;

    /// The live session a token stands for, if any. A session that has expired (idle or
    /// absolute) at `now` is deleted and `None` returned. A live one has its `last_seen` moved to
    /// `now` (written only when it is older than [`touch_interval_secs`]).
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn lookup(&self, token: &SessionToken, now: UnixTime) -> Result<Option<Session>>;

    /// Ends a session (sign-out). Returns whether there was one.
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn delete(&self, token: &SessionToken) -> Result<bool>;

    /// Ends every session of an account. Returns how many there were.
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn delete_for_account(&self, email: &Email) -> Result<u64>;

    /// Deletes every session that has expired at `now`. Returns how many. Lookups refuse expired
    /// sessions anyway; this keeps the table small.
    ///
    /// # Errors
    /// Only when the backend fails.
    async fn purge_expired(&self, now: UnixTime) -> Result<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_ne!(a.hash(), b.hash());
        for token in [&a, &b] {
            let text = token.expose_secret();
            assert_eq!(text.len(), 43);
            assert!(
                text.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
                "{text}"
            );
        }
    }

    #[test]
    fn parse_round_trips_and_keeps_the_hash() {
        let token = SessionToken::generate();
        let parsed = SessionToken::parse(token.expose_secret()).unwrap();
        assert_eq!(parsed, token);
        assert_eq!(parsed.hash(), token.hash());
    }

    #[test]
    fn hash_is_sha256_of_the_raw_bytes() {
        let text = URL_SAFE_NO_PAD.encode([7_u8; 32]);
        let token = SessionToken::parse(&text).unwrap();
        let expected: [u8; 32] = Sha256::digest([7_u8; 32]).into();
        assert_eq!(token.hash().as_bytes(), &expected);
        assert_eq!(token.hash().log_tag().len(), 12);
    }

    #[test]
    fn parse_refuses_malformed_text() {
        let good = SessionToken::generate();
        let good = good.expose_secret();
        let cases = [
            String::new(),
            "short".into(),
            format!("{good}A"),
            good[..42].to_string(),
            format!("{}=", &good[..42]),
            format!("{}+", &good[..42]),
            format!("{}/", &good[..42]),
            format!("{}é", &good[..41]),
            // Right length and alphabet, but the unused trailing bits are set.
            format!("{}B", &URL_SAFE_NO_PAD.encode([0_u8; 32])[..42]),
        ];
        for text in &cases {
            assert!(
                matches!(
                    SessionToken::parse(text),
                    Err(StoreError::MalformedSessionToken)
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let token = SessionToken::generate();
        let shown = format!("{token:?} {:?}", token.hash());
        assert!(!shown.contains(token.expose_secret()), "{shown}");
        assert!(shown.starts_with("SessionToken(<redacted>)"), "{shown}");
    }

    #[test]
    fn touch_interval_is_a_minute_or_a_tenth() {
        assert_eq!(touch_interval_secs(30 * 60), 60);
        assert_eq!(touch_interval_secs(300), 30);
        assert_eq!(touch_interval_secs(30), 3);
        assert_eq!(touch_interval_secs(5), 0);
    }

    #[test]
    fn session_lifetimes_are_checked() {
        let s = Duration::from_secs;
        assert_eq!(
            session_ttl_secs(s(1800), s(86_400)).unwrap(),
            (1800, 86_400)
        );
        // Sub-second parts are dropped; an idle lifetime longer than the absolute one is allowed
        // (the absolute one wins).
        assert_eq!(
            session_ttl_secs(Duration::from_millis(90_500), s(60)).unwrap(),
            (90, 60)
        );
        for (idle, absolute) in [
            (s(0), s(60)),
            (s(60), s(0)),
            (Duration::from_millis(999), s(60)),
            (s(60), s(11 * 366 * 24 * 3600)),
            (Duration::MAX, s(60)),
        ] {
            assert!(
                matches!(
                    session_ttl_secs(idle, absolute),
                    Err(StoreError::InvalidSessionTtl(_))
                ),
                "{idle:?} {absolute:?}"
            );
        }
    }

    #[test]
    fn expiry_is_the_earlier_of_the_two() {
        let session = Session {
            account_id: AccountId::new(1),
            email: Email::parse("a@example.com").unwrap(),
            created_at: UnixTime::from_secs(100),
            last_seen: UnixTime::from_secs(150),
            idle_expires_at: UnixTime::from_secs(250),
            expires_at: UnixTime::from_secs(200),
        };
        assert_eq!(session.valid_until(), UnixTime::from_secs(200));
        assert!(!session.is_expired_at(UnixTime::from_secs(199)));
        assert!(session.is_expired_at(UnixTime::from_secs(200)));
    }
}
