//! The configuration's tests: layering and precedence, each section's checks, the flat and
//! sectioned forms, and that no secret is ever printed.

use std::path::PathBuf;

use super::{declare::FromEnv as _, *};

mod layering {
    use super::*;

    #[test]
    fn flags_over_env_over_file_over_defaults() {
        let file: SettingsLayer = toml::from_str(
            "listen = \"127.0.0.1:1000\"\ntoken_ttl = \"1h\"\nuuid_salt = \"from-file\"",
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
        let err =
            SettingsLayer::from_env(|n| (n == "SYNERISE_AUTH_TOKEN_TTL").then(|| "forever".into()))
                .unwrap_err();
        assert!(err.to_string().contains("SYNERISE_AUTH_TOKEN_TTL"), "{err}");
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
        let off = resolve(&[("SYNERISE_AUTH_TOKEN_CACHE", "off")]).unwrap();
        assert!(!off.token_cache.enabled);
        let tuned = resolve(&[
            ("SYNERISE_AUTH_TOKEN_CACHE", "on"),
            ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "2m"),
            ("SYNERISE_AUTH_TOKEN_CACHE_CAPACITY", "500"),
        ])
        .unwrap();
        assert!(tuned.token_cache.enabled);
        assert_eq!(tuned.token_cache.max_age.as_secs(), 120);
        assert_eq!(tuned.token_cache.capacity, 500);
    }

    #[test]
    fn toml_takes_on_off_or_booleans() {
        for (text, enabled) in [
            ("token_cache = \"off\"", false),
            ("token_cache = false", false),
            ("token_cache = \"on\"", true),
            ("token_cache = true", true),
        ] {
            let layer: SettingsLayer = toml::from_str(text).unwrap();
            assert_eq!(layer.token_cache.enabled, Some(enabled), "{text}");
        }
        assert!(toml::from_str::<SettingsLayer>("token_cache = \"maybe\"").is_err());
    }

    #[test]
    fn max_age_must_leave_half_the_ttl() {
        let err = resolve(&[
            ("SYNERISE_AUTH_TOKEN_TTL", "1h"),
            ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "31m"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("token_cache_max_age"), "{err}");
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN_TTL", "1h"),
                ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "30m"),
            ])
            .is_ok()
        );
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "0")]).is_err());
        assert!(resolve(&[("SYNERISE_AUTH_TOKEN_CACHE_CAPACITY", "0")]).is_err());
        // Off, the other cache settings are not held against the operator.
        assert!(
            resolve(&[
                ("SYNERISE_AUTH_TOKEN_CACHE", "off"),
                ("SYNERISE_AUTH_TOKEN_CACHE_MAX_AGE", "0"),
            ])
            .is_ok()
        );
    }

    #[test]
    fn the_default_age_shrinks_with_a_short_ttl() {
        let settings = resolve(&[("SYNERISE_AUTH_TOKEN_TTL", "5m")]).unwrap();
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
        let public: SettingsLayer = toml::from_str("metrics = \"public\"").unwrap();
        assert_eq!(
            Settings::resolve(public.over(layer).unwrap())
                .unwrap()
                .metrics,
            MetricsAccess::Public
        );
        assert!(resolve(&[("SYNERISE_AUTH_METRICS", "yes please")]).is_err());
        assert_eq!(
            resolve(&[("SYNERISE_AUTH_METRICS", "off")])
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
                "SYNERISE_AUTH_LISTEN", "SYNERISE_AUTH_TOKEN_TTL", "SYNERISE_AUTH_LEEWAY_SECS",
                "SYNERISE_AUTH_PRODUCTION", "SYNERISE_AUTH_SESSION_IDLE_TTL", "SYNERISE_AUTH_METRICS",
                "SYNERISE_AUTH_TOKEN_CACHE", "SYNERISE_AUTH_MAX_CONNECTIONS",
                "SYNERISE_AUTH_HEADER_READ_TIMEOUT", "SYNERISE_AUTH_MAX_PASSWORD_HASHES",
            ]),
            value in "\\PC{1,30}",
        ) {
            match SettingsLayer::from_env(|n| (n == name).then(|| value.clone())) {
                Ok(layer) => {
                    let _ = Settings::resolve(layer);
                }
                Err(e) => prop_assert!(e.to_string().contains(name), "{e}"),
            }
        }

        #[test]
        fn durations_in_every_unit_read_back(n in 1_u64..100_000, unit in prop::sample::select(vec!["s", "m", "h", "d", ""])) {
            let text = format!("{n}{unit}");
            let parsed = HumanDuration::from_env(&text).unwrap().0.as_secs();
            let scale = match unit { "m" => 60, "h" => 3600, "d" => 86_400, _ => 1 };
            prop_assert_eq!(parsed, n * scale);
        }
    }

    #[test]
    fn connection_and_hashing_settings_are_checked() {
        let layer = |text: &str| toml::from_str::<SettingsLayer>(text).unwrap();
        let settings = Settings::resolve(layer(
            "max_connections = 50\nheader_read_timeout = \"3s\"\nidle_timeout = \"1m\"\n\
             request_timeout = \"5s\"\nmax_password_hashes = 3\npassword_hash_queue = 0\n",
        ))
        .unwrap();
        assert_eq!(settings.connections.max_connections, 50);
        assert_eq!(settings.connections.header_read_timeout.as_secs(), 3);
        assert_eq!(settings.connections.idle_timeout.as_secs(), 60);
        assert_eq!(settings.request_timeout.as_secs(), 5);
        assert_eq!(settings.hashing.running.get(), 3);
        assert_eq!(settings.hashing.queued, 0);
        for (text, says) in [
            ("max_connections = 0", "max_connections must be at least 1"),
            ("max_connections = 4000000000", "file-descriptor limit"),
            (
                "header_read_timeout = \"0s\"",
                "header_read_timeout must be at least 1s",
            ),
            (
                "request_timeout = \"0\"",
                "request_timeout must be at least 1s",
            ),
            (
                "max_password_hashes = 0",
                "max_password_hashes must be at least 1",
            ),
        ] {
            let error = Settings::resolve(layer(text)).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}

mod sections {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn resolved(text: &str) -> String {
        let layer: SettingsLayer = toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        format!("{:?}", Settings::resolve(layer).unwrap())
    }

    const FLAT: &str = r#"
        token_ttl = "2h"
        token_kid = "thumbprint"
        allow_client_uuid = true
        session_idle_ttl = "20m"
        session_absolute_ttl = "2h"
        sign_in_per_ip_per_minute = 0
        failed_sign_ins_per_account = 4
        tokens_per_session_per_minute = 5
        tokens_per_identity_per_minute = 6
        tokens_per_api_key_per_minute = 7
        oidc_issuer = "https://idp.example"
        oidc_audience = ["web"]
        oidc_jwks_url = "https://idp.example/keys"
        token_cache = "off"
        token_cache_max_age = "1m"
        token_cache_capacity = 9
        metrics = "off"
        gate_enabled = false
        max_connections = 11
        header_read_timeout = "3s"
        idle_timeout = "4s"
        request_timeout = "5s"
        max_password_hashes = 2
        password_hash_queue = 3
    "#;

    const SECTIONED: &str = r#"
        [token]
        ttl = "2h"
        kid = "thumbprint"
        allow_client_uuid = true
        [sessions]
        idle_ttl = "20m"
        absolute_ttl = "2h"
        [limits]
        sign_in_per_ip_per_minute = 0
        failed_sign_ins_per_account = 4
        tokens_per_session_per_minute = 5
        tokens_per_identity_per_minute = 6
        tokens_per_api_key_per_minute = 7
        [oidc]
        issuer = "https://idp.example"
        audience = ["web"]
        jwks_url = "https://idp.example/keys"
        [token_cache]
        enabled = "off"
        max_age = "1m"
        capacity = 9
        [metrics]
        access = "off"
        [gate]
        enabled = false
        [connections]
        max = 11
        header_read_timeout = "3s"
        idle_timeout = "4s"
        request_timeout = "5s"
        [password_hashing]
        max_running = 2
        queue = 3
    "#;

    #[test]
    fn the_flat_and_sectioned_forms_read_alike() {
        let flat = resolved(FLAT);
        assert_eq!(flat, resolved(SECTIONED));
        // And they are not the defaults: every line above was read.
        assert_ne!(flat, resolved(""));
        let layer: SettingsLayer = toml::from_str(FLAT).unwrap();
        assert_eq!(layer.password_hashing.max_running, Some(2));
        assert_eq!(layer.token_cache.enabled, Some(false));
        assert_eq!(layer.metrics.access, Some(MetricsAccess::Off));
        assert_eq!(layer.gate.enabled, Some(false));
    }

    #[test]
    fn the_environment_reads_flat_and_nested_names_alike() {
        let flat: Vec<(String, String)> = SettingsLayer::all_declared()
            .iter()
            .filter_map(|d| Some((d.flat_env()?, d.nested_env()?)))
            .collect();
        assert!(flat.len() > 20, "{flat:?}");
        let values = [
            ("TOKEN_TTL", "2h"),
            ("SESSION_IDLE_TTL", "20m"),
            ("SIGN_IN_PER_IP_PER_MINUTE", "0"),
            ("TOKEN_CACHE", "off"),
            ("METRICS", "off"),
            ("GATE_ENABLED", "false"),
            ("MAX_CONNECTIONS", "11"),
            ("MAX_PASSWORD_HASHES", "2"),
            ("OIDC_ISSUER", "https://idp.example"),
            ("OIDC_AUDIENCE", "web, ios"),
        ];
        let by = |nested: bool| {
            let vars: Vec<(String, String)> = values
                .iter()
                .map(|(suffix, value)| {
                    let (old, new) = flat
                        .iter()
                        .find(|(old, _)| *old == format!("SYNERISE_AUTH_{suffix}"))
                        .unwrap();
                    (if nested { new } else { old }.clone(), (*value).to_owned())
                })
                .collect();
            let layer = SettingsLayer::from_env(|name| {
                vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
            })
            .unwrap();
            format!("{:?}", Settings::resolve(layer).unwrap())
        };
        assert_eq!(by(false), by(true));
        assert_ne!(
            by(false),
            format!("{:?}", Settings::resolve(SettingsLayer::default()).unwrap())
        );
        let layer = SettingsLayer::from_env(env(&[("SYNERISE_AUTH_TOKEN__TTL", "2h")])).unwrap();
        assert_eq!(Settings::resolve(layer).unwrap().token_ttl.as_secs(), 7200);
    }

    #[test]
    fn one_setting_named_both_ways_is_refused() {
        for text in [
            "token_ttl = \"1h\"\n[token]\nttl = \"2h\"\n",
            "max_password_hashes = 2\n[password_hashing]\nmax_running = 2\n",
            "gate_enabled = true\n[gate]\nenabled = true\n",
        ] {
            let error = toml::from_str::<SettingsLayer>(text)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("the same setting: keep one"),
                "{text}: {error}"
            );
        }
        let error = toml::from_str::<SettingsLayer>("token_ttl = \"1h\"\n[token]\nttl = \"2h\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`token_ttl`") && error.contains("`[token] ttl`"),
            "{error}"
        );

        let error = SettingsLayer::from_env(env(&[
            ("SYNERISE_AUTH_TOKEN_TTL", "1h"),
            ("SYNERISE_AUTH_TOKEN__TTL", "1h"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("SYNERISE_AUTH_TOKEN_TTL and SYNERISE_AUTH_TOKEN__TTL"),
            "{error}"
        );
    }

    #[test]
    fn bad_values_name_the_setting_and_where_it_was_set() {
        let error = SettingsLayer::from_env(env(&[(
            "SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT",
            "many",
        )]))
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT"),
            "{error}"
        );
        assert!(error.contains("expected a whole number"), "{error}");

        let dir = tempfile::tempdir().unwrap();
        for (text, says) in [
            ("token_ttl = \"forever\"", "token_ttl"),
            ("[token]\nttl = \"forever\"", "token.ttl"),
            (
                "[limits]\nsign_in_per_ip_per_minute = -1",
                "limits.sign_in_per_ip_per_minute",
            ),
            ("[limits]\nsign_in_per_ip = 1", "sign_in_per_ip"),
            ("[tokens]\nttl = \"1h\"", "tokens"),
            ("metrics = \"sometimes\"", "metrics"),
        ] {
            let path = dir.path().join("settings.toml");
            std::fs::write(&path, text).unwrap();
            let error = SettingsLayer::from_toml_file(&path)
                .unwrap_err()
                .to_string();
            assert!(error.contains(&path.display().to_string()), "{error}");
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn layers_merge_setting_by_setting_within_a_section() {
        let file: SettingsLayer = toml::from_str(
            "[limits]\nsign_in_per_ip_per_minute = 5\ntokens_per_session_per_minute = 6\n\
             [gate]\nunlisted = \"require_token\"\n",
        )
        .unwrap();
        let from_env = SettingsLayer::from_env(env(&[
            ("SYNERISE_AUTH_LIMITS__TOKENS_PER_SESSION_PER_MINUTE", "7"),
            ("SYNERISE_AUTH_GATE_ENABLED", "true"),
        ]))
        .unwrap();
        let flags = SettingsLayer {
            production: Some(false),
            ..SettingsLayer::default()
        };
        let settings =
            Settings::resolve(flags.over(from_env.over(file).unwrap()).unwrap()).unwrap();
        assert_eq!(settings.limits.sign_in_per_ip_per_minute, 5);
        assert_eq!(settings.limits.tokens_per_session_per_minute, 7);
        assert_eq!(
            settings.gate.unwrap().unlisted(),
            synerise_auth_gate::UnlistedPolicy::RequireToken
        );
        // A list set higher replaces the lower one whole.
        let lower: SettingsLayer =
            toml::from_str("allowed_origins = [\"https://a.example\", \"https://b.example\"]")
                .unwrap();
        let upper = SettingsLayer::from_env(env(&[(
            "SYNERISE_AUTH_ALLOWED_ORIGINS",
            "https://c.example",
        )]))
        .unwrap();
        assert_eq!(
            Settings::resolve(upper.over(lower).unwrap())
                .unwrap()
                .allowed_origins,
            ["https://c.example"]
        );
    }

    /// The settings as text, the gate's settings apart (their index is a `HashMap`, printed in
    /// no fixed order).
    fn comparable(mut settings: Settings) -> (String, Option<synerise_auth_gate::EventSettings>) {
        let gate = settings.gate.take();
        (format!("{settings:?}"), gate)
    }

    /// Each default the README states as one value is what an unset setting resolves to: set to
    /// that value, the settings come out the same.
    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let production = || SettingsLayer {
            production: Some(true),
            key: Some(PathBuf::from("k.pem")),
            uuid_salt: Some(Secret::new("salt")),
            api_keys: Some(vec![Secret::new("an-api-key-of-24-chars-xx")]),
            ..SettingsLayer::default()
        };
        let one_value = |text: &str| {
            let inner = text.strip_prefix('`')?.strip_suffix('`')?;
            (!inner.contains('`')).then(|| inner.to_owned())
        };
        let mut checked = 0;
        for declared in SettingsLayer::all_declared() {
            // `./data` and `data` name the same directory, but not the same `PathBuf`.
            if !declared.env || declared.key == "data_dir" {
                continue;
            }
            let name = declared.flat_env().unwrap();
            let (dev, prod) = match declared.default.split_once(", production: ") {
                Some((dev, prod)) => (
                    dev.strip_prefix("dev: ").and_then(one_value),
                    one_value(prod),
                ),
                None => (one_value(declared.default), one_value(declared.default)),
            };
            let mode_dependent = declared.default.contains(", production: ");
            for (value, base) in [
                (dev, SettingsLayer::default as fn() -> SettingsLayer),
                (prod.filter(|_| mode_dependent), production),
            ] {
                let Some(value) = value else { continue };
                let set = SettingsLayer::from_env(|n| (n == name).then(|| value.clone())).unwrap();
                assert_eq!(
                    comparable(Settings::resolve(set.over(base()).unwrap()).unwrap()),
                    comparable(Settings::resolve(base()).unwrap()),
                    "{name}={value}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 25, "{checked}");
    }
}

mod secrets {
    use super::*;

    const SALT: &str = "salt-that-must-never-print";
    const KEY: &str = "api-key-that-must-never-print";
    const OTHER_KEY: &str = "another-api-key-never-printed";

    fn assert_hidden(what: &str, debug: &str) {
        for secret in [SALT, KEY, OTHER_KEY] {
            assert!(!debug.contains(secret), "{what} prints a secret: {debug}");
        }
    }

    fn layers() -> (SettingsLayer, SettingsLayer, SettingsLayer) {
        let file: SettingsLayer = toml::from_str(&format!(
            "uuid_salt = \"{SALT}\"\napi_keys = [\"{KEY}\", \"{OTHER_KEY}\"]\n"
        ))
        .unwrap();
        let env = SettingsLayer::from_env(|name| match name {
            "SYNERISE_AUTH_UUID_SALT" => Some(SALT.into()),
            "SYNERISE_AUTH_API_KEYS" => Some(format!("{KEY},{OTHER_KEY}")),
            _ => None,
        })
        .unwrap();
        let flags = SettingsLayer {
            uuid_salt: Some(Secret::new(SALT)),
            ..SettingsLayer::default()
        };
        (file, env, flags)
    }

    #[test]
    fn no_layer_nor_the_settings_print_a_salt_or_an_api_key() {
        let (file, env, flags) = layers();
        assert_hidden("the file's layer", &format!("{file:?}"));
        assert_hidden("the environment's layer", &format!("{env:?}"));
        assert_hidden("the flags' layer", &format!("{flags:?}"));
        let merged = flags.over(env.over(file).unwrap()).unwrap();
        assert_hidden("the merged layers", &format!("{merged:?}"));
        assert_hidden("the merged layers", &format!("{merged:#?}"));
        // The values are there, only not printed.
        assert_eq!(merged.uuid_salt.as_ref().unwrap().expose_secret(), SALT);
        assert_eq!(
            merged.api_keys.as_ref().unwrap()[1].expose_secret(),
            OTHER_KEY
        );
        let settings = Settings::resolve(merged).unwrap();
        assert_hidden("the settings", &format!("{settings:?}"));
        assert_eq!(settings.uuid_salt.as_ref().unwrap().expose_secret(), SALT);
        assert!(settings.api_keys.accepted_digest(KEY).is_some());
    }

    #[tokio::test]
    async fn neither_the_application_nor_its_notes_print_a_secret() {
        let (file, ..) = layers();
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::resolve(file).unwrap();
        settings.data_dir = dir.path().to_owned();
        settings.listen = "127.0.0.1:0".parse().unwrap();
        let app = crate::Application::build(settings).await.unwrap();
        assert_hidden("the application", &format!("{app:?}"));
        assert_hidden("the start-up notes", &format!("{:?}", app.notes()));

        // Dev mode with nothing configured: the generated salt and API key are not printed
        // either.
        let dir = tempfile::tempdir().unwrap();
        let app = crate::Application::build(Settings::for_test(dir.path()))
            .await
            .unwrap();
        let notes = app.notes();
        let generated = notes
            .dev_api_key
            .as_ref()
            .unwrap()
            .expose_secret()
            .to_owned();
        let salt = std::fs::read_to_string(dir.path().join("uuid-salt")).unwrap();
        for debug in [format!("{app:?}"), format!("{notes:?}")] {
            assert!(!debug.contains(&generated), "{debug}");
            assert!(!debug.contains(salt.trim()), "{debug}");
        }
    }
}
