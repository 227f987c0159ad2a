//! The production deployment of `docs/production.md`, run: two `serve --production` instances on
//! one PostgreSQL database, one reading the key directory and the other a copy of it, behind nginx
//! terminating TLS with the configuration the page gives (read from the page itself, so the two
//! cannot drift apart). Through the proxy: the health check, a sign-up whose `Secure` session
//! cookie the browser keeps over HTTPS and which works on either instance, per-IP sign-in limits
//! that count each customer behind the proxy apart (`trusted_proxies` and `X-Forwarded-For`),
//! sign-out everywhere, and a token for the site's back end.
//!
//! Needs nginx (scripts/setup installs Debian's) and `SYNERISE_AUTH_TEST_DATABASE_URL`; without
//! either the test says it is skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod instance;

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::{Running, keygen, keys_init};
use instance::{API_KEY, PASSWORD, TestDatabase, instance_command};
use serde_json::{Value, json};

const HOST: &str = "auth.shop.example";

#[test]
fn two_instances_behind_nginx_as_the_readme_deploys_them() {
    let Some(nginx) = nginx_binary() else {
        eprintln!("SKIPPED: nginx is not installed (scripts/setup installs it)");
        return;
    };
    let Some(database) = TestDatabase::create() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // One key directory, and a copy of it for the second instance, modes kept.
    keygen(work.path());
    let keys = work.path().join("keys");
    keys_init(&keys, Some(&work.path().join("private.pem")));
    let copy = work.path().join("keys-copy");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&keys)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(copied.success());

    let a = start_instance(&database.url, &keys, &work.path().join("a"));
    let b = start_instance(&database.url, &copy, &work.path().join("b"));
    let proxy = Nginx::start(&nginx, work.path(), [&a.address, &b.address]);
    let client = https_client(&proxy);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = |path: &str| format!("https://{HOST}:{}{path}", proxy.port);
        let send = |request: reqwest::RequestBuilder, from: &str| {
            request.header("X-Forwarded-For", from).send()
        };

        // The health check, through TLS: the same active key on both instances.
        let mut kids = Vec::new();
        for _ in 0..2 {
            let health: Value = client
                .get(url("/healthz"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            kids.push(health["kid"].clone());
        }
        assert!(kids[0].is_string(), "{kids:?}");
        assert_eq!(kids[0], kids[1], "{kids:?}");

        // A sign-up: its session cookie is Secure, kept over HTTPS, and works on either instance.
        let signed_up = send(
            client
                .post(url("/api/accounts"))
                .json(&json!({"email": "ann@example.com", "password": PASSWORD})),
            "198.51.100.1",
        )
        .await
        .unwrap();
        assert_eq!(signed_up.status(), 201);
        let cookie = signed_up
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("__Host-"))
            .unwrap_or_else(|| panic!("no session cookie in {:?}", signed_up.headers()));
        assert!(cookie.contains("Secure"), "{cookie}");
        for _ in 0..4 {
            let me = client.get(url("/api/session")).send().await.unwrap();
            assert_eq!(me.status(), 200);
        }

        // Per-IP limits (one sign-in a minute per instance) count each customer apart: another
        // address behind the same proxy is not held back by the first one's attempts.
        let sign_in = || {
            client
                .post(url("/api/session"))
                .json(&json!({"email": "ann@example.com", "password": PASSWORD}))
        };
        let mut signed_in = 0;
        let refused = loop {
            let reply = send(sign_in(), "198.51.100.7").await.unwrap();
            if reply.status() == 429 {
                break reply.json::<Value>().await.unwrap();
            }
            assert_eq!(reply.status(), 200);
            signed_in += 1;
            assert!(signed_in <= 2, "more sign-ins than one per instance");
        };
        assert_eq!(refused["code"], "rate_limited");
        assert_eq!(send(sign_in(), "198.51.100.8").await.unwrap().status(), 200);

        // Signed out through one instance: signed out on both.
        assert_eq!(
            client
                .delete(url("/api/session"))
                .send()
                .await
                .unwrap()
                .status(),
            204
        );
        for _ in 0..2 {
            let me = client.get(url("/api/session")).send().await.unwrap();
            assert_eq!(me.status(), 401);
        }

        // The site's back end gets its tokens through the proxy too.
        let token = client
            .post(url("/generate-jwt"))
            .bearer_auth(API_KEY)
            .json(&json!({"email": "ann@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 200);
    });
    drop(proxy);
    a.stop();
    b.stop();
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn start_instance(url: &str, key: &Path, data_dir: &Path) -> Running {
    let mut command = instance_command(url, key, data_dir);
    command
        .env("SYNERISE_AUTH_PRODUCTION", "true")
        .env("SYNERISE_AUTH_SIGNUP", "true")
        .env("SYNERISE_AUTH_TRUSTED_PROXIES", "127.0.0.1")
        .env("SYNERISE_AUTH_SIGN_IN_PER_IP_PER_MINUTE", "1");
    Running::start_command(command, "synerise-auth listening on http://")
}

/// The nginx configuration of `docs/production.md`, between its `nginx:begin` and `nginx:end`
/// marks, with the instances' and the proxy's own addresses and this test's certificate put in.
fn readme_nginx_config(upstreams: [&str; 2], port: u16, certificate: &Path, key: &Path) -> String {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/production.md"),
    )
    .unwrap();
    let block = readme
        .split_once("<!-- nginx:begin -->")
        .and_then(|(_, rest)| rest.split_once("<!-- nginx:end -->"))
        .map(|(block, _)| block)
        .expect("the nginx block of docs/production.md");
    let mut config = block
        .trim()
        .strip_prefix("```nginx")
        .and_then(|b| b.strip_suffix("```"))
        .expect("a fenced nginx block")
        .to_owned();
    for (from, to) in [
        (
            "server 127.0.0.1:8081;".to_owned(),
            format!("server {};", upstreams[0]),
        ),
        (
            "server 127.0.0.1:8082;".to_owned(),
            format!("server {};", upstreams[1]),
        ),
        (
            "listen 443 ssl;".to_owned(),
            format!("listen 127.0.0.1:{port} ssl;"),
        ),
        (
            "/etc/ssl/auth.shop.example.pem".to_owned(),
            certificate.display().to_string(),
        ),
        (
            "/etc/ssl/auth.shop.example.key".to_owned(),
            key.display().to_string(),
        ),
    ] {
        assert!(
            config.contains(&from),
            "the nginx block of docs/production.md no longer has `{from}`"
        );
        config = config.replace(&from, &to);
    }
    config
}

/// nginx in the foreground, with its files in a directory of its own; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    /// The certificate authority that signed the proxy's certificate.
    authority: PathBuf,
}

impl Nginx {
    fn start(nginx: &Path, work: &Path, upstreams: [&str; 2]) -> Self {
        let dir = work.join("nginx");
        std::fs::create_dir_all(&dir).unwrap();
        let (certificate, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let authority = make_certificates(&dir, &certificate, &key);
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n\
             client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n{}\n}}\n",
            readme_nginx_config(upstreams, port, &certificate, &key)
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "nginx did not start:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            authority,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A certificate authority of this test's own (its certificate's path returned) and the proxy's
/// certificate for [`HOST`], signed by it, at `certificate` and `key`.
fn make_certificates(dir: &Path, certificate: &Path, key: &Path) -> PathBuf {
    let authority = dir.join("ca.pem");
    let extensions = dir.join("leaf.ext");
    std::fs::write(
        &extensions,
        format!(
            "subjectAltName=DNS:{HOST}\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    let (ca_key, request) = (dir.join("ca.key"), dir.join("leaf.csr"));
    let steps: [Vec<std::ffi::OsString>; 3] = [
        vec![
            "req".into(),
            "-x509".into(),
            "-newkey".into(),
            "rsa:2048".into(),
            "-nodes".into(),
            "-days".into(),
            "1".into(),
            "-subj".into(),
            "/CN=test authority".into(),
            "-keyout".into(),
            ca_key.clone().into(),
            "-out".into(),
            authority.clone().into(),
        ],
        vec![
            "req".into(),
            "-newkey".into(),
            "rsa:2048".into(),
            "-nodes".into(),
            "-subj".into(),
            format!("/CN={HOST}").into(),
            "-keyout".into(),
            key.into(),
            "-out".into(),
            request.clone().into(),
        ],
        vec![
            "x509".into(),
            "-req".into(),
            "-in".into(),
            request.into(),
            "-CA".into(),
            authority.clone().into(),
            "-CAkey".into(),
            ca_key.into(),
            "-CAcreateserial".into(),
            "-days".into(),
            "1".into(),
            "-extfile".into(),
            extensions.into(),
            "-out".into(),
            certificate.into(),
        ],
    ];
    for args in steps {
        let made = Command::new("openssl")
            .args(&args)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(made.success(), "openssl {args:?}");
    }
    authority
}

/// A browser-like client: cookies kept, this test's certificate authority the only one trusted, the
/// proxy's name resolved to it.
fn https_client(proxy: &Nginx) -> reqwest::Client {
    let pem = std::fs::read(&proxy.authority).unwrap();
    reqwest::Client::builder()
        .cookie_store(true)
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .resolve(HOST, SocketAddr::from(([127, 0, 0, 1], proxy.port)))
        .build()
        .unwrap()
}
