//! The store through its traits, as the server and the CLI use it: each test against a real
//! SQLite file in a temporary directory, and against a real PostgreSQL database of its own when
//! `SYNERISE_AUTH_TEST_DATABASE_URL` names a server (see `helpers.rs`).

// The whole binary is tests, helpers included: a failed set-up should panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod decisions;
mod faults;
mod helpers;
mod lifecycle;
mod lockout;
mod postgres;
mod sessions;
