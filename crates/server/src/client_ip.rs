//! The customer's address, for the per-IP limits (read by `routes::extract::ClientIp`): the peer's, or behind trusted proxies the one
//! they name in `X-Forwarded-For`.
//!
//! Only a proxy listed in `trusted_proxies` may name the client: anyone else's `X-Forwarded-For`
//! is ignored, or a client could claim a fresh address for each guess. Each proxy appends the
//! address it received the request from, so the header is read from the right: past the trusted
//! proxies, the first address is the client.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Proxies given as addresses (`10.0.0.5`) or networks (`10.0.0.0/8`).
    ///
    /// # Errors
    /// The first entry that is neither, as it was written.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| entry.to_owned())
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    #[must_use]
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','));
        for hop in hops.rev() {
            // An entry that is no address: the proxy to its right is the last one known.
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(
            proxies.client_ip(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
        assert_eq!(
            TrustedProxies::default().client_ip(ip("127.0.0.1"), &headers(&["198.51.100.1"])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap();
        // The client put a made-up address first; the proxies appended what they saw.
        let forwarded = headers(&["192.0.2.66, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &forwarded),
            ip("198.51.100.7")
        );
        // Only proxies in the chain: the leftmost is as far as it goes.
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &headers(&["10.9.9.9"])),
            ip("10.9.9.9")
        );
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_hop_that_is_no_address_stops_the_walk_at_the_proxy_beside_it() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &headers(&["unknown, 10.0.0.2"])),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let proxies = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        assert_eq!(
            proxies.client_ip(ip("::ffff:127.0.0.1"), &headers(&["198.51.100.7"])),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn entries_that_are_neither_address_nor_network_are_refused_as_written() {
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/8", "proxy.internal"]),
            Err("proxy.internal".to_owned())
        );
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/33"]),
            Err("10.0.0.0/33".to_owned())
        );
    }
}
