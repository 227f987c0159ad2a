//! `[metrics]`: who may read `GET /metrics`.

use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::{Mode, declare::declare_layer};

declare_layer! {
    /// `[metrics]`: who may read `GET /metrics`.
    pub struct MetricsLayer in "metrics" {
        access: MetricsAccess, default "dev: `public`, production: `api_key`",
            "who may read `GET /metrics`: `public`, `api_key` (`Authorization: Bearer <API key>`), or `off` (404)";
    }
}

/// Who may read `GET /metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAccess {
    /// No `/metrics` route (404).
    Off,
    /// Callers with one of the API keys, as `Authorization: Bearer <key>` (Prometheus's
    /// `authorization` scrape setting).
    ApiKey,
    /// Anyone who can reach the port.
    Public,
}

impl MetricsLayer {
    /// As set, or by mode: public in dev mode, behind an API key in production.
    pub(crate) fn resolve(&self, mode: Mode) -> MetricsAccess {
        self.access.unwrap_or(match mode {
            Mode::Dev => MetricsAccess::Public,
            Mode::Production => MetricsAccess::ApiKey,
        })
    }
}

impl<'de> Deserialize<'de> for MetricsAccess {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for MetricsAccess {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Self::Off => "off",
            Self::ApiKey => "api_key",
            Self::Public => "public",
        })
    }
}

impl FromStr for MetricsAccess {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "api_key" => Ok(Self::ApiKey),
            "public" => Ok(Self::Public),
            other => Err(format!("`{other}`: expected off, api_key or public")),
        }
    }
}
