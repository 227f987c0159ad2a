//! The settings table of `docs/configure.md`, made from the declarations: a test fails when the
//! two differ, and `UPDATE_README=1 cargo test -p synerise-auth-server readme` writes the table
//! into the page.

use std::path::Path;

use super::{SettingsLayer, declare::Declared};

/// The line that starts the table.
const HEADER: &str = "| setting (TOML key) | environment | default | meaning |";

/// One row of the table.
fn row(declared: &Declared) -> String {
    let mut setting = format!("`{}`", declared.toml_key());
    if !declared.section.is_empty() && !declared.flat.is_empty() {
        setting.push_str(&format!(" (flat: `{}`)", declared.flat));
    }
    let names: Vec<String> = [declared.flat_env(), declared.nested_env()]
        .into_iter()
        .flatten()
        .map(|name| format!("`{name}`"))
        .collect();
    let mut environment = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(" or ")
    };
    if declared.list && declared.env {
        environment.push_str(" (comma separated)");
    }
    format!(
        "| {setting} | {environment} | {} | {} |",
        declared.default, declared.meaning
    )
}

/// The whole table, header included, one line per setting.
pub(super) fn table() -> String {
    let mut lines = vec![HEADER.to_owned(), "| --- | --- | --- | --- |".to_owned()];
    lines.extend(SettingsLayer::all_declared().iter().map(row));
    lines.join("\n") + "\n"
}

/// `readme` with its settings table replaced by `table`; `None` when it has no table.
fn with_table(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(HEADER)?;
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |at| start + at + 1);
    Some(format!("{}{table}{}", &readme[..start], &readme[end..]))
}

#[test]
fn the_readme_table_is_made_from_the_declarations() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configure.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let expected = with_table(&readme, &table()).expect("docs/configure.md has a settings table");
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        readme == expected,
        "docs/configure.md's settings table differs from the declarations; run \
         `UPDATE_README=1 cargo test -p synerise-auth-server readme` and review the change. \
         Expected:\n{}",
        table()
    );
}

#[test]
fn every_setting_has_a_row_naming_its_variables() {
    let table = table();
    for declared in SettingsLayer::all_declared() {
        for name in [declared.flat_env(), declared.nested_env()]
            .into_iter()
            .flatten()
        {
            assert!(table.contains(&format!("`{name}`")), "{name}");
        }
        assert!(table.contains(&declared.toml_key()), "{declared:?}");
    }
    // The names every release read are all still there.
    for name in [
        "SYNERISE_AUTH_TOKEN_TTL",
        "SYNERISE_AUTH_MAX_PASSWORD_HASHES",
        "SYNERISE_AUTH_SIGN_IN_PER_IP_PER_MINUTE",
        "SYNERISE_AUTH_TOKEN_CACHE",
        "SYNERISE_AUTH_METRICS",
        "SYNERISE_AUTH_GATE_ENABLED",
        "SYNERISE_AUTH_OIDC_AUDIENCE",
        "SYNERISE_AUTH_MAX_CONNECTIONS",
    ] {
        assert!(table.contains(&format!("`{name}`")), "{name}");
    }
}
