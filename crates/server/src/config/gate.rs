//! `[gate]`: the event gate `serve` mounts, and its event settings (also read by
//! `synerise-auth gate`).

use serde::{Deserialize, Deserializer, Serialize};
use synerise_auth_gate::EventSettings;

use super::declare::Declared;

/// `[gate]`: the switch and the event gate's lists. The lists are checked together when the
/// table is read (an action on two lists is refused), and a layer that sets any of them sets
/// all four (unset lists keep their defaults).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GateLayer {
    /// Mount the event gate (`/gate/v1/*`) in `serve`: default on in dev mode, off in
    /// production.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The event settings: `anonymous`, `modify_without_token`, `require_token`, `unlisted`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventSettings>,
}

impl GateLayer {
    /// The settings this table declares.
    pub(crate) const DECLARED: &'static [Declared] = &[
        Declared {
            section: "gate",
            key: "enabled",
            default: "dev: `true`, production: `false`",
            meaning: "mount the event gate (`/gate/v1/*`), with this service's own public key as the registered certificate",
            env: true,
            list: false,
        },
        Declared {
            section: "gate",
            key: "anonymous`, `modify_without_token`, `require_token`, `unlisted",
            default: "`[\"page.visit\"]`, `[]`, `[\"form.submit\", \"client.createOrUpdate\"]`, `\"accept_anonymous\"`",
            meaning: "the event gate's settings (a list that is set replaces its default; `unlisted` may be `\"require_token\"`); also read by `synerise-auth gate`",
            env: false,
            list: true,
        },
    ];

    pub(crate) fn declared(out: &mut Vec<Declared>) {
        out.extend_from_slice(Self::DECLARED);
    }
}

impl<'de> Deserialize<'de> for GateLayer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            enabled: Option<bool>,
            #[serde(flatten)]
            lists: serde_json::Map<String, serde_json::Value>,
        }
        let raw = Raw::deserialize(d)?;
        let events = if raw.lists.is_empty() {
            None
        } else {
            Some(
                EventSettings::deserialize(serde_json::Value::Object(raw.lists))
                    .map_err(serde::de::Error::custom)?,
            )
        };
        Ok(Self {
            enabled: raw.enabled,
            events,
        })
    }
}
