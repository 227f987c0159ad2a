//! Store faults against the real server: a full disk (a small tmpfs mounted here, as root) and
//! another connection holding SQLite's write lock. Every write the fault stops is answered 503
//! `storage_unavailable` with `Retry-After` within a second or so, never acknowledged and lost;
//! tokens for API keys and `/healthz` go on; and once the fault ends the next writes succeed
//! without a restart, with every acknowledged write still there.

use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use sqlx::{Connection as _, SqliteConnection, sqlite::SqliteConnectOptions};
use synerise_auth_server::DATABASE_FILE;
use synerise_auth_test_support::Tmpfs;

use crate::helpers::{API_KEY, CapturedLogs, client, start_app};

const PASSWORD: &str = "correct horse battery";
const UUID: &str = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";

/// A generous bound for "answered quickly": the store gives up on a write within about a second;
/// before it did, a refusal took the full five-second busy timeout.
const QUICK: Duration = Duration::from_secs(2);

/// The server, with its data in a directory the test controls.
struct FaultApp {
    address: String,
    client: reqwest::Client,
    data_dir: PathBuf,
}

impl FaultApp {
    async fn start(data_dir: &Path) -> Self {
        let address = start_app(
            data_dir,
            |mut settings| {
                settings.limits.sign_in_per_ip_per_minute = 10_000;
                settings
            },
            Arc::new(synerise_auth_token::SystemClock),
        )
        .await;
        Self {
            address,
            client: client(),
            data_dir: data_dir.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    async fn sign_up(&self, email: &str) -> Answer {
        self.timed(
            self.client
                .post(self.url("/api/accounts"))
                .json(&json!({"email": email, "password": PASSWORD})),
        )
        .await
    }

    async fn sign_in(&self, email: &str) -> Answer {
        self.timed(
            self.client
                .post(self.url("/api/session"))
                .json(&json!({"email": email, "password": PASSWORD})),
        )
        .await
    }

    async fn event(&self, label: &str) -> Answer {
        self.timed(
            self.client
                .post(self.url("/gate/v1/events"))
                .json(&json!({"action": "page.visit", "label": label, "client": {"uuid": UUID}})),
        )
        .await
    }

    async fn timed(&self, request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            retry_after,
            body,
            took: started.elapsed(),
        }
    }

    /// What must keep working whatever the store does: a token for an API key, and `/healthz`.
    async fn assert_store_free_routes_work(&self) {
        let token = self
            .client
            .post(self.url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .json(&json!({"email": "backend@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 200);
        let health = self.client.get(self.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }

    /// The labels of every logged gate decision, through the API.
    async fn logged_labels(&self) -> Vec<String> {
        let list: Value = self
            .client
            .get(self.url("/gate/v1/events?limit=500"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["label"].as_str().map(ToOwned::to_owned))
            .collect()
    }

    /// The addresses of every account, read from the database file by a connection of our own.
    async fn stored_accounts(&self) -> Vec<String> {
        let mut raw = self.raw().await;
        sqlx::query_scalar::<_, String>("SELECT email FROM accounts")
            .fetch_all(&mut raw)
            .await
            .unwrap()
    }

    async fn raw(&self) -> SqliteConnection {
        SqliteConnection::connect_with(
            &SqliteConnectOptions::new().filename(self.data_dir.join(DATABASE_FILE)),
        )
        .await
        .unwrap()
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
    took: Duration,
}

impl Answer {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// 503 `storage_unavailable`, with a `Retry-After` of whole seconds, answered quickly.
    fn assert_unavailable(&self, what: &str) {
        assert_eq!(self.status, 503, "{what}: {self:?}");
        assert_eq!(self.body["code"], "storage_unavailable", "{what}: {self:?}");
        assert!(
            self.body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{what}: {self:?}"
        );
        let retry_after: u64 = self
            .retry_after
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: no Retry-After: {self:?}"))
            .parse()
            .unwrap();
        assert!(retry_after >= 1, "{what}: {self:?}");
        assert!(self.took < QUICK, "{what}: answered after {:?}", self.took);
    }

    /// Acknowledged, or refused as [`assert_unavailable`](Self::assert_unavailable) says: the
    /// two answers a write may get while a fault comes and goes. `true` when acknowledged.
    fn acknowledged_or_unavailable(&self, what: &str) -> bool {
        if self.is_success() {
            return true;
        }
        self.assert_unavailable(what);
        false
    }
}

#[tokio::test]
async fn a_full_disk_is_answered_503_and_the_service_recovers_when_space_is_freed() {
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    // The server runs on this test's one thread: its log lines land here.
    let logs = CapturedLogs::default();
    let _logging = tracing::subscriber::set_default(logs.subscriber());
    let app = FaultApp::start(disk.path()).await;
    let mut accounts = Vec::new();
    let mut labels = Vec::new();
    assert_eq!(app.sign_up("ann@example.com").await.status, 201);
    accounts.push("ann@example.com".to_owned());
    assert_eq!(app.event("before").await.status, 202);
    labels.push("before".to_owned());

    let filler = disk.fill();
    // What the report did: gate events, then sign-ups, while the disk is full.
    let mut refused = 0;
    for n in 0..4 {
        let label = format!("full {n}");
        let answer = app.event(&label).await;
        if answer.acknowledged_or_unavailable("a gate event") {
            labels.push(label);
        } else {
            refused += 1;
        }
    }
    assert!(refused > 0, "the full disk refused no gate event");
    for address in ["bob@example.com", "cat@example.com"] {
        if app
            .sign_up(address)
            .await
            .acknowledged_or_unavailable("a sign-up")
        {
            accounts.push(address.to_owned());
        }
    }
    // Signing in writes a session: refused the same way (the password check itself reads).
    app.sign_in("ann@example.com")
        .await
        .acknowledged_or_unavailable("a sign-in");
    app.assert_store_free_routes_work().await;

    std::fs::remove_file(&filler).unwrap();
    // No restart: the very next writes succeed, quickly.
    let answer = app.sign_up("dan@example.com").await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert!(answer.took < QUICK, "{answer:?}");
    accounts.push("dan@example.com".to_owned());
    let answer = app.event("after").await;
    assert_eq!(answer.status, 202, "{answer:?}");
    labels.push("after".to_owned());
    assert_eq!(app.sign_in("ann@example.com").await.status, 200);

    // Every acknowledged write is there.
    let logged = app.logged_labels().await;
    for label in &labels {
        assert!(logged.contains(label), "{label} lost: {logged:?}");
    }
    let stored = app.stored_accounts().await;
    for address in &accounts {
        assert!(stored.contains(address), "{address} lost: {stored:?}");
    }
    // And nothing refused was kept, or logged as done.
    assert_eq!(logged.len(), labels.len(), "{logged:?}");
    let text = logs.text();
    let account_lines = text.matches("account created").count();
    assert_eq!(account_lines, accounts.len(), "{text}");
    let decision_lines = text.matches("gate decision").count();
    assert_eq!(decision_lines, labels.len(), "{text}");
    drop(app);
    drop(disk);
}

#[tokio::test]
async fn a_held_write_lock_is_answered_503_quickly_while_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let app = FaultApp::start(dir.path()).await;
    assert_eq!(app.sign_up("ann@example.com").await.status, 201);
    assert_eq!(app.event("before").await.status, 202);

    // Another process writing, and stuck: it holds the write lock.
    let mut other = app.raw().await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();

    // Several writers at once, as a busy site would send them.
    let (events, sign_up, sign_in) = tokio::join!(
        async {
            let mut answers = Vec::new();
            for n in 0..3 {
                answers.push(app.event(&format!("locked {n}")).await);
            }
            answers
        },
        app.sign_up("bob@example.com"),
        app.sign_in("ann@example.com"),
    );
    for answer in &events {
        answer.assert_unavailable("a gate event");
    }
    sign_up.assert_unavailable("a sign-up");
    sign_in.assert_unavailable("a sign-in");
    // A wrong password whose failure cannot be counted is not answered 401 either: a guess the
    // lockout did not see must not be one the attacker learns the answer to.
    let guess = app
        .timed(
            app.client
                .post(app.url("/api/session"))
                .json(&json!({"email": "ann@example.com", "password": "a wrong password"})),
        )
        .await;
    guess.assert_unavailable("a failed sign-in");

    // Reads do not wait behind the lock: the log, who is signed in (the cookie from sign-up).
    let started = Instant::now();
    assert_eq!(app.logged_labels().await, vec!["before".to_owned()]);
    let whoami = app
        .client
        .get(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(whoami.status(), 200);
    assert!(
        started.elapsed() < QUICK,
        "reads took {:?}",
        started.elapsed()
    );
    app.assert_store_free_routes_work().await;

    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let answer = app.sign_up("bob@example.com").await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(app.event("after").await.status, 202);
    assert_eq!(app.sign_in("ann@example.com").await.status, 200);
    assert_eq!(
        app.logged_labels().await,
        vec!["after".to_owned(), "before".to_owned()]
    );
    let mut stored = app.stored_accounts().await;
    stored.sort();
    assert_eq!(
        stored,
        vec![
            "ann@example.com",
            "bob@example.com",
            "demo@example.com", // made at start-up in dev mode
        ]
    );
}

/// An ext4 file system in an image file, loop-mounted with `errors=remount-ro`, so that the test
/// can have the kernel force it read-only under the running server, as it does to a disk that
/// fails. Unmounted when dropped. `None`, with a message, when that is not possible here.
struct FailingDisk {
    dir: tempfile::TempDir,
    device: String,
}

impl FailingDisk {
    fn mount() -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("disk.img");
        let mount_point = dir.path().join("mnt");
        std::fs::create_dir(&mount_point).unwrap();
        let steps: [(&str, Vec<&OsStr>); 3] = [
            (
                "truncate",
                vec!["-s".as_ref(), "16M".as_ref(), image.as_ref()],
            ),
            (
                "mkfs.ext4",
                vec!["-q".as_ref(), "-F".as_ref(), image.as_ref()],
            ),
            (
                "mount",
                vec![
                    "-o".as_ref(),
                    "loop,errors=remount-ro".as_ref(),
                    image.as_ref(),
                    mount_point.as_ref(),
                ],
            ),
        ];
        for (program, args) in steps {
            let out = Command::new(program).args(&args).output();
            if !out.as_ref().is_ok_and(|o| o.status.success()) {
                eprintln!(
                    "SKIPPED: cannot loop-mount an ext4 image (needs root, mkfs.ext4 and loop devices): {program}: {}",
                    out.map_or_else(
                        |e| e.to_string(),
                        |o| String::from_utf8_lossy(&o.stderr).trim().to_owned()
                    )
                );
                return None;
            }
        }
        let source = Command::new("findmnt")
            .args(["-n", "-o", "SOURCE"])
            .arg(&mount_point)
            .output()
            .unwrap();
        let device = String::from_utf8(source.stdout).unwrap();
        let device = device.trim().trim_start_matches("/dev/").to_owned();
        let disk = Self { dir, device };
        if !disk.trigger().exists() {
            eprintln!("SKIPPED: this kernel has no {}", disk.trigger().display());
            return None;
        }
        Some(disk)
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("mnt")
    }

    fn trigger(&self) -> PathBuf {
        Path::new("/sys/fs/ext4")
            .join(&self.device)
            .join("trigger_fs_error")
    }

    /// Reports a file-system error, which makes the kernel remount it read-only for good.
    fn fail(&self) {
        std::fs::write(self.trigger(), "1").unwrap();
        let probe = std::fs::write(self.path().join("probe"), "x");
        assert_eq!(
            probe.map_err(|e| e.raw_os_error()),
            Err(Some(30)), // EROFS
            "the file system is still writable"
        );
    }
}

impl Drop for FailingDisk {
    fn drop(&mut self) {
        let mount_point = self.path();
        let unmounted = Command::new("umount").arg(&mount_point).output();
        if !unmounted.is_ok_and(|out| out.status.success()) {
            let _ = Command::new("umount").arg("-l").arg(&mount_point).output();
        }
    }
}

#[tokio::test]
async fn a_data_dir_forced_read_only_is_answered_503_and_reads_go_on() {
    let Some(disk) = FailingDisk::mount() else {
        return;
    };
    let app = FaultApp::start(&disk.path().join("data")).await;
    assert_eq!(app.sign_up("ann@example.com").await.status, 201);
    assert_eq!(app.event("before").await.status, 202);

    disk.fail();
    for n in 0..3 {
        app.event(&format!("read-only {n}"))
            .await
            .assert_unavailable("a gate event");
    }
    app.sign_up("bob@example.com")
        .await
        .assert_unavailable("a sign-up");
    app.sign_in("ann@example.com")
        .await
        .assert_unavailable("a sign-in");
    app.assert_store_free_routes_work().await;
    // What was acknowledged is still read back, and nothing refused was kept. (A file system the
    // kernel forced read-only stays so until it is unmounted and checked: there is no recovery
    // to wait for without a restart.)
    assert_eq!(app.logged_labels().await, vec!["before".to_owned()]);
    let mut stored = app.stored_accounts().await;
    stored.sort();
    assert_eq!(stored, vec!["ann@example.com", "demo@example.com"]);
    drop(app);
    drop(disk);
}
