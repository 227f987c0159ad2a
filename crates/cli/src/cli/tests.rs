//! How the command line reads what could be mistaken for an option, and keeps secrets.

use clap::Parser as _;

use super::{Cli, Command, KeysAction};

#[test]
fn an_email_that_begins_with_a_dash_is_an_email() {
    let cli = Cli::try_parse_from([
        "synerise-auth",
        "uuid",
        "--salt",
        "a-salt",
        "-ann@example.com",
    ])
    .unwrap();
    let Command::Uuid { identifier, .. } = cli.command else {
        panic!("not uuid: {cli:?}");
    };
    assert_eq!(identifier, "-ann@example.com");
    let cli = Cli::try_parse_from(["synerise-auth", "identity-hash", "-ann@example.com"]).unwrap();
    let Command::IdentityHash { email } = cli.command else {
        panic!("not identity-hash: {cli:?}");
    };
    assert_eq!(email, "-ann@example.com");
}

#[test]
fn a_kid_that_begins_with_a_dash_is_a_kid() {
    let kid = "-Zq3x8b0Jk2mQ9sT4vW7yA1cE5gH6iK0lN2oP3rS4uV";
    let cli =
        Cli::try_parse_from(["synerise-auth", "keys", "retire", kid, "--dir", "keys"]).unwrap();
    let Command::Keys { action, dir, .. } = cli.command else {
        panic!("not keys: {cli:?}");
    };
    assert_eq!(dir, std::path::PathBuf::from("keys"));
    let KeysAction::Retire { kid: parsed } = action else {
        panic!("not retire: {action:?}");
    };
    assert_eq!(parsed, kid);
}

#[test]
fn the_arguments_never_print_the_uuid_salt() {
    let cli = Cli::try_parse_from([
        "synerise-auth",
        "serve",
        "--uuid-salt",
        "a-salt-never-printed",
    ])
    .unwrap();
    assert!(!format!("{cli:?}").contains("a-salt-never-printed"));
    let Command::Serve(args) = cli.command else {
        panic!("not serve: {cli:?}");
    };
    assert_eq!(
        args.uuid_salt.unwrap().expose_secret(),
        "a-salt-never-printed"
    );
}
