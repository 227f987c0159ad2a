//! No `Debug` of the layers, the settings, the start-up notes or the application prints a
//! configured or generated salt or API key.

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
