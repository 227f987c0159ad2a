//! The flat and the sectioned forms, in the file and the environment, and the documented
//! defaults.

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
    shutdown_drain = "7s"
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
    [shutdown]
    drain = "7s"
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
    // Merging with an empty layer, above or below, changes nothing.
    let debug = format!("{layer:?}");
    let above = layer.clone().over(SettingsLayer::default()).unwrap();
    assert_eq!(format!("{above:?}"), debug);
    let below = SettingsLayer::default().over(layer).unwrap();
    assert_eq!(format!("{below:?}"), debug);
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
    let settings = Settings::resolve(flags.over(from_env.over(file).unwrap()).unwrap()).unwrap();
    assert_eq!(settings.limits.sign_in_per_ip_per_minute, 5);
    assert_eq!(settings.limits.tokens_per_session_per_minute, 7);
    assert_eq!(
        settings.gate.unwrap().unlisted(),
        synerise_auth_gate::UnlistedPolicy::RequireToken
    );
    // A list set higher replaces the lower one whole.
    let lower: SettingsLayer =
        toml::from_str("allowed_origins = [\"https://a.example\", \"https://b.example\"]").unwrap();
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

#[test]
fn an_unknown_sectioned_variable_is_refused() {
    let vars = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    };
    let error = SettingsLayer::from_env_vars(vars(&[("SYNERISE_AUTH_TOKEN__TTTL", "1h")]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("SYNERISE_AUTH_TOKEN__TTTL"), "{error}");
    assert!(error.contains("names no setting"), "{error}");
    // Other commands' variables and other programs' are let be; known ones are read.
    let layer = SettingsLayer::from_env_vars(vars(&[
        ("SYNERISE_AUTH_CONFIG", "settings.toml"),
        ("SYNERISE_AUTH_LOG_FORMAT", "json"),
        ("OTHER__THING", "x"),
        ("SYNERISE_AUTH_TOKEN__TTL", "1h"),
        ("SYNERISE_AUTH_MAX_PASSWORD_HASHES", "3"),
    ]))
    .unwrap();
    let settings = Settings::resolve(layer).unwrap();
    assert_eq!(settings.token_ttl.as_secs(), 3600);
    assert_eq!(settings.hashing.running.get(), 3);
}

#[test]
fn a_refused_value_says_where_it_is_set() {
    let error = Settings::resolve(toml::from_str("[password_hashing]\nmax_running = 0\n").unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "max_password_hashes must be at least 1 (`[password_hashing] max_running` in the file, \
         SYNERISE_AUTH_MAX_PASSWORD_HASHES in the environment)"
    );
    let error =
        Settings::resolve(toml::from_str("[connections]\nidle_timeout = \"0s\"\n").unwrap())
            .unwrap_err()
            .to_string();
    assert!(
        error.starts_with("idle_timeout must be at least 1s ("),
        "{error}"
    );
    assert!(error.contains("`[connections] idle_timeout`"), "{error}");
    assert!(error.contains("SYNERISE_AUTH_IDLE_TIMEOUT"), "{error}");
}

#[test]
fn the_test_settings_are_the_dev_defaults_on_port_0() {
    let dir = tempfile::tempdir().unwrap();
    let layer = SettingsLayer {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        data_dir: Some(dir.path().to_owned()),
        ..SettingsLayer::default()
    };
    assert_eq!(
        comparable(Settings::for_test(dir.path())),
        comparable(Settings::resolve(layer).unwrap())
    );
}

#[test]
fn the_identity_cookie_is_off_unless_set_and_an_env_off_beats_a_file_on() {
    let unset = Settings::resolve(SettingsLayer::default()).unwrap();
    assert_eq!(unset.identity_cookie, None);
    for text in [
        "identity_cookie = \"on; domain=.shop.example\"",
        "[sessions]\nidentity_cookie = \"on; domain=.shop.example\"",
    ] {
        let file: SettingsLayer = toml::from_str(text).unwrap();
        let from_file = Settings::resolve(file.clone()).unwrap();
        assert_eq!(
            from_file.identity_cookie.and_then(|c| c.domain).as_deref(),
            Some(".shop.example"),
            "{text}"
        );
        let env = SettingsLayer::from_env(|n| {
            (n == "SYNERISE_AUTH_IDENTITY_COOKIE").then(|| "off".into())
        })
        .unwrap();
        assert_eq!(
            Settings::resolve(env.over(file).unwrap())
                .unwrap()
                .identity_cookie,
            None
        );
    }
    assert!(toml::from_str::<SettingsLayer>("identity_cookie = \"maybe\"").is_err());
    let err = SettingsLayer::from_env(|n| {
        (n == "SYNERISE_AUTH_IDENTITY_COOKIE").then(|| "on; path=relative".into())
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("SYNERISE_AUTH_IDENTITY_COOKIE"),
        "{err}"
    );
}
