//! Routes, one file per resource.

pub(crate) mod accounts;
pub(crate) mod client_ip;
pub(crate) mod extract;
pub(crate) mod gate;
pub(crate) mod health;
pub(crate) mod keys;
pub(crate) mod metrics;
pub(crate) mod session;
pub(crate) mod token;
pub(crate) mod web;
