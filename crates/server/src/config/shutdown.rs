//! `[shutdown]`: how `serve` stops on SIGTERM or Ctrl-C (see `shutdown.rs` for the phases).

use std::time::Duration;

use super::{Mode, SettingsError, declare::declare_layer, values::HumanDuration};

/// The drain period in production when none is set: long enough for a proxy or an orchestrator
/// that polls `/healthz` every second or two to see the instance go, short enough for a rolling
/// restart of several instances to stay quick.
pub(crate) const DEFAULT_PRODUCTION_DRAIN: Duration = Duration::from_secs(5);
/// The longest drain period accepted: a longer one only delays every restart.
const MAX_DRAIN: Duration = Duration::from_secs(300);

declare_layer! {
    /// `[shutdown]`: the drain period.
    pub struct ShutdownLayer in "shutdown" {
        drain: HumanDuration, default "dev: `0s`, production: `5s`",
            "on SIGTERM or Ctrl-C, how long `/healthz` answers 503 `draining` while every route is still served (answers then carry `Connection: close`), so that proxies and orchestrators take the instance out first; then the listener closes, idle connections are closed and requests in flight finish (within `request_timeout`). `0s`: no drain period. A second signal cuts the wait short; at most `5m`";
    }
}

impl ShutdownLayer {
    /// The drain period: the one set, or the mode's default; at most [`MAX_DRAIN`].
    pub(crate) fn resolve(&self, mode: Mode) -> Result<Duration, SettingsError> {
        match self.drain {
            None if mode == Mode::Production => Ok(DEFAULT_PRODUCTION_DRAIN),
            None => Ok(Duration::ZERO),
            Some(HumanDuration(drain)) if drain <= MAX_DRAIN => Ok(drain),
            Some(_) => Err(SettingsError::setting(
                "shutdown.drain",
                "must be at most 5m (300s)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Settings, SettingsLayer};

    fn resolved(text: &str) -> Result<Duration, String> {
        let layer: SettingsLayer = toml::from_str(text).unwrap();
        layer
            .shutdown
            .resolve(if layer.production == Some(true) {
                Mode::Production
            } else {
                Mode::Dev
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_drain_defaults_to_none_in_dev_mode_and_five_seconds_in_production() {
        assert_eq!(resolved(""), Ok(Duration::ZERO));
        assert_eq!(resolved("production = true"), Ok(DEFAULT_PRODUCTION_DRAIN));
        assert_eq!(
            resolved("production = true\n[shutdown]\ndrain = \"0s\""),
            Ok(Duration::ZERO)
        );
        assert_eq!(
            resolved("[shutdown]\ndrain = \"12s\""),
            Ok(Duration::from_secs(12))
        );
        assert_eq!(resolved("[shutdown]\ndrain = 300"), Ok(MAX_DRAIN));
    }

    #[test]
    fn a_drain_over_five_minutes_is_refused_naming_the_setting() {
        let layer: SettingsLayer = toml::from_str("[shutdown]\ndrain = \"6m\"").unwrap();
        let error = Settings::resolve(layer).unwrap_err().to_string();
        assert!(
            error.contains("shutdown.drain must be at most 5m"),
            "{error}"
        );
        assert!(error.contains("`[shutdown] drain`"), "{error}");
        let from_env = SettingsLayer::from_env(|name| {
            (name == "SYNERISE_AUTH_SHUTDOWN__DRAIN").then(|| "10m".to_owned())
        })
        .unwrap();
        assert!(Settings::resolve(from_env).is_err());
        let from_env = SettingsLayer::from_env(|name| {
            (name == "SYNERISE_AUTH_SHUTDOWN__DRAIN").then(|| "3s".to_owned())
        })
        .unwrap();
        assert_eq!(
            Settings::resolve(from_env).unwrap().drain,
            Duration::from_secs(3)
        );
    }
}
