//! Routes, one file per resource.

pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod keys;
pub(crate) mod token;
