//! The store against a real SQLite file in a temporary directory, through the traits, as the
//! server and the CLI use it.

// The whole binary is tests, helpers included: a failed set-up should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod decisions;
mod faults;
mod helpers;
mod lifecycle;
mod sessions;
