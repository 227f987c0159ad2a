//! The HTTP API against the real server on a random port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod helpers;
mod keys;
mod logs;
mod session;
mod token;
