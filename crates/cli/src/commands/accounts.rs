//! `accounts add|remove|list`, on the same store `serve` uses (SQLite in the data directory, or
//! the PostgreSQL database `[database] url` names).

use std::{
    io::BufRead as _,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use secrecy::SecretString;
use synerise_auth_server::{SettingsLayer, database::open_store};
use synerise_auth_store::{AccountStore, HashingLimits, SessionStore, StoreError};
use synerise_auth_token::{Clock as _, Email, SystemClock};

use crate::cli::AccountsAction;

pub(crate) fn run(
    action: AccountsAction,
    config: Option<&Path>,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let flags = SettingsLayer {
        data_dir,
        ..SettingsLayer::default()
    };
    let env = SettingsLayer::from_process_env()?;
    let file = match config {
        Some(path) => SettingsLayer::from_toml_file(path)?,
        None => SettingsLayer::default(),
    };
    let layer = flags.over(env.over(file)?)?;
    let database = layer.database.resolve()?;

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = open_store(
            &database,
            &layer.data_dir_or_default(),
            HashingLimits::default(),
        )
        .await?;
        let store = store.as_ref();
        match action {
            AccountsAction::Add {
                email,
                password_stdin,
            } => {
                let email = Email::parse(&email)?;
                let password = read_password(password_stdin)?;
                match AccountStore::create(store, &email, &password, SystemClock.now()).await {
                    Ok(_) => eprintln!("account {email} created"),
                    Err(StoreError::AccountExists) => {
                        anyhow::bail!("an account for {email} already exists")
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            AccountsAction::Remove { email } => {
                let email = Email::parse(&email)?;
                let ended = SessionStore::delete_for_account(store, &email).await?;
                anyhow::ensure!(
                    AccountStore::remove(store, &email).await?,
                    "no account for {email}"
                );
                eprintln!("account {email} removed ({ended} session(s) ended)");
            }
            AccountsAction::List => {
                for account in AccountStore::list(store).await? {
                    let created = account.created_at.to_rfc3339().unwrap_or_else(|_| {
                        format!("{} (seconds since 1970)", account.created_at.as_secs())
                    });
                    println!("{}\t{created}", account.email);
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("password: ")
            .context("cannot read the password (use --password-stdin when not on a terminal)")?;
        let again = rpassword::prompt_password("again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        first
    };
    anyhow::ensure!(!password.is_empty(), "the password is empty");
    Ok(SecretString::from(password))
}
