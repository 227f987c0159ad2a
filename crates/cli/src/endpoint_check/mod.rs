//! The token-endpoint contract's checks: pure functions over replies already received, so that
//! each can be shown to fail on a deliberately wrong reply. `commands::check_endpoint` sends the
//! requests and prints what these say.

mod check;
mod refusal;
mod schemas;
mod token;

#[cfg(test)]
mod tests;

pub(crate) use check::{Check, Expected, Reply};
pub(crate) use refusal::refusal_reply;
pub(crate) use schemas::Schemas;
pub(crate) use token::token_reply;
