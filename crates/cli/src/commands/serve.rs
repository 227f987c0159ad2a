//! `serve`.

use std::process::ExitCode;

use synerise_auth_server::{Application, Mode, Settings, SettingsLayer, TokenLayer, telemetry};

use crate::cli::ServeArgs;

pub(crate) fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let flags = SettingsLayer {
        production: args.production.then_some(true),
        listen: args.listen,
        key: args.key,
        data_dir: args.data_dir,
        uuid_salt: args.uuid_salt,
        token: TokenLayer {
            ttl: args.token_ttl,
            ..TokenLayer::default()
        },
        ..SettingsLayer::default()
    };
    let env = SettingsLayer::from_process_env()?;
    let config = args.config.clone();
    // The flags and the environment as at start, over the file as it is at each call: what a
    // reload (SIGHUP) reads.
    let resolve = move || -> anyhow::Result<Settings> {
        let file = match &config {
            Some(path) => SettingsLayer::from_toml_file(path)?,
            None => SettingsLayer::default(),
        };
        Ok(Settings::resolve(
            flags.clone().over(env.clone().over(file)?)?,
        )?)
    };
    let settings = resolve()?;

    telemetry::init();
    let runtime = synerise_auth_server::runtime()?;
    runtime.block_on(async {
        let app = Application::build(settings)
            .await?
            .with_settings_source(resolve);
        let notes = app.notes();
        let addr = app.local_addr()?;
        let mode = match notes.mode {
            Mode::Dev => "dev mode",
            Mode::Production => "production",
        };
        println!("synerise-auth {} ({mode})", env!("CARGO_PKG_VERSION"));
        if notes.key_created {
            println!("  created signing key {}", notes.key_path.display());
        }
        println!("  signing key: {}", notes.key_path.display());
        println!("  public key for Synerise (Data Management > Events > JS SDK event settings > Certificate):");
        println!("  {}", notes.public_key_single_line);
        if let Some(api_key) = &notes.dev_api_key {
            println!(
                "  dev API key (Authorization: Bearer ...): {}",
                api_key.expose_secret()
            );
        }
        if let Some((email, password)) = notes.demo_account {
            println!("  demo account: {email} / {password}");
        }
        if app.gate_mounted() {
            println!(
                "  event gate: POST http://{addr}/gate/v1/events, decisions at http://{addr}/gate"
            );
        }
        println!("synerise-auth listening on http://{addr}");
        app.run_until_stopped().await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
