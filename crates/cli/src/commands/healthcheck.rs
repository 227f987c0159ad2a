//! `healthcheck`: `GET /healthz` on the local `serve`, for a container's `HEALTHCHECK` (the image
//! holds the binary alone: no shell, no curl).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    process::ExitCode,
    time::Duration,
};

use anyhow::Context as _;
use serde_json::Value;

pub(crate) fn healthcheck(address: SocketAddr, timeout_secs: u64) -> anyhow::Result<ExitCode> {
    let address = loopback_if_unspecified(address);
    let url = format!("http://{address}/healthz");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer: anyhow::Result<Value> = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_secs))
            .no_proxy()
            .build()?;
        let response = client.get(&url).send().await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "{url} answered {status}");
        Ok(response.json().await?)
    });
    let health = answer.with_context(|| format!("not healthy: GET {url}"))?;
    let field = |name: &str| health[name].as_str().unwrap_or("?").to_owned();
    println!(
        "{}: version {} ({}), {} mode, signing key {}",
        field("status"),
        field("version"),
        field("commit"),
        field("mode"),
        field("kid"),
    );
    Ok(ExitCode::SUCCESS)
}

/// `serve` bound to every address (`0.0.0.0:8080` in the image) answers on loopback.
fn loopback_if_unspecified(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), address.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), address.port())
        }
        _ => address,
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_if_unspecified;

    #[test]
    fn an_unspecified_address_is_asked_on_loopback() {
        let cases = [
            ("0.0.0.0:8080", "127.0.0.1:8080"),
            ("[::]:9000", "[::1]:9000"),
            ("10.1.2.3:8081", "10.1.2.3:8081"),
        ];
        for (given, asked) in cases {
            assert_eq!(
                loopback_if_unspecified(given.parse().unwrap()).to_string(),
                asked
            );
        }
    }
}
