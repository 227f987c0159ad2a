//! The production guide's rolling restart, run: two `serve --production` instances (one key,
//! salt and API key) behind nginx configured with the guide's block, several kept-alive clients
//! asking for tokens through it all along, and the guide's restart loop itself (its `sh` block,
//! run by bash) restarting each instance in turn. Its `systemctl restart` is a stand-in that asks
//! this test to do what systemd does: SIGTERM, wait for the exit, start again. Every request must
//! be answered 200; during each drain the instance's `/healthz` must answer 503 `draining` while
//! it still signs tokens; while an instance is down, nginx must answer from the other.
//!
//! Needs nginx and curl (scripts/setup installs them); without nginx the test says it is skipped.
//! The instances keep their data in SQLite (tokens for an API key touch no database).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod proxy;

use std::{
    collections::BTreeMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Running, binary, keygen, try_request};
use proxy::{HOST, Nginx, doc_block, https_client, nginx_binary, substitute};

const UUID_SALT: &str = "one salt for every instance of the site";
const API_KEY: &str = "an-api-key-for-the-sites-back-end";
/// Kept-alive clients asking for tokens through the proxy.
const CLIENTS: usize = 4;
/// Customers they ask for.
const CUSTOMERS: usize = 40;
/// The most the whole restart loop may take (two drains of 5 s and two starts, on a loaded
/// machine): past it, the test fails rather than hangs.
const PROCEDURE_LIMIT: Duration = Duration::from_secs(150);

#[test]
fn a_rolling_restart_as_the_guide_does_it_drops_no_request() {
    let Some(nginx) = nginx_binary() else {
        eprintln!("SKIPPED: nginx is not installed (scripts/setup installs it)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    keygen(work.path());
    let key = work.path().join("private.pem");
    let ports = [free_port(), free_port()];
    let mut instances: BTreeMap<u16, Running> = ports
        .iter()
        .map(|&port| (port, start_instance(&key, work.path(), port)))
        .collect();
    let upstreams = ports.map(|port| format!("127.0.0.1:{port}"));
    let proxy = Nginx::start(&nginx, work.path(), [&upstreams[0], &upstreams[1]]);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let load = Load::start(&runtime, &proxy);
    // The load runs before anything restarts.
    load.wait_for_answers(CLIENTS as u64 * 5, Duration::from_secs(60));

    let shim = Shim::new(work.path());
    let mut procedure = Procedure(run_procedure(&shim, ports));
    let started = Instant::now();
    let mut restarted = Vec::new();
    loop {
        if let Some(status) = procedure.0.try_wait().unwrap() {
            assert!(status.success(), "the restart loop failed: {status}");
            break;
        }
        assert!(
            started.elapsed() < PROCEDURE_LIMIT,
            "the restart loop still runs after {PROCEDURE_LIMIT:?}"
        );
        if let Some(port) = shim.next_restart() {
            let running = instances
                .remove(&port)
                .expect("a restart of an instance of the test");
            let replacement = restart(running, &key, work.path(), port, &runtime, &proxy);
            instances.insert(port, replacement);
            shim.done(port);
            restarted.push(port);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (answered, failures) = load.stop(&runtime);
    assert_eq!(
        restarted, ports,
        "the loop restarts each instance once, in turn"
    );
    assert!(
        failures.is_empty(),
        "{} of {} requests failed, first: {:?}\nnginx:\n{}",
        failures.len(),
        answered + failures.len() as u64,
        &failures[..failures.len().min(5)],
        proxy.error_log()
    );
    assert!(answered >= 100, "only {answered} requests were answered");
    // Both restarted instances serve.
    for port in ports {
        let (status, health) =
            try_request(&format!("127.0.0.1:{port}"), "GET", "/healthz", &[], "").unwrap();
        assert_eq!(status, 200, "{health}");
    }
    drop(proxy);
    for instance in instances.values() {
        instance.signal("TERM");
    }
    for (port, mut instance) in instances {
        let exited = instance.exit_within(Duration::from_secs(60));
        assert!(exited.is_some_and(|s| s.success()), "{port}: {exited:?}");
    }
}

/// What systemd does for `systemctl restart`: SIGTERM, the exit awaited, a start. Meanwhile: the
/// drain observed on the instance itself, and, while it is down, tokens answered through nginx.
fn restart(
    mut running: Running,
    key: &Path,
    work: &Path,
    port: u16,
    runtime: &tokio::runtime::Runtime,
    proxy: &Nginx,
) -> Running {
    let address = format!("127.0.0.1:{port}");
    running.signal("TERM");
    // The drain: /healthz says so at once, and tokens are still signed.
    let signalled = Instant::now();
    let health = loop {
        let (status, health) = try_request(&address, "GET", "/healthz", &[], "")
            .unwrap_or_else(|e| panic!("{port} stopped answering before its drain was seen: {e}"));
        if status != 200 {
            break (status, health);
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(60),
            "{port}: /healthz still 200 a minute after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(health.0, 503, "{}", health.1);
    assert_eq!(health.1["code"], "draining", "{}", health.1);
    let (status, token) = token_request(&address).unwrap();
    assert_eq!(
        status, 200,
        "a draining instance still signs tokens: {token}"
    );
    // It then stops by itself, cleanly.
    let exited = running
        .exit_within(Duration::from_secs(60))
        .expect("the instance exits after its drain");
    assert!(exited.success(), "{exited}");
    // Down: the proxy answers from the other instance.
    let client = https_client(proxy);
    runtime.block_on(async {
        for _ in 0..3 {
            let reply = token_via_proxy(&client, proxy.port, "down@example.com").await;
            assert_eq!(reply, Ok(200), "through nginx while {port} is down");
        }
    });
    start_instance(key, work, port)
}

/// `serve --production` on `port`, with its own data directory, the shared key, salt and API key,
/// and the default drain period.
fn start_instance(key: &Path, work: &Path, port: u16) -> Running {
    let mut command = binary();
    command
        .args(["serve", "--production"])
        .env("SYNERISE_AUTH_KEY", key)
        .env("SYNERISE_AUTH_DATA_DIR", work.join(format!("data-{port}")))
        .env("SYNERISE_AUTH_LISTEN", format!("127.0.0.1:{port}"))
        .env("SYNERISE_AUTH_UUID_SALT", UUID_SALT)
        .env("SYNERISE_AUTH_API_KEYS", API_KEY)
        .env("SYNERISE_AUTH_CONNECTIONS__TRUSTED_PROXIES", "127.0.0.1")
        .stderr(Stdio::null());
    Running::start_command(command, "synerise-auth listening on http://")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `POST /generate-jwt` straight to an instance.
fn token_request(address: &str) -> Result<(u16, serde_json::Value), String> {
    try_request(
        address,
        "POST",
        "/generate-jwt",
        &[
            ("Authorization", &format!("Bearer {API_KEY}")),
            ("Content-Type", "application/json"),
        ],
        r#"{"email":"drain@example.com"}"#,
    )
}

/// `POST /generate-jwt` through the proxy: the status, or what went wrong.
async fn token_via_proxy(client: &reqwest::Client, port: u16, email: &str) -> Result<u16, String> {
    let reply = client
        .post(format!("https://{HOST}:{port}/generate-jwt"))
        .bearer_auth(API_KEY)
        .json(&serde_json::json!({ "email": email }))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let status = reply.status().as_u16();
    let body = reply.text().await.map_err(|e| format!("{e:?}"))?;
    if status == 200 && body.contains("\"jwt\"") {
        Ok(200)
    } else {
        Err(format!("{status}: {body}"))
    }
}

/// Kept-alive clients asking for tokens through the proxy, one after another, until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
    failures: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(runtime: &tokio::runtime::Runtime, proxy: &Nginx) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let tasks = (0..CLIENTS)
            .map(|client_index| {
                // Each client its own connection pool: its own kept-alive connection.
                let client = https_client(proxy);
                let port = proxy.port;
                let (stop, answered, failures) = (
                    Arc::clone(&stop),
                    Arc::clone(&answered),
                    Arc::clone(&failures),
                );
                runtime.spawn(async move {
                    let mut n = client_index;
                    while !stop.load(Ordering::Relaxed) {
                        let email = format!("customer{}@example.com", n % CUSTOMERS);
                        match token_via_proxy(&client, port, &email).await {
                            Ok(_) => {
                                answered.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(failure) => failures.lock().unwrap().push(failure),
                        }
                        n += CLIENTS;
                    }
                })
            })
            .collect();
        Self {
            stop,
            answered,
            failures,
            tasks,
        }
    }

    /// Waits until `count` requests have been answered (at most `limit`).
    fn wait_for_answers(&self, count: u64, limit: Duration) {
        let started = Instant::now();
        while self.answered.load(Ordering::Relaxed) < count {
            assert!(
                started.elapsed() < limit,
                "the load got no answers: {:?}",
                self.failures.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the clients; the requests answered, and every failure.
    fn stop(self, runtime: &tokio::runtime::Runtime) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        runtime.block_on(async {
            for task in self.tasks {
                task.await.unwrap();
            }
        });
        let failures = std::mem::take(&mut *self.failures.lock().unwrap());
        (self.answered.load(Ordering::Relaxed), failures)
    }
}

/// A `systemctl` first on the loop's `PATH`: `systemctl restart synerise-auth@PORT` leaves a
/// request file for the test and returns once the test has restarted that instance, as systemd's
/// returns once the unit has stopped and started again.
struct Shim {
    dir: PathBuf,
}

impl Shim {
    fn new(work: &Path) -> Self {
        let dir = work.join("shim");
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("systemctl");
        std::fs::write(
            &script,
            r#"#!/bin/sh
# systemctl restart synerise-auth@PORT, for the test: it restarts the instance and says so.
[ "$1" = restart ] || { echo "systemctl stand-in: only restart" >&2; exit 2; }
port=${2#synerise-auth@}
: >"$SHIM_DIR/restart-$port.tmp" && mv "$SHIM_DIR/restart-$port.tmp" "$SHIM_DIR/restart-$port"
while [ ! -e "$SHIM_DIR/restarted-$port" ]; do sleep 0.05; done
rm -f "$SHIM_DIR/restarted-$port"
"#,
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        Self { dir }
    }

    /// The port of a restart asked for, if one is.
    fn next_restart(&self) -> Option<u16> {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|entry| {
                let name = entry.unwrap().file_name().into_string().unwrap();
                name.strip_prefix("restart-")?.parse().ok()
            })
            .next()
            .inspect(|port| {
                std::fs::remove_file(self.dir.join(format!("restart-{port}"))).unwrap();
            })
    }

    /// Tells the waiting `systemctl` the restart of `port` is done.
    fn done(&self, port: u16) {
        std::fs::write(self.dir.join(format!("restarted-{port}")), "").unwrap();
    }
}

/// The running restart loop, in a process group of its own: killed whole (bash, the stand-in
/// `systemctl` waiting, their `sleep`s) when dropped, so that a failed test leaves nothing running.
struct Procedure(Child);

impl Drop for Procedure {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .status();
            let _ = self.0.wait();
        }
    }
}

/// The guide's restart loop (its `rolling-restart` block), with the test's ports, run by bash
/// with the stand-in `systemctl` first on its `PATH`, in a process group of its own.
fn run_procedure(shim: &Shim, ports: [u16; 2]) -> Child {
    let script = substitute(
        doc_block("rolling-restart", "sh"),
        &[(
            "for port in 8081 8082; do".to_owned(),
            format!("for port in {} {}; do", ports[0], ports[1]),
        )],
        "rolling-restart block",
    );
    let path = format!(
        "{}:{}",
        shim.dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .args(["-euo", "pipefail", "-c", &script])
        .env("PATH", path)
        .env("SHIM_DIR", &shim.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}
