//! `[connections]`: connection limits and timeouts, which `serve` and the gate run alone both
//! read.

use std::time::Duration;

use super::{
    SettingsError,
    declare::declare_layer,
    values::{HumanDuration, at_least_a_second, count},
};
use crate::{client_ip::TrustedProxies, serve::ConnectionLimits};

/// How long one request may take unless `request_timeout` says otherwise.
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

declare_layer! {
    /// `[connections]`: connection limits and timeouts.
    pub struct ConnectionsLayer in "connections" {
        max: u32, default "the file-descriptor limit (`ulimit -n`) less 64",
            "connections open at once; past it, the oldest connection with no request in flight is closed to make room (a value above the default is refused at start)";
        header_read_timeout: HumanDuration, default "`10s`",
            "how long a client may take to send a request's headers (also the wait for the next request on a kept-alive connection); then the connection is closed";
        idle_timeout: HumanDuration, default "`60s`",
            "a connection with no request in flight for this long is closed (HTTP/2 included)";
        request_timeout: HumanDuration, default "`10s`",
            "how long one request may take to be answered; past it, 408 `request_timeout` and its work is dropped";
        trusted_proxies: Vec<String>, default "none",
            "addresses or networks (`10.0.0.0/8`) of the proxies in front: from them, the customer's address for the per-IP limits is read from `X-Forwarded-For`; from anyone else that header is ignored";
    }
}

impl ConnectionsLayer {
    /// Defaults and checks the connection limits: timeouts of at least a second, a cap of at
    /// least one connection and below the file-descriptor limit.
    pub(crate) fn resolve(&self) -> Result<ConnectionLimits, SettingsError> {
        let defaults = ConnectionLimits::default();
        let max_connections = match self.max {
            None => defaults.max_connections,
            Some(0) => {
                return Err(SettingsError::setting(
                    "connections.max",
                    "must be at least 1",
                ));
            }
            Some(n) => {
                let n = count(n);
                if n > ConnectionLimits::default_max_connections() {
                    return Err(SettingsError::setting(
                        "connections.max",
                        format!(
                            "is {n}, but the file-descriptor limit (ulimit -n) leaves room for {} \
                             connections: raise the limit or lower this setting",
                            ConnectionLimits::default_max_connections()
                        ),
                    ));
                }
                n
            }
        };
        Ok(ConnectionLimits {
            max_connections,
            header_read_timeout: at_least_a_second(
                "connections.header_read_timeout",
                self.header_read_timeout,
                defaults.header_read_timeout,
            )?,
            idle_timeout: at_least_a_second(
                "connections.idle_timeout",
                self.idle_timeout,
                defaults.idle_timeout,
            )?,
        })
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub(crate) fn resolve_trusted_proxies(&self) -> Result<TrustedProxies, SettingsError> {
        TrustedProxies::parse(self.trusted_proxies.as_deref().unwrap_or_default()).map_err(
            |entry| {
                SettingsError::setting(
                    "connections.trusted_proxies",
                    format!(
                        "`{entry}` is neither an address (10.0.0.5) nor a network (10.0.0.0/8)"
                    ),
                )
            },
        )
    }

    /// How long one request may take: at least a second.
    pub(crate) fn resolve_request_timeout(&self) -> Result<Duration, SettingsError> {
        at_least_a_second(
            "connections.request_timeout",
            self.request_timeout,
            DEFAULT_REQUEST_TIMEOUT,
        )
    }
}
