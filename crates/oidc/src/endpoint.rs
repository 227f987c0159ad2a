//! Which addresses keys may be fetched from: `https://`, or `http://` to a loopback address only,
//! since keys fetched in the clear could be replaced on the way by anyone on the network path.

use std::net::IpAddr;

use reqwest::Url;

/// Parses a URL the verifier will fetch keys through, or that names the issuer.
///
/// # Errors
/// A sentence quoting `text`: it is not a URL, or it is neither `https://` with a host nor
/// `http://` to a loopback address.
pub(crate) fn check_endpoint(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" if !host.is_empty() => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "`{text}` must be an https:// URL (http:// only to a loopback address)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fetched_over_https_or_from_loopback_only() {
        for good in [
            "https://idp.example",
            "https://idp.example/realms/shop",
            "http://127.0.0.1:8081",
            "http://localhost:9000/keys",
            "http://[::1]:9000/keys",
        ] {
            assert!(check_endpoint(good).is_ok(), "{good}");
        }
        for bad in [
            "http://idp.example",
            "http://10.0.0.1/keys",
            "ftp://idp.example",
            "idp.example",
            "file:///etc/keys.json",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }
}
