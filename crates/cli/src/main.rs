//! `synerise-auth`: a thin command line over the token library and the HTTP service.

mod cli;
mod commands;
mod endpoint_check;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc rather than the system allocator: a request to the service makes about fifty small
/// allocations (hyper, axum's per-request service clones, JSON), and with glibc's malloc they
/// were a sixth of the CPU of a reply from the token cache.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
