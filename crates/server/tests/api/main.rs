//! The HTTP API against the real server on a random port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod bodies;
mod faults;
mod gate;
mod helpers;
mod hygiene;
mod id_token;
mod identity_cookie;
mod keys;
mod logs;
mod metrics;
mod openapi;
mod rotation;
mod session;
mod shutdown;
mod token;
mod token_reuse;
mod web;
