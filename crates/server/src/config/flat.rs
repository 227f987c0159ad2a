//! The flat TOML names every release read (`token_ttl = "7d"`, `metrics = "public"`), moved into
//! their sections (`[token] ttl`, `[metrics] access`) before the file is read as sections.

use figment::value::{Dict, Value};

use super::declare::Declared;

/// A flat name moved into its section: its path there, and the name as written.
pub(super) type Renamed = Vec<(String, &'static str)>;

/// Moves each flat key of `dict` into its section, as the `settings` declare them.
///
/// # Errors
/// A sentence when a setting is named both ways, or a section is not a table.
pub(super) fn into_sections(
    mut dict: Dict,
    settings: &[Declared],
) -> Result<(Dict, Renamed), String> {
    let mut renamed = Renamed::new();
    for declared in settings.iter().copied() {
        if declared.section.is_empty() || declared.flat.is_empty() {
            continue;
        }
        // `token_cache` and `metrics` are both a flat setting and a section: a table is the
        // section, anything else the flat setting.
        let is_section = declared.flat == declared.section
            && matches!(dict.get(declared.flat), Some(Value::Dict(..)));
        if is_section {
            continue;
        }
        let Some(value) = dict.remove(declared.flat) else {
            continue;
        };
        let section = dict
            .entry(declared.section.to_owned())
            .or_insert_with(|| Value::from(Dict::new()));
        let Value::Dict(_, table) = section else {
            return Err(format!("`{}` must be a table", declared.section));
        };
        if table.contains_key(declared.key) {
            return Err(format!(
                "`{}` and `{}` are the same setting: keep one",
                declared.flat,
                declared.toml_key()
            ));
        }
        table.insert(declared.key.to_owned(), value);
        renamed.push((declared.path(), declared.flat));
    }
    Ok((dict, renamed))
}

/// The error with the setting named as the file wrote it.
pub(super) fn describe(error: &figment::Error, renamed: &Renamed) -> String {
    if error.path.is_empty() {
        return error.kind.to_string();
    }
    let path = error.path.join(".");
    let name = renamed
        .iter()
        .find(|(to, _)| *to == path)
        .map_or(path.as_str(), |(_, from)| from);
    format!("{name}: {}", error.kind)
}
