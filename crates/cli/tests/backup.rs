//! The backups of `docs/production.md`, restored: the key directory archived with
//! `tar --preserve-permissions` and the database dumped with `pg_dump`, both put back somewhere
//! new, and `serve` on the copies signs the customer in and signs with the same key.
//!
//! Needs `SYNERISE_AUTH_TEST_DATABASE_URL` and PostgreSQL's client programs (installed with the
//! server scripts/test starts); without them the test says it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod instance;

use std::{path::PathBuf, process::Command};

use common::keys_init;
use instance::{PASSWORD, TestDatabase, http, start_instance};
use serde_json::json;

#[test]
fn the_key_directory_and_the_database_restore_from_their_backups() {
    let Some((pg_dump, psql)) = client_programs() else {
        eprintln!("SKIPPED: pg_dump and psql are not installed (scripts/test installs them)");
        return;
    };
    let Some(original) = TestDatabase::create() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let keys = work.path().join("keys");
    keys_init(&keys, None);

    // A customer signs up on the original.
    let serve = start_instance(&original.url, &keys, &work.path().join("a"));
    let credentials = json!({"email": "ann@example.com", "password": PASSWORD}).to_string();
    let signed_up = http(&serve, "POST", "/api/accounts", None, &credentials);
    assert_eq!(signed_up.status, 201, "{:?}", signed_up.body);
    let kid = http(&serve, "GET", "/healthz", None, "").body["kid"].clone();
    assert!(kid.is_string(), "{kid}");
    serve.stop();

    // The backups, as docs/production.md takes them.
    let archive = work.path().join("keys.tar");
    run(Command::new("tar")
        .arg("--preserve-permissions")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(work.path())
        .arg("keys"));
    let dump = work.path().join("auth.sql");
    run(Command::new(&pg_dump)
        .arg("--dbname")
        .arg(&original.url)
        .arg("--file")
        .arg(&dump));

    // Restored elsewhere: a new directory, a new database.
    let restored = work.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    run(Command::new("tar")
        .arg("--preserve-permissions")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&restored));
    let copy = TestDatabase::create().unwrap();
    run(Command::new(&psql)
        .args(["--quiet", "--set", "ON_ERROR_STOP=1", "--dbname"])
        .arg(&copy.url)
        .arg("--file")
        .arg(&dump));

    let again = start_instance(&copy.url, &restored.join("keys"), &work.path().join("b"));
    assert_eq!(http(&again, "GET", "/healthz", None, "").body["kid"], kid);
    let signed_in = http(&again, "POST", "/api/session", None, &credentials);
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    again.stop();
}

/// `pg_dump` and `psql` of the newest PostgreSQL installed, or on the path.
fn client_programs() -> Option<(PathBuf, PathBuf)> {
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_dump").exists() && bin.join("psql").exists())
        .max();
    installed.map(|bin| (bin.join("pg_dump"), bin.join("psql")))
}

fn run(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
