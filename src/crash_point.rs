//! Named steps where a test can kill the process, to prove that a crash at any of them leaves the
//! keychain whole (tests/crash.rs). `LAKEKEY_CRASH_AT=<step>` makes the process SIGKILL itself
//! when it reaches that step: no destructors, no flushing, like the OOM killer or a power cut.
//!
//! Debug builds only: in release builds [`reached`] is empty and the variable is ignored.

/// Every step, in the order a refresh or a PAT import reaches them.
pub const STEPS: [&str; 8] = [
    "refresh.locked",
    "refresh.answered",
    "pat.signed",
    "pat.validated",
    "keychain.first_chunk_written",
    "keychain.chunks_written",
    "keychain.switched",
    "saved",
];

#[inline]
pub fn reached(step: &'static str) {
    #[cfg(debug_assertions)]
    {
        debug_assert!(STEPS.contains(&step), "unknown crash point {step}");
        if std::env::var_os("LAKEKEY_CRASH_AT").is_some_and(|s| s == step) {
            kill_self();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

#[cfg(all(debug_assertions, unix))]
fn kill_self() {
    // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
}

/// Windows: end the process at once, as TerminateProcess from outside would. No destructor runs
/// and nothing more reaches the keychain; exit code 137 tells the test it got here. (abort()
/// would raise a fast-fail exception, which Wine hands to its debugger.)
#[cfg(all(debug_assertions, not(unix)))]
fn kill_self() {
    std::process::exit(137);
}
