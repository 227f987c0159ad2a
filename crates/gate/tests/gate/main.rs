//! The gate's tests, in one binary so that RSA keys are made once.

// Helpers outside `#[test]` functions panic on purpose too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod certificates;
mod decide;
mod events;
mod helpers;
mod properties;
mod settings;
