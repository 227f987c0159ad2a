//! The async runtime `serve` runs on.

/// A multi-threaded runtime with one worker more than the CPUs the process may use.
///
/// Tokens are signed on the async workers, at most one signature per worker less one (see
/// `issuing.rs`), so with one worker per CPU plus one, every CPU can sign while one worker stays
/// free for I/O and cheap requests.
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
