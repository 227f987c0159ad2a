//! Several `serve` processes on one PostgreSQL database of the test's own, as a site runs them
//! behind a load balancer: the database, and `serve` started on it.
//!
//! The database is made on the server `SYNERISE_AUTH_TEST_DATABASE_URL` names (scripts/test
//! starts a private one) and dropped after; without that variable, [`TestDatabase::create`] says
//! the test is skipped.
#![allow(dead_code)] // each test file uses part of it

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    path::Path,
    time::Duration,
};

use serde_json::Value;

pub(crate) use crate::common::postgres::TestDatabase;
use crate::common::{Running, binary};

pub(crate) const PASSWORD: &str = "correct horse battery";
pub(crate) const UUID_SALT: &str = "one salt for every instance of the site";
pub(crate) const API_KEY: &str = "an-api-key-for-the-sites-back-end";

/// The failed sign-in in a row that locks an account, in both instances.
pub(crate) const LOCK_LIMIT: u32 = 4;

/// `serve` on port 0, in dev mode, on the PostgreSQL database `url` names, signing with `key`.
pub(crate) fn start_instance(url: &str, key: &Path, data_dir: &Path) -> Running {
    let mut command = instance_command(url, key, data_dir);
    command.env(
        "SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT",
        LOCK_LIMIT.to_string(),
    );
    Running::start_command(command, "synerise-auth listening on http://")
}

/// The `serve` command of an instance: port 0, the shared database, the site's salt and API key;
/// the caller adds its own settings and starts it.
pub(crate) fn instance_command(url: &str, key: &Path, data_dir: &Path) -> std::process::Command {
    let mut command = binary();
    command
        .arg("serve")
        .env("SYNERISE_AUTH_DATABASE__URL", url)
        .env("SYNERISE_AUTH_KEY", key)
        .env("SYNERISE_AUTH_DATA_DIR", data_dir)
        .env("SYNERISE_AUTH_LISTEN", "127.0.0.1:0")
        .env("SYNERISE_AUTH_UUID_SALT", UUID_SALT)
        .env("SYNERISE_AUTH_API_KEYS", API_KEY)
        .stderr(std::process::Stdio::null());
    command
}

/// One HTTP/1.1 answer: its status, headers (names lower-cased) and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn retry_after(&self) -> Option<u64> {
        self.header("retry-after")?.parse().ok()
    }

    /// `synerise_auth_session=...` from the `Set-Cookie` that sets it.
    pub(crate) fn session_cookie(&self) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| {
                let pair = v.split(';').next()?;
                pair.starts_with("synerise_auth_session=")
                    .then(|| pair.to_owned())
            })
            .unwrap_or_else(|| panic!("no session cookie in {:?}", self.headers))
    }
}

/// One request (a JSON body when there is one), with the session cookie when given.
pub(crate) fn http(
    serve: &Running,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(&serve.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        serve.address,
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, text) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = serde_json::from_str(text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text: text.to_owned(),
        body,
    }
}
