//! `synerise-auth serve` killed with SIGKILL while sign-ups and gate events stream in: started
//! again on the same data dir, it has every sign-up answered 201 and every event answered 202.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{
    ffi::OsStr,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use common::{Running, cli, try_request};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";
const UUID: &str = "345d4c8f-5aff-591d-a19c-1ca48923d9ee";
/// Between two events.
const PACE: Duration = Duration::from_millis(5);

/// `serve` in dev mode on port 0 with its data in `data_dir`, sign-ins not rate limited.
fn start_serve(data_dir: &Path) -> Running {
    let config = data_dir.join("unlimited.toml");
    std::fs::write(&config, "[limits]\nsign_in_per_ip_per_minute = 0\n").unwrap();
    let args = [
        OsStr::new("serve"),
        OsStr::new("--listen"),
        OsStr::new("127.0.0.1:0"),
        OsStr::new("--data-dir"),
        data_dir.as_os_str(),
        OsStr::new("--config"),
        config.as_os_str(),
    ];
    Running::start(&args, "synerise-auth listening on http://")
}

/// Sends `request(n)` for n = 0, 1, 2..., `pause` apart, until the server stops answering once
/// `stop` is set (it was killed); the n whose answer had status `acknowledged`.
fn stream(
    address: String,
    stop: Arc<AtomicBool>,
    acknowledged: u16,
    pause: Duration,
    request: impl Fn(usize) -> (&'static str, String) + Send + 'static,
) -> thread::JoinHandle<Vec<usize>> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut kept = Vec::new();
        for n in 0.. {
            if started.elapsed() > Duration::from_secs(60) {
                panic!("the server was never killed");
            }
            let (path, body) = request(n);
            let headers = [("Content-Type", "application/json")];
            match try_request(&address, "POST", path, &headers, &body) {
                Ok((status, _)) if status == acknowledged => kept.push(n),
                Ok((status, reply)) => panic!("{path} answered {status}: {reply}"),
                // Killed: the request in flight got no answer, so nothing was acknowledged.
                Err(_) if stop.load(Ordering::SeqCst) => break,
                Err(e) => panic!("{path} failed before the kill: {e}"),
            }
            thread::sleep(pause);
        }
        kept
    })
}

fn email(n: usize) -> String {
    format!("customer{n}@example.com")
}

#[test]
fn every_acknowledged_write_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = start_serve(dir.path());
    let killed = Arc::new(AtomicBool::new(false));
    let sign_ups = stream(
        serve.address.clone(),
        Arc::clone(&killed),
        201,
        Duration::ZERO,
        |n| {
            (
                "/api/accounts",
                json!({"email": email(n), "password": PASSWORD}).to_string(),
            )
        },
    );
    // Paced, so that fewer than the 500 one listing shows arrive before the kill.
    let events = stream(serve.address.clone(), Arc::clone(&killed), 202, PACE, |n| {
        (
            "/gate/v1/events",
            json!({"action": "page.visit", "label": format!("event {n}"), "client": {"uuid": UUID}})
                .to_string(),
        )
    });
    // Mid-stream: once both have had answers, while more are in flight.
    thread::sleep(Duration::from_millis(1500));
    killed.store(true, Ordering::SeqCst);
    serve.kill();
    let sign_ups = sign_ups.join().unwrap();
    let events = events.join().unwrap();
    eprintln!(
        "acknowledged before the kill: {} sign-ups, {} events",
        sign_ups.len(),
        events.len()
    );
    assert!(
        !sign_ups.is_empty(),
        "no sign-up was answered before the kill"
    );
    assert!(!events.is_empty(), "no event was answered before the kill");
    assert!(
        events.len() < 500,
        "{} events: more than one listing shows",
        events.len()
    );

    let serve = start_serve(dir.path());
    let (status, list) = serve.request("GET", "/gate/v1/events?limit=500", &[], "");
    assert_eq!(status, 200, "{list}");
    let logged: Vec<&str> = list["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["label"].as_str())
        .collect();
    for n in &events {
        let label = format!("event {n}");
        assert!(logged.contains(&label.as_str()), "{label} lost");
    }
    serve.stop();

    let listed = cli()
        .args(["accounts", "list", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(listed.status.success());
    let listed = String::from_utf8(listed.stdout).unwrap();
    let stored: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.split('\t').next())
        .collect();
    for n in &sign_ups {
        let address = email(*n);
        assert!(stored.contains(&address.as_str()), "{address} lost");
    }
}
