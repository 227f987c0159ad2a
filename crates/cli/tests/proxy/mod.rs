//! nginx in front of `serve` instances, configured with the production guide's own block (read
//! from the guide, so that the two cannot drift apart), terminating TLS with a certificate of
//! the test's own; and the guide's other marked blocks.
#![allow(dead_code)] // each test file uses part of it

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The proxy's name in the guide and in the test's certificate.
pub(crate) const HOST: &str = "auth.shop.example";

pub(crate) fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// The production guide, where the deployment the tests run is written.
pub(crate) const PRODUCTION_DOC: &str = "docs/production.md";

/// The production guide's text.
pub(crate) fn production_doc() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(PRODUCTION_DOC),
    )
    .unwrap()
}

/// The fenced `language` block of the production guide between its `<!-- NAME:begin -->` and
/// `<!-- NAME:end -->` marks, without its fence.
pub(crate) fn doc_block(name: &str, language: &str) -> String {
    let doc = production_doc();
    let block = doc
        .split_once(&format!("<!-- {name}:begin -->"))
        .and_then(|(_, rest)| rest.split_once(&format!("<!-- {name}:end -->")))
        .map(|(block, _)| block)
        .unwrap_or_else(|| panic!("{PRODUCTION_DOC} has no `{name}` block"));
    block
        .trim()
        .strip_prefix(&format!("```{language}"))
        .and_then(|b| b.strip_suffix("```"))
        .unwrap_or_else(|| {
            panic!("the `{name}` block of {PRODUCTION_DOC} is not fenced {language}")
        })
        .to_owned()
}

/// `text` with each `from` replaced by its `to`; each must be there.
pub(crate) fn substitute(mut text: String, pairs: &[(String, String)], what: &str) -> String {
    for (from, to) in pairs {
        assert!(
            text.contains(from.as_str()),
            "{PRODUCTION_DOC}'s {what} no longer has `{from}`"
        );
        text = text.replace(from.as_str(), to);
    }
    text
}

/// The guide's nginx configuration (its `nginx` block), with the instances' and the proxy's own
/// addresses and this test's certificate put in.
fn doc_nginx_config(upstreams: [&str; 2], port: u16, certificate: &Path, key: &Path) -> String {
    substitute(
        doc_block("nginx", "nginx"),
        &[
            (
                "server 127.0.0.1:8081".to_owned(),
                format!("server {}", upstreams[0]),
            ),
            (
                "server 127.0.0.1:8082".to_owned(),
                format!("server {}", upstreams[1]),
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
        ],
        "nginx block",
    )
}

/// nginx in the foreground, with its files in a directory of its own; stopped when dropped.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    /// Its configuration, temporary files and error log.
    pub(crate) dir: PathBuf,
    /// The certificate authority that signed the proxy's certificate.
    authority: PathBuf,
}

impl Nginx {
    pub(crate) fn start(nginx: &Path, work: &Path, upstreams: [&str; 2]) -> Self {
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
            doc_nginx_config(upstreams, port, &certificate, &key)
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
            dir,
            authority,
        }
    }
}

impl Nginx {
    /// What nginx logged (its error log), to explain a failure.
    pub(crate) fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
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
pub(crate) fn https_client(proxy: &Nginx) -> reqwest::Client {
    let pem = std::fs::read(&proxy.authority).unwrap();
    reqwest::Client::builder()
        .cookie_store(true)
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .resolve(HOST, SocketAddr::from(([127, 0, 0, 1], proxy.port)))
        .build()
        .unwrap()
}
