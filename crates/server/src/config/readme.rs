//! The settings table of `docs/configure.md`, made from the declarations: a test fails when the
//! two differ, and `UPDATE_README=1 cargo test -p synerise-auth-server readme` writes the table
//! into the page.

use std::path::Path;

use super::{SettingsLayer, declare::Declared};

/// The line that starts the table.
const HEADER: &str = "| setting (TOML key) | environment | default | meaning |";

/// One row of the table.
fn row(declared: &Declared) -> String {
    let mut environment = declared
        .env_var()
        .map_or_else(|| "none".to_owned(), |name| format!("`{name}`"));
    if declared.list && declared.env {
        environment.push_str(" (comma separated)");
    }
    format!(
        "| `{}` | {environment} | {} | {} |",
        declared.toml_key(),
        declared.default,
        declared.meaning
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
fn every_setting_has_a_row_naming_its_variable() {
    let table = table();
    for declared in SettingsLayer::all_declared() {
        let row = table
            .lines()
            .find(|line| line.starts_with(&format!("| `{}` |", declared.toml_key())))
            .unwrap_or_else(|| panic!("no row for {declared:?}"));
        if let Some(name) = declared.env_var() {
            assert!(row.contains(&format!("| `{name}` ")), "{row}");
        }
    }
    // One variable a setting: the top of the file by its key, a section by section and key.
    for name in [
        "SYNERISE_AUTH_LISTEN",
        "SYNERISE_AUTH_API_KEYS",
        "SYNERISE_AUTH_TOKEN__TTL",
        "SYNERISE_AUTH_PASSWORD_HASHING__MAX_RUNNING",
        "SYNERISE_AUTH_TOKEN_CACHE__ENABLED",
        "SYNERISE_AUTH_METRICS__ACCESS",
        "SYNERISE_AUTH_GATE__ENABLED",
        "SYNERISE_AUTH_OIDC__AUDIENCE",
        "SYNERISE_AUTH_CONNECTIONS__MAX",
    ] {
        assert_eq!(table.matches(&format!("`{name}`")).count(), 1, "{name}");
    }
}
