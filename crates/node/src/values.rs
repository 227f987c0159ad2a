//! The plain objects that cross between Node and Rust: options in, tokens out.

use napi_derive::napi;

/// How an `Issuer` is made.
#[napi(object)]
#[derive(Debug)]
pub struct IssuerOptions {
    /// A private key file (PEM, a set of one) or a key directory made by `synerise-auth keys`.
    pub key: String,
    /// The secret salt of customer UUIDs: the same as the service's `uuid_salt`.
    pub salt: String,
    /// The token lifetime: `7d`, `12h`, `90m`, `3600s` or seconds; 7 days when left out.
    pub ttl: Option<String>,
    /// The `kid` header for a key file: `none` (the default), `thumbprint` or a fixed string. A
    /// key directory of more than one key always names the thumbprint.
    pub kid: Option<String>,
    /// Hand a customer the token signed for them less than 10 minutes ago instead of signing
    /// again, as `serve` does (`[token_cache]`); on by default.
    pub reuse: Option<bool>,
}

/// A token just signed, or reused.
#[napi(object)]
#[derive(Debug)]
pub struct IssuedToken {
    /// The compact RS256 JWT, for `SR.client.setAccessToken`.
    pub jwt: String,
    /// The customer's UUID, as in the token's `uuid` claim.
    pub uuid: String,
    /// When the token expires: RFC 3339, UTC (the token-endpoint reply's `expiresAt`).
    pub expires_at: String,
    /// The same instant, seconds since the epoch (the token's `exp`).
    pub exp: i64,
}

/// A token that verified.
#[napi(object)]
#[derive(Debug)]
pub struct VerifiedToken {
    /// The `email` claim.
    pub email: String,
    /// The `uuid` claim.
    pub uuid: String,
    /// The `exp` claim.
    pub exp: i64,
    /// The `iat` claim, when the token has one.
    pub iat: Option<i64>,
    /// The header's `kid`, when it has one.
    pub kid: Option<String>,
}
