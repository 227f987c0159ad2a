//! The configuration's tests: layering and precedence and each section's checks; the file's
//! and the environment's names (`forms.rs`); that no secret is ever printed (`secrets.rs`).

use std::path::PathBuf;

use super::*;

mod forms;
mod secrets;

mod layering {
    use super::*;

    #[test]
    fn flags_over_env_over_file_over_defaults() {
        let file: SettingsLayer = toml::from_str(
            "listen = \"127.0.0.1:1000\"\nuuid_salt = \"from-file\"\n[token]\nttl = \"1h\"",
        )
        .unwrap();
        let env = SettingsLayer::from_env(|name| match name {
            "SYNERISE_AUTH_LISTEN" => Some("127.0.0.1:2000".into()),
            "SYNERISE_AUTH_UUID_SALT" => Some("from-env".into()),
            _ => None,
        })
        .unwrap();
        let flags = SettingsLayer {
            listen: Some("127.0.0.1:3000".parse().unwrap()),
            ..Default::default()
        };
        let settings = Settings::resolve(flags.over(env.over(file).unwrap()).unwrap()).unwrap();
        assert_eq!(settings.listen.port(), 3000);
        assert_eq!(settings.uuid_salt.unwrap().expose_secret(), "from-env");
        assert_eq!(settings.token_ttl.as_secs(), 3600);
        assert_eq!(settings.data_dir, PathBuf::from("data"));
        assert_eq!(settings.mode, Mode::Dev);
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<SettingsLayer>("lissen = \"x\"").is_err());
    }

    #[test]
    fn bad_env_values_name_the_variable() {
        let err = SettingsLayer::from_env(|n| {
            (n == "SYNERISE_AUTH_TOKEN__TTL").then(|| "forever".into())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("SYNERISE_AUTH_TOKEN__TTL"),
            "{err}"
        );
    }

    #[test]
    fn production_names_everything_missing() {
        let err = Settings::resolve(SettingsLayer {
            production: Some(true),
            ..Default::default()
        })
        .unwrap_err();
        let text = err.to_string();
        for needle in [
            "SYNERISE_AUTH_KEY",
            "SYNERISE_AUTH_UUID_SALT",
            "SYNERISE_AUTH_API_KEYS",
        ] {
            assert!(text.contains(needle), "{text}");
        }
    }
}

mod token_cache_settings {
    use super::*;

    fn resolve(env: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let layer = SettingsLayer::from_env(|name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })?;
        Settings::resolve(layer)
    }

    #[test]
    fn on_by_default_for_ten_minutes() {
        let settings = resolve(&[]).unwrap();
        assert_eq!(settings.token_cache, TokenCacheSettings::default());
        assert!(settings.token_cache.enabled);
        assert_eq!(settings.token_cache.max_age.as_secs(), 600);
        assert_eq!(settings.token_cache.capacity, 100_000);
    }

    #[test]
    fn env_switches_it_off_and_sets_age_and_capacity() {
        let off = resolve(&[("SYNERISE_AUTH_TOKEN_CACHE__ENABLED", "off")]).unwrap();
        assert!(!off.token_cache.enabled);
        let tuned = resolve(&[
            ("SYNERISE_AUTH_TOKEN_CACHE__ENABLED", "on"),
            ("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "2m"),
            ("SYNERISE_AUTH_TOKEN_CACHE__CAPACITY", "500"),
        ])
        .unwrap();
        assert!(tuned.token_cache.enabled);
        assert_eq!(tuned.token_cache.max_age.as_secs(), 120);
        assert_eq!(tuned.token_cache.capacity, 500);
    }

    #[test]
    fn toml_takes_on_off_or_booleans() {
        for (value, enabled) in [
            ("\"off\"", false),
            ("false", false),
            ("\"on\"", true),
            ("true", true),
        ] {
            let text = format!("[token_cache]\nenabled = {value}");
            let layer: SettingsLayer = toml::from_str(&text).unwrap();
            assert_eq!(layer.token_cache.enabled, Some(enabled), "{text}");
        }
        assert!(toml::from_str::<SettingsLayer>("[token_cache]\nenabled = \"maybe\"").is_err());
    }

    #[test]
    fn max_age_must_leave_half_the_ttl() {
        let err = resolve(&[
            ("SYNERISE_AUTH_TOKEN__TTL", "1h"),
            ("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "31m"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("token_cache.max_age"), "{err}");
        assert!(
            err.to_string()
                .contains("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE in the environment"),
            "{err}"
        );
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN__TTL", "1h"),
                ("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "30m"),
            ])
            .is_ok()
        );
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "0")]).is_err());
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE__CAPACITY", "0")]).is_err());
        // Off, the other cache settings are not held against the operator.
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN_CACHE__ENABLED", "off"),
                ("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "0"),
            ])
            .is_ok()
        );
    }

    #[test]
    fn the_default_age_shrinks_with_a_short_ttl() {
        let settings = resolve(&[("SYNERISE_AUTH_TOKEN__TTL", "5m")]).unwrap();
        assert_eq!(settings.token_cache.max_age.as_secs(), 150);
    }

    #[test]
    fn metrics_access_defaults_by_mode_and_parses() {
        assert_eq!(resolve(&[]).unwrap().metrics, MetricsAccess::Public);
        let layer = SettingsLayer {
            production: Some(true),
            key: Some(PathBuf::from("k.pem")),
            uuid_salt: Some(Secret::new("salt")),
            api_keys: Some(vec![Secret::new("an-api-key-of-24-chars-xx")]),
            ..SettingsLayer::default()
        };
        assert_eq!(
            Settings::resolve(layer.clone()).unwrap().metrics,
            MetricsAccess::ApiKey
        );
        let public: SettingsLayer = toml::from_str("[metrics]\naccess = \"public\"").unwrap();
        assert_eq!(
            Settings::resolve(public.over(layer).unwrap())
                .unwrap()
                .metrics,
            MetricsAccess::Public
        );
        assert!(resolve(&[("SYNERISE_AUTH_METRICS__ACCESS", "yes please")]).is_err());
        assert_eq!(
            resolve(&[("SYNERISE_AUTH_METRICS__ACCESS", "off")])
                .unwrap()
                .metrics,
            MetricsAccess::Off
        );
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_settings_file_is_read_or_refused_without_panicking(text in "\\PC{0,200}") {
            if let Ok(layer) = toml::from_str::<SettingsLayer>(&text) {
                let _ = Settings::resolve(layer);
            }
        }

        #[test]
        fn any_environment_value_is_read_or_refused_with_its_name(
            name in prop::sample::select(vec![
                "SYNERISE_AUTH_LISTEN", "SYNERISE_AUTH_TOKEN__TTL", "SYNERISE_AUTH_LEEWAY_SECS",
                "SYNERISE_AUTH_PRODUCTION", "SYNERISE_AUTH_SESSIONS__IDLE_TTL",
                "SYNERISE_AUTH_METRICS__ACCESS", "SYNERISE_AUTH_TOKEN_CACHE__ENABLED",
                "SYNERISE_AUTH_CONNECTIONS__MAX", "SYNERISE_AUTH_CONNECTIONS__HEADER_READ_TIMEOUT",
                "SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING", "SYNERISE_AUTH_API_KEYS",
                "SYNERISE_AUTH_UUID_SALT", "SYNERISE_AUTH_OIDC__AUDIENCE",
            ]),
            value in "\\PC{1,30}",
        ) {
            match SettingsLayer::from_env(|n| (n == name).then(|| value.clone())) {
                Ok(layer) => {
                    // Whatever was read survives merging.
                    let merged = layer.clone().over(SettingsLayer::default()).unwrap();
                    prop_assert_eq!(format!("{merged:?}"), format!("{layer:?}"));
                    let _ = Settings::resolve(layer);
                }
                Err(e) => prop_assert!(e.to_string().contains(name), "{e}"),
            }
        }

        #[test]
        fn durations_in_every_unit_read_back(n in 1_u64..100_000, unit in prop::sample::select(vec!["s", "m", "h", "d", ""])) {
            let text = format!("{n}{unit}");
            let parsed = text.parse::<HumanDuration>().unwrap().0.as_secs();
            let scale = match unit { "m" => 60, "h" => 3600, "d" => 86_400, _ => 1 };
            prop_assert_eq!(parsed, n * scale);
        }
    }

    #[test]
    fn connection_and_hashing_settings_are_checked() {
        let layer = |text: &str| toml::from_str::<SettingsLayer>(text).unwrap();
        let settings = Settings::resolve(layer(
            "[connections]\nmax = 50\nheader_read_timeout = \"3s\"\nidle_timeout = \"1m\"\n\
             request_timeout = \"5s\"\ntrusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]\n\
             [password_hashing]\nmax_running = 3\nqueue = 0\n",
        ))
        .unwrap();
        assert_eq!(
            settings.trusted_proxies,
            crate::TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1"]).unwrap()
        );
        assert_eq!(settings.connections.max_connections, 50);
        assert_eq!(settings.connections.header_read_timeout.as_secs(), 3);
        assert_eq!(settings.connections.idle_timeout.as_secs(), 60);
        assert_eq!(settings.request_timeout.as_secs(), 5);
        assert_eq!(settings.hashing.running.get(), 3);
        assert_eq!(settings.hashing.queued, 0);
        for (text, says) in [
            (
                "[connections]\nmax = 0",
                "connections.max must be at least 1",
            ),
            ("[connections]\nmax = 4000000000", "file-descriptor limit"),
            (
                "[connections]\nheader_read_timeout = \"0s\"",
                "connections.header_read_timeout must be at least 1s",
            ),
            (
                "[connections]\nrequest_timeout = \"0\"",
                "connections.request_timeout must be at least 1s",
            ),
            (
                "[password_hashing]\nmax_running = 0",
                "password_hashing.max_running must be at least 1",
            ),
            (
                "[connections]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.internal\"]",
                "connections.trusted_proxies `proxy.internal` is neither an address",
            ),
        ] {
            let error = Settings::resolve(layer(text)).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
