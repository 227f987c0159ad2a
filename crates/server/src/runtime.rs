//! The async runtime `serve` runs on.

/// A multi-threaded runtime with one worker more than the CPUs the process may use.
///
/// Tokens are signed on the async workers, at most one signature per worker less one (see the
/// application crate's `token_service.rs`), so with one worker per CPU plus one, every CPU can
/// sign while one worker stays free for I/O and cheap requests.
///
/// A runtime per CPU with each connection kept on one of them (the way nginx and a Node cluster
/// run) was measured against this on 2 CPUs: 15% less CPU per cached token and 20% more of them a
/// second when the machine's wake-ups were dear, 2% less when they were not, and 2-3% less per
/// signed token. It was not taken: under a flood of 200 connections asking for new tokens,
/// `/healthz` took 30 ms (p50) instead of 1.3 ms, because a request there waits behind the
/// signatures queued on its own thread, where here any free worker takes it.
///
/// # Errors
/// When the OS refuses the threads or the I/O driver.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cpus + 1)
        .enable_all()
        .build()
}
