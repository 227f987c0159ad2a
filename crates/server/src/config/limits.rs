//! `[limits]`: rate limits; 0 means unlimited.

use super::declare::declare_layer;

declare_layer! {
    /// `[limits]`: rate limits; 0 means unlimited.
    pub struct LimitsLayer in "limits" {
        sign_in_per_ip_per_minute: u32, default "`30`",
            "sign-in and sign-up attempts per client IP (0 = unlimited)";
        failed_sign_ins_per_account: u32, default "`10`",
            "the failed sign-in in a row that locks the account for 15 minutes (429); counted in the store, so across every instance sharing it";
        tokens_per_session_per_minute: u32, default "`30`",
            "token requests per session";
        tokens_per_identity_per_minute: u32, default "`30`",
            "token requests per identity-provider identity";
        tokens_per_api_key_per_minute: u32, default "`0`",
            "token requests per API key (0 = unlimited: the back end may mint for many customers)";
    }
}

/// Rate limits; 0 means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Sign-in attempts per client IP per minute.
    pub sign_in_per_ip_per_minute: u32,
    /// Failed sign-ins in a row on one account before a lock-out.
    pub failed_sign_ins_per_account: u32,
    /// Token requests per session per minute.
    pub tokens_per_session_per_minute: u32,
    /// Token requests per identity-provider identity per minute.
    pub tokens_per_identity_per_minute: u32,
    /// Token requests per API key per minute.
    pub tokens_per_api_key_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            sign_in_per_ip_per_minute: 30,
            failed_sign_ins_per_account: 10,
            tokens_per_session_per_minute: 30,
            tokens_per_identity_per_minute: 30,
            tokens_per_api_key_per_minute: 0,
        }
    }
}

impl LimitsLayer {
    /// Each limit set, or its default.
    pub(crate) fn resolve(&self) -> LimitSettings {
        let d = LimitSettings::default();
        LimitSettings {
            sign_in_per_ip_per_minute: self
                .sign_in_per_ip_per_minute
                .unwrap_or(d.sign_in_per_ip_per_minute),
            failed_sign_ins_per_account: self
                .failed_sign_ins_per_account
                .unwrap_or(d.failed_sign_ins_per_account),
            tokens_per_session_per_minute: self
                .tokens_per_session_per_minute
                .unwrap_or(d.tokens_per_session_per_minute),
            tokens_per_identity_per_minute: self
                .tokens_per_identity_per_minute
                .unwrap_or(d.tokens_per_identity_per_minute),
            tokens_per_api_key_per_minute: self
                .tokens_per_api_key_per_minute
                .unwrap_or(d.tokens_per_api_key_per_minute),
        }
    }
}
