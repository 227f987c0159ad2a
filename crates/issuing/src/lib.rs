//! What signs and how often: the key set that signs and its reload, token reuse, and per-minute
//! rate limits, for the HTTP service and the language packages alike.
//!
//! Synchronous, with no HTTP, storage or async runtime, and no clock: every call that needs "now"
//! takes a [`UnixTime`](synerise_auth_token::UnixTime). [`Tokens::issue`] looks up then signs on
//! the calling thread; a server that bounds its signatures calls [`Tokens::lookup`], takes a slot,
//! then [`Tokens::sign`].

mod error;
mod rate_limit;
mod settings;
mod signing;
mod token_cache;
mod tokens;

pub use error::{IssuingError, RateLimited};
pub use rate_limit::PerMinute;
pub use settings::{KidSetting, SigningSettings, TokenCacheSettings};
pub use tokens::{Issued, Pending, Reloaded, Tokens};
