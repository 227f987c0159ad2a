//! The real binary under floods: a crowd of sign-ins at once (bounded hashing, bounded memory,
//! every answer a JSON refusal, the rest of the service answering meanwhile), more idle sockets
//! than file descriptors, and the start-up refusals that keep a production install safe (each
//! naming the real problem first: a key that cannot sign before a key others can read).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::{
    ffi::OsStr,
    io::{Read as _, Write as _},
    net::{SocketAddr, TcpStream},
    path::Path,
    process::{Command, Stdio},
    sync::{Arc, Barrier},
    time::{Duration, Instant},
};

use common::{Running, binary, cli, keygen};
use serde_json::Value;

/// `synerise-auth serve` in dev mode on port 0 with `config` as its settings file.
fn serve_with_config(dir: &Path, config: &str) -> Running {
    let config_file = dir.join("settings.toml");
    std::fs::write(&config_file, config).unwrap();
    let mut command = binary();
    command
        .args([
            OsStr::new("serve"),
            OsStr::new("--listen"),
            OsStr::new("127.0.0.1:0"),
        ])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(&config_file)
        .stderr(Stdio::null());
    Running::start_command(command, "synerise-auth listening on http://")
}

/// One HTTP/1.1 request on a new connection: status, headers (lower-cased) and body.
fn exchange(address: &str, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn post_json(address: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, String, String) {
    let auth = auth.map_or(String::new(), |key| {
        format!("Authorization: Bearer {key}\r\n")
    });
    exchange(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn get(address: &str, path: &str) -> (u16, String, String) {
    exchange(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
    )
}

/// `VmHWM` (peak resident memory) of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A metric's value from the text exposition.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn two_hundred_sign_ins_at_once_stay_within_the_hashing_bound() {
    let dir = tempfile::tempdir().unwrap();
    // No per-IP limit (a crowd comes from many addresses), two hashes at once, eight waiting.
    let serve = serve_with_config(
        dir.path(),
        "[limits]\nsign_in_per_ip_per_minute = 0\nfailed_sign_ins_per_account = 0\n\
         [password_hashing]\nmax_running = 2\nqueue = 8\n",
    );
    let api_key = serve.banner_value("dev API key (Authorization: Bearer ...):");
    let address = serve.address.clone();

    let crowd = 200;
    let start = Arc::new(Barrier::new(crowd + 1));
    let sign_ins: Vec<_> = (0..crowd)
        .map(|i| {
            let address = address.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let body = format!(
                    r#"{{"email": "crowd{i}@example.com", "password": "not the password {i}"}}"#
                );
                start.wait();
                post_json(&address, "/api/session", None, &body)
            })
        })
        .collect();

    // The rest of the service, meanwhile: health checks and API-key tokens.
    start.wait();
    let mut others = Vec::new();
    let mut slowest = Duration::ZERO;
    for i in 0..10 {
        let asked = Instant::now();
        others.push(get(&address, "/healthz").0);
        others.push(
            post_json(
                &address,
                "/generate-jwt",
                Some(&api_key),
                &format!(r#"{{"email": "shopper{i}@example.com"}}"#),
            )
            .0,
        );
        slowest = slowest.max(asked.elapsed());
    }

    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for sign_in in sign_ins {
        let (status, head, body) = sign_in.join().unwrap();
        *statuses.entry(status).or_default() += 1;
        assert!(
            [401, 429, 503].contains(&status),
            "status {status}: {head}\n{body}"
        );
        let body: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        assert!(body["error"].is_string(), "{body}");
        match status {
            401 => assert_eq!(body["code"], "invalid_credentials"),
            503 => {
                assert_eq!(body["code"], "busy");
                assert!(head.contains("\r\nretry-after: "), "{head}");
            }
            _ => assert_eq!(body["code"], "rate_limited"),
        }
    }
    assert!(statuses.get(&503).copied().unwrap_or(0) > 0, "{statuses:?}");
    assert!(others.iter().all(|&s| s == 200), "{others:?}");
    assert!(
        slowest < Duration::from_secs(5),
        "slowest other request {slowest:?}"
    );

    let (_, _, metrics) = get(&address, "/metrics");
    assert_eq!(metric(&metrics, "synerise_auth_password_hashes_limit"), 2.0);
    let peak = metric(&metrics, "synerise_auth_password_hashes_running_peak");
    assert!((1.0..=2.0).contains(&peak), "{peak} hashes ran at once");
    assert_eq!(
        metric(&metrics, "synerise_auth_password_hashes_refused_total"),
        statuses.get(&503).copied().unwrap_or(0) as f64
    );
    let peak_mib = peak_rss_kib(serve.pid()) / 1024;
    assert!(peak_mib < 256, "peak RSS {peak_mib} MiB");
    eprintln!("sign-ins: {statuses:?}; peak RSS {peak_mib} MiB; slowest other {slowest:?}");
    serve.stop();
}

/// Raises this process's soft descriptor limit to `wanted` (within the hard limit); the limit
/// in force after.
fn raise_own_fd_limit(wanted: u64) -> u64 {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    let soft = wanted.min(hard);
    if limit.current.is_some_and(|current| current >= soft) {
        return limit.current.unwrap_or(soft);
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(soft),
            maximum: limit.maximum,
        },
    )
    .map_or(limit.current.unwrap_or(0), |()| soft)
}

#[test]
fn eleven_hundred_idle_sockets_at_a_1024_descriptor_limit_do_not_lock_a_client_out() {
    if raise_own_fd_limit(4096) < 1200 {
        eprintln!("skipped: this process cannot open 1,100 sockets (ulimit -Hn is too low)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The server alone runs at a 1,024 descriptor limit.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -n 1024 && exec \"$0\" \"$@\"")
        .arg(binary().get_program())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stderr(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SYNERISE_AUTH_") {
            command.env_remove(name);
        }
    }
    let serve = Running::start_command(command, "synerise-auth listening on http://");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", serve.pid())).unwrap();
    assert!(
        limits
            .lines()
            .any(|l| l.starts_with("Max open files") && l.contains(" 1024 ")),
        "{limits}"
    );

    let address: SocketAddr = serve.address.parse().unwrap();
    let mut idle = Vec::new();
    for _ in 0..1100 {
        if let Ok(socket) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
            idle.push(socket);
        }
    }
    assert!(idle.len() >= 1024, "only {} sockets connected", idle.len());

    let asked = Instant::now();
    let (status, _, body) = get(&serve.address, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "a normal client waited {:?}",
        asked.elapsed()
    );
    drop(idle);
    serve.stop();
}

/// `serve --production --key KEY` with everything else it needs; what it printed on stderr,
/// once it has exited (it must fail).
fn production_start_refused(key: &Path, data_dir: &Path) -> String {
    let out = cli()
        .args(["serve", "--production", "--listen", "127.0.0.1:0", "--key"])
        .arg(key)
        .arg("--data-dir")
        .arg(data_dir)
        .env("SYNERISE_AUTH_UUID_SALT", "a production salt")
        .env(
            "SYNERISE_AUTH_API_KEYS",
            "an-api-key-of-enough-length-0123456789",
        )
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with {}", key.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Makes `path` readable by everyone, as a file copied around carelessly is.
fn readable_by_all(path: &Path) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
}

/// `openssl ARGS`, which must succeed.
fn openssl(args: &[&OsStr]) {
    let made = Command::new("openssl")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success(), "openssl {args:?}");
}

#[test]
fn production_refuses_a_key_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("private.pem");
    readable_by_all(&key);
    let stderr = production_start_refused(&key, dir.path());
    assert!(stderr.contains("readable by other users"), "{stderr}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
    assert!(stderr.contains("mode 644"), "{stderr}");
}

/// A key that cannot sign is named for what it is before its file mode is mentioned: chmod would
/// not make it usable.
#[test]
fn production_names_a_public_key_given_as_the_private_key() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let public = dir.path().join("public.pem");
    readable_by_all(&public);
    let stderr = production_start_refused(&public, dir.path());
    assert!(
        stderr.contains("holds a public key, not a private key"),
        "{stderr}"
    );
    assert!(!stderr.contains("readable by other users"), "{stderr}");
    assert!(!stderr.contains("chmod"), "{stderr}");
}

#[test]
fn production_names_a_key_that_is_not_rsa() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("ec.pem");
    openssl(&[
        OsStr::new("genpkey"),
        OsStr::new("-algorithm"),
        OsStr::new("EC"),
        OsStr::new("-pkeyopt"),
        OsStr::new("ec_paramgen_curve:P-256"),
        OsStr::new("-out"),
        key.as_os_str(),
    ]);
    readable_by_all(&key);
    let stderr = production_start_refused(&key, dir.path());
    assert!(
        stderr.contains("is an EC key; Synerise needs an RSA key"),
        "{stderr}"
    );
    assert!(!stderr.contains("readable by other users"), "{stderr}");
    assert!(!stderr.contains("chmod"), "{stderr}");
}

#[test]
fn production_names_an_encrypted_key() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("encrypted.pem");
    openssl(&[
        OsStr::new("pkcs8"),
        OsStr::new("-topk8"),
        OsStr::new("-in"),
        dir.path().join("private.pem").as_os_str(),
        OsStr::new("-passout"),
        OsStr::new("pass:a passphrase"),
        OsStr::new("-out"),
        key.as_os_str(),
    ]);
    readable_by_all(&key);
    let stderr = production_start_refused(&key, dir.path());
    assert!(
        stderr.contains("is encrypted with a passphrase"),
        "{stderr}"
    );
    assert!(!stderr.contains("readable by other users"), "{stderr}");
}

#[test]
fn logs_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut command = binary();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .stderr(std::fs::File::create(&log).unwrap());
    let serve = Running::start_command(command, "synerise-auth listening on http://");
    let (status, _, _) = post_json(&serve.address, "/generate-jwt", None, "{}");
    assert_eq!(status, 401);
    serve.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("request refused"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in a file:\n{text:?}"
    );
}
