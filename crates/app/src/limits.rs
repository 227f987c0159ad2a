//! The rate limits: how many per minute (the issuing crate's `PerMinute`, in this process) and
//! failed sign-ins in a row (in the store, shared by every instance).

use std::{net::IpAddr, sync::Arc};

use synerise_auth_issuing::PerMinute;
use synerise_auth_store::SignInLockout;
use synerise_auth_token::Clock;

use crate::failed_sign_ins::FailedSignIns;

/// The limits' settings; 0 means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in and sign-up attempts per client address per minute.
    pub sign_in_per_ip_per_minute: u32,
    /// The failed sign-in in a row that locks the account for 15 minutes.
    pub failed_sign_ins_per_account: u32,
    /// Token requests per session per minute.
    pub tokens_per_session_per_minute: u32,
    /// Token requests per identity-provider identity per minute.
    pub tokens_per_identity_per_minute: u32,
    /// Token requests per API key per minute.
    pub tokens_per_api_key_per_minute: u32,
}

/// The live limiters.
#[derive(Debug)]
pub(crate) struct Limits {
    pub(crate) sign_in_per_ip: PerMinute<IpAddr>,
    pub(crate) failed_sign_ins: FailedSignIns,
    /// Keyed by the session token's hash.
    pub(crate) tokens_per_session: PerMinute<[u8; 32]>,
    /// Keyed by `issuer + subject`.
    pub(crate) tokens_per_identity: PerMinute<String>,
    /// Keyed by the API key's digest.
    pub(crate) tokens_per_api_key: PerMinute<[u8; 32]>,
}

impl Limits {
    /// Empty limiters for `settings`, the failed sign-ins counted in `lockout`.
    pub(crate) fn new(
        settings: RateLimits,
        clock: Arc<dyn Clock>,
        lockout: Arc<dyn SignInLockout>,
    ) -> Self {
        Self {
            sign_in_per_ip: PerMinute::new(settings.sign_in_per_ip_per_minute),
            failed_sign_ins: FailedSignIns::new(
                settings.failed_sign_ins_per_account,
                clock,
                lockout,
            ),
            tokens_per_session: PerMinute::new(settings.tokens_per_session_per_minute),
            tokens_per_identity: PerMinute::new(settings.tokens_per_identity_per_minute),
            tokens_per_api_key: PerMinute::new(settings.tokens_per_api_key_per_minute),
        }
    }

    /// Forgets idle keys; run now and then so the limiters' memory (and the store's table of
    /// failed sign-ins) stays bounded.
    pub(crate) async fn prune(&self) {
        self.failed_sign_ins.prune().await;
        self.sign_in_per_ip.prune();
        self.tokens_per_session.prune();
        self.tokens_per_identity.prune();
        self.tokens_per_api_key.prune();
    }
}
