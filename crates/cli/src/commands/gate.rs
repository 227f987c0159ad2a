//! `gate`: the event gate alone, for a site whose back end is written in any language.

use std::process::ExitCode;

use synerise_auth_server::{GateApplication, GateSettings, SettingsLayer, telemetry};
use synerise_auth_store::DEFAULT_DECISIONS_KEPT;
use synerise_auth_token::PublicKey;

use crate::cli::GateArgs;

pub(crate) fn gate(args: GateArgs) -> anyhow::Result<ExitCode> {
    // Any form a person might paste into Synerise's certificate field, or DER.
    let certificate = PublicKey::from_file(&args.certificate)?;
    let flags = SettingsLayer {
        data_dir: args.data_dir,
        ..SettingsLayer::default()
    };
    let env = SettingsLayer::from_process_env()?;
    let file = match &args.config {
        Some(path) => SettingsLayer::from_toml_file(path)?,
        None => SettingsLayer::default(),
    };
    let settings =
        GateSettings::from_layer(flags.over(env.over(file)?)?, args.listen, certificate)?;

    telemetry::init();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let app = GateApplication::build(settings).await?;
        let notes = app.notes();
        let addr = app.local_addr()?;
        println!("synerise-auth gate {}", env!("CARGO_PKG_VERSION"));
        println!("  registered certificate (RFC 7638 thumbprint): {}", notes.certificate);
        if notes.replaced_previous
            && let Some(previous) = notes.replaced.first()
        {
            println!(
                "  it replaces {previous}: tokens signed with that key are now refused as certificate_replaced"
            );
        }
        println!(
            "  decisions kept in {} (the newest {DEFAULT_DECISIONS_KEPT})",
            app.database().display()
        );
        println!("  events: POST http://{addr}/gate/v1/events; log: GET http://{addr}/gate/v1/events");
        println!("  live page: http://{addr}/gate");
        println!("synerise-auth gate listening on http://{addr}");
        app.run_until_stopped().await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
