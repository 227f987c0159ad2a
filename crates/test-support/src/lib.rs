//! Fixtures shared by the workspace's test suites (a dev-dependency only, never linked into the
//! service).
//!
//! - [`Tmpfs`]: a small file system of its own that a fault test can fill, to see how the store
//!   and the service answer a full disk and recover when space is freed.

// Fixtures for tests: a set-up that cannot be done should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tmpfs;

pub use tmpfs::Tmpfs;
