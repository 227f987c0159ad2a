//! A `synerise-auth` command that serves HTTP (`serve`, `gate`), run as a user would: started on
//! port 0, its banner read up to the line that names its address, spoken to with plain HTTP/1.1,
//! stopped with SIGTERM.
#![allow(dead_code)] // each test file uses part of it

use std::{
    ffi::OsStr,
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpStream,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

/// A running server process; killed and reaped when dropped.
pub(crate) struct Running {
    child: Child,
    /// `127.0.0.1:PORT`, from the ready line.
    pub(crate) address: String,
    /// Everything printed on stdout up to and including the ready line.
    pub(crate) banner: String,
}

impl Running {
    /// Runs `synerise-auth ARGS` without the variables in `env_remove`, and waits (at most 60 s)
    /// for the stdout line that starts with `ready_prefix` followed by the address.
    pub(crate) fn start<S: AsRef<OsStr>>(
        args: &[S],
        env_remove: &[&str],
        ready_prefix: &str,
    ) -> Self {
        let mut command = Command::new(cargo_bin("synerise-auth"));
        for name in env_remove {
            command.env_remove(name);
        }
        let child = command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
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

    /// One HTTP/1.1 request; returns the status and the JSON body.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let (_, body) = response.split_once("\r\n\r\n").unwrap();
        (status, serde_json::from_str(body).unwrap())
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

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
