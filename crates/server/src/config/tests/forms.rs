//! The names of the settings, in the file and the environment, and the documented defaults.

use super::*;

fn resolved(text: &str) -> String {
    let layer: SettingsLayer = toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    format!("{:?}", Settings::resolve(layer).unwrap())
}

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

/// The same settings as [`SECTIONED`], one variable each.
const VARIABLES: &[(&str, &str)] = &[
    ("SYNERISE_AUTH_TOKEN__TTL", "2h"),
    ("SYNERISE_AUTH_TOKEN__KID", "thumbprint"),
    ("SYNERISE_AUTH_TOKEN__ALLOW_CLIENT_UUID", "true"),
    ("SYNERISE_AUTH_SESSIONS__IDLE_TTL", "20m"),
    ("SYNERISE_AUTH_SESSIONS__ABSOLUTE_TTL", "2h"),
    ("SYNERISE_AUTH_LIMITS__SIGN_IN_PER_IP_PER_MINUTE", "0"),
    ("SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT", "4"),
    ("SYNERISE_AUTH_LIMITS__TOKENS_PER_SESSION_PER_MINUTE", "5"),
    ("SYNERISE_AUTH_LIMITS__TOKENS_PER_IDENTITY_PER_MINUTE", "6"),
    ("SYNERISE_AUTH_LIMITS__TOKENS_PER_API_KEY_PER_MINUTE", "7"),
    ("SYNERISE_AUTH_OIDC__ISSUER", "https://idp.example"),
    ("SYNERISE_AUTH_OIDC__AUDIENCE", "web"),
    ("SYNERISE_AUTH_OIDC__JWKS_URL", "https://idp.example/keys"),
    ("SYNERISE_AUTH_TOKEN_CACHE__ENABLED", "off"),
    ("SYNERISE_AUTH_TOKEN_CACHE__MAX_AGE", "1m"),
    ("SYNERISE_AUTH_TOKEN_CACHE__CAPACITY", "9"),
    ("SYNERISE_AUTH_METRICS__ACCESS", "off"),
    ("SYNERISE_AUTH_GATE__ENABLED", "false"),
    ("SYNERISE_AUTH_CONNECTIONS__MAX", "11"),
    ("SYNERISE_AUTH_CONNECTIONS__HEADER_READ_TIMEOUT", "3s"),
    ("SYNERISE_AUTH_CONNECTIONS__IDLE_TIMEOUT", "4s"),
    ("SYNERISE_AUTH_CONNECTIONS__REQUEST_TIMEOUT", "5s"),
    ("SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING", "2"),
    ("SYNERISE_AUTH_PASSWORD_HASHING__QUEUE", "3"),
    ("SYNERISE_AUTH_SHUTDOWN__DRAIN", "7s"),
];

#[test]
fn every_line_of_the_file_is_read() {
    let sectioned = resolved(SECTIONED);
    // Not the defaults: every line above was read.
    assert_ne!(sectioned, resolved(""));
    let layer: SettingsLayer = toml::from_str(SECTIONED).unwrap();
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
fn the_environment_and_the_file_read_alike() {
    let from_env = SettingsLayer::from_vars(VARIABLES).unwrap();
    assert_eq!(
        format!("{:?}", Settings::resolve(from_env).unwrap()),
        resolved(SECTIONED)
    );
    // Each variable is its setting's, as the settings table names it.
    for (name, _) in VARIABLES {
        assert!(
            SettingsLayer::all_declared()
                .iter()
                .any(|d| d.env_var().as_deref() == Some(*name)),
            "{name}"
        );
    }
}

#[test]
fn a_variable_is_read_as_written() {
    // figment's own value syntax would read these as a number, a boolean, a list and a
    // string without its quotes.
    for salt in ["0012345", "true", "[salt]", "\"quoted\""] {
        let layer = SettingsLayer::from_vars(&[("SYNERISE_AUTH_UUID_SALT", salt)]).unwrap();
        assert_eq!(layer.uuid_salt.unwrap().expose_secret(), salt);
    }
    let layer = SettingsLayer::from_vars(&[
        (
            "SYNERISE_AUTH_API_KEYS",
            " 0123456789012345678901234, k-abcdefghijklmnopqrstuvw ,",
        ),
        ("SYNERISE_AUTH_DATA_DIR", "2024"),
        ("SYNERISE_AUTH_KEY", ""),
    ])
    .unwrap();
    let keys: Vec<&str> = layer
        .api_keys
        .iter()
        .flatten()
        .map(Secret::expose_secret)
        .collect();
    assert_eq!(
        keys,
        ["0123456789012345678901234", "k-abcdefghijklmnopqrstuvw"]
    );
    assert_eq!(layer.data_dir, Some(PathBuf::from("2024")));
    // An empty variable is unset.
    assert_eq!(layer.key, None);
    // Booleans and numbers are read from their text.
    for (text, enabled) in [
        ("on", true),
        ("yes", true),
        ("1", true),
        ("off", false),
        ("0", false),
    ] {
        let layer = SettingsLayer::from_vars(&[("SYNERISE_AUTH_GATE__ENABLED", text)]).unwrap();
        assert_eq!(layer.gate.enabled, Some(enabled), "{text}");
    }
}

#[test]
fn a_secret_in_a_refused_variable_is_not_shown() {
    let error = SettingsLayer::from_vars(&[
        ("SYNERISE_AUTH_UUID_SALT", "salt-never-shown"),
        (
            "SYNERISE_AUTH_DATABASE__URL",
            "postgres://auth:hunter22@db/auth",
        ),
        ("SYNERISE_AUTH_LEEWAY_SECS", "soon"),
    ])
    .unwrap_err()
    .to_string();
    assert!(error.contains("SYNERISE_AUTH_LEEWAY_SECS"), "{error}");
    assert!(!error.contains("salt-never-shown"), "{error}");
    assert!(!error.contains("hunter22"), "{error}");
}

#[test]
fn bad_values_name_the_setting_and_where_it_was_set() {
    let error =
        SettingsLayer::from_vars(&[("SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT", "many")])
            .unwrap_err()
            .to_string();
    assert!(
        error.contains("SYNERISE_AUTH_LIMITS__FAILED_SIGN_INS_PER_ACCOUNT"),
        "{error}"
    );
    assert!(error.contains("\"many\""), "{error}");

    let dir = tempfile::tempdir().unwrap();
    for (text, says) in [
        (
            "[token]\nttl = \"forever\"",
            "token.ttl: invalid token lifetime",
        ),
        // The names of the settings before sections are not read.
        ("token_ttl = \"1h\"", "unknown field: found `token_ttl`"),
        (
            "[connections]\nmax_connections = 5",
            "connections: unknown field",
        ),
        (
            "[limits]\nsign_in_per_ip_per_minute = -1",
            "limits.sign_in_per_ip_per_minute",
        ),
        ("[limits]\nsign_in_per_ip = 1", "sign_in_per_ip"),
        ("[tokens]\nttl = \"1h\"", "tokens"),
        ("[metrics]\naccess = \"sometimes\"", "metrics.access"),
        ("uuid_salt = 918273645", "uuid_salt: expected a string"),
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
    let from_env = SettingsLayer::from_vars(&[
        ("SYNERISE_AUTH_LIMITS__TOKENS_PER_SESSION_PER_MINUTE", "7"),
        ("SYNERISE_AUTH_GATE__ENABLED", "true"),
    ])
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
    let upper = SettingsLayer::from_vars(&[("SYNERISE_AUTH_ALLOWED_ORIGINS", "https://c.example")])
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
        let name = declared.env_var().unwrap();
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
            let set = SettingsLayer::from_vars(&[(&name, &value)]).unwrap();
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
    for name in [
        "SYNERISE_AUTH_TOKEN__TTTL",
        "SYNERISE_AUTH_TOKENS__TTL",
        // The gate's lists are read from the file only.
        "SYNERISE_AUTH_GATE__ANONYMOUS",
    ] {
        let error = SettingsLayer::from_vars(&[(name, "1h")])
            .unwrap_err()
            .to_string();
        assert!(error.contains(name), "{error}");
        assert!(error.contains("names no setting"), "{error}");
    }
    // Other commands' variables and other programs' are let be; known ones are read.
    let layer = SettingsLayer::from_vars(&[
        ("SYNERISE_AUTH_CONFIG", "settings.toml"),
        ("SYNERISE_AUTH_LOG_FORMAT", "json"),
        (
            "SYNERISE_AUTH_TEST_DATABASE_URL",
            "postgres://localhost/test",
        ),
        ("SYNERISE_AUTH_WRITE_CONTRACT", "1"),
        ("OTHER__THING", "x"),
        ("SYNERISE_AUTH_TOKEN__TTL", "1h"),
        ("SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING", "3"),
    ])
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
        "password_hashing.max_running must be at least 1 (`[password_hashing] max_running` in \
         the file, SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING in the environment)"
    );
    let error =
        Settings::resolve(toml::from_str("[connections]\nidle_timeout = \"0s\"\n").unwrap())
            .unwrap_err()
            .to_string();
    assert!(
        error.starts_with("connections.idle_timeout must be at least 1s ("),
        "{error}"
    );
    assert!(error.contains("`[connections] idle_timeout`"), "{error}");
    assert!(
        error.contains("SYNERISE_AUTH_CONNECTIONS__IDLE_TIMEOUT"),
        "{error}"
    );
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
    let file: SettingsLayer =
        toml::from_str("[sessions]\nidentity_cookie = \"on; domain=.shop.example\"").unwrap();
    let from_file = Settings::resolve(file.clone()).unwrap();
    assert_eq!(
        from_file.identity_cookie.and_then(|c| c.domain).as_deref(),
        Some(".shop.example")
    );
    let env =
        SettingsLayer::from_vars(&[("SYNERISE_AUTH_SESSIONS__IDENTITY_COOKIE", "off")]).unwrap();
    assert_eq!(
        Settings::resolve(env.over(file).unwrap())
            .unwrap()
            .identity_cookie,
        None
    );
    assert!(toml::from_str::<SettingsLayer>("[sessions]\nidentity_cookie = \"maybe\"").is_err());
    let err = SettingsLayer::from_vars(&[(
        "SYNERISE_AUTH_SESSIONS__IDENTITY_COOKIE",
        "on; path=relative",
    )])
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("SYNERISE_AUTH_SESSIONS__IDENTITY_COOKIE"),
        "{err}"
    );
}
