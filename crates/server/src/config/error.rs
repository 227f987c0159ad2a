//! Why settings could not be loaded or resolved.

use std::path::PathBuf;

/// Why settings could not be loaded or resolved. Each message says what to set.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// An environment variable has an invalid value, or names no setting.
    #[error("environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: String,
        /// Why.
        message: String,
    },
    /// A required setting is missing or invalid.
    #[error("{0}")]
    Invalid(String),
    /// One setting's value is refused.
    #[error("{setting} {problem}{place}")]
    Setting {
        /// Its path (`connections.max`).
        setting: String,
        /// What is wrong (`must be at least 1`).
        problem: String,
        /// Where it is set (` (`[connections] max` in the file, ... in the environment)`), once
        /// known.
        place: String,
    },
}

impl SettingsError {
    /// A setting's value is refused: the message starts with its path (`connections.max`) and
    /// `problem`. `placed` (in `layer.rs`), at the top of the configuration, adds where it is
    /// set.
    pub(crate) fn setting(path: &str, problem: impl std::fmt::Display) -> Self {
        Self::Setting {
            setting: path.to_owned(),
            problem: problem.to_string(),
            place: String::new(),
        }
    }
}
