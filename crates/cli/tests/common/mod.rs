//! Running `synerise-auth` as a user would, without the `SYNERISE_AUTH_*` variables of the
//! environment the tests run in: one-shot commands, and commands that serve HTTP (`serve`,
//! `gate`), started on port 0, their banner read up to the line that names their address, spoken
//! to with plain HTTP/1.1, stopped with SIGTERM.
#![allow(dead_code)] // each test file uses part of it

use std::{
    ffi::OsStr,
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpStream,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

pub(crate) mod postgres;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

/// Removes every `SYNERISE_AUTH_*` variable, so that only the arguments configure the command.
fn clear_settings(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SYNERISE_AUTH_") {
            command.env_remove(name);
        }
    }
}

/// The binary as a plain command, without the `SYNERISE_AUTH_*` variables.
pub(crate) fn binary() -> Command {
    let mut command = Command::new(cargo_bin("synerise-auth"));
    clear_settings(&mut command);
    command
}

/// `synerise-auth`, ready for arguments.
pub(crate) fn cli() -> assert_cmd::Command {
    assert_cmd::Command::from_std(binary())
}

/// `keygen --out DIR`; returns what it prints (the one-line public key and a newline).
pub(crate) fn keygen(dir: &std::path::Path) -> String {
    let out = cli().args(["keygen", "--out"]).arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `keys init --dir DIR`, from the key in `from` when given; returns what it prints (the active
/// key's one-line certificate).
pub(crate) fn keys_init(dir: &std::path::Path, from: Option<&std::path::Path>) -> String {
    let mut command = cli();
    command.args(["keys", "init", "--dir"]).arg(dir);
    if let Some(from) = from {
        command.arg("--from").arg(from);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A running server process; killed and reaped when dropped.
pub(crate) struct Running {
    child: Child,
    /// `127.0.0.1:PORT`, from the ready line.
    pub(crate) address: String,
    /// Everything printed on stdout up to and including the ready line.
    pub(crate) banner: String,
}

impl Running {
    /// Runs `synerise-auth ARGS` and waits (at most 60 s) for the stdout line that starts with
    /// `ready_prefix` followed by the address.
    pub(crate) fn start<S: AsRef<OsStr>>(args: &[S], ready_prefix: &str) -> Self {
        let mut command = binary();
        command.args(args).stderr(Stdio::null());
        Self::start_command(command, ready_prefix)
    }

    /// Runs `command` (from [`binary`], or a shell that execs it) with stdout piped, and waits as
    /// [`start`](Self::start) does. Its stderr is left as the caller set it.
    pub(crate) fn start_command(mut command: Command, ready_prefix: &str) -> Self {
        let child = command.stdout(Stdio::piped()).spawn().unwrap();
        // Owned at once, so that a failed start still kills and reaps it (Drop).
        let mut running = Self {
            child,
            address: String::new(),
            banner: String::new(),
        };
        let stdout = running.child.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        loop {
            let line = received
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("never printed `{ready_prefix}`: {}", running.banner));
            running.banner.push_str(&line);
            running.banner.push('\n');
            if let Some(address) = line.strip_prefix(ready_prefix) {
                running.address = address.to_owned();
                return running;
            }
        }
    }

    /// The rest of the banner line that starts (after its indent) with `prefix`.
    pub(crate) fn banner_value(&self, prefix: &str) -> String {
        self.banner
            .lines()
            .find_map(|line| line.trim_start().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in the banner:\n{}", self.banner))
            .trim()
            .to_owned()
    }

    /// One HTTP/1.1 request; returns the status and the JSON body.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        try_request(&self.address, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// SIGKILL: no shutdown, no flush, nothing finished. Reaps the process.
    pub(crate) fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`TERM`, `INT`...) to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal}");
    }

    /// The exit status, once the process has exited, waiting at most `within`; `None` if it is
    /// still running then.
    pub(crate) fn exit_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if started.elapsed() >= within {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then a clean exit within 15 s.
    pub(crate) fn stop(mut self) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exited with {status}");
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One HTTP/1.1 request to `address`; the status and the JSON body (`null` when there is none),
/// or what went wrong (refused, reset, cut short: a server that was killed).
pub(crate) fn try_request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(u16, Value), String> {
    let mut stream = TcpStream::connect(address).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {response:?}"))?;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no body in {response:?}"))?;
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).map_err(|e| format!("{e}: {body:?}"))?
    };
    Ok((status, json))
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
