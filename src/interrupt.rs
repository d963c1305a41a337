//! Saves that must not be cut short. From the moment a refresh request is sent until the
//! rotated tokens are in the keychain, only this process knows the new refresh token: a
//! termination then would leave the user to sign in again. So a CLI process defers SIGTERM and
//! SIGINT while a [`Critical`] section is open and exits right after it closes; and a caller's
//! time limit never ends the work inside one ([`outside_critical`]).
//!
//! Windows has no deferrable termination (TerminateProcess cannot be caught), so there the
//! caller's deadline (`--time-limit`) is what ends a wait, before any refresh starts.

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::time::Duration;

static DEPTH: AtomicUsize = AtomicUsize::new(0);
/// A signal that arrived inside a critical section (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);

/// An open critical section; closing the last one acts on a deferred signal.
#[must_use = "the section ends when this is dropped"]
pub struct Critical(());

/// Opens a critical section.
pub fn critical() -> Critical {
    DEPTH.fetch_add(1, Ordering::SeqCst);
    Critical(())
}

impl Drop for Critical {
    fn drop(&mut self) {
        if DEPTH.fetch_sub(1, Ordering::SeqCst) == 1 {
            let signal = PENDING.swap(0, Ordering::SeqCst);
            if signal != 0 {
                exit_for(signal);
            }
        }
    }
}

/// Whether a critical section is open.
pub fn in_critical() -> bool {
    DEPTH.load(Ordering::SeqCst) > 0
}

/// Resolves once no critical section is open (at once if none is). A time limit awaits this
/// before it ends the work, so it never abandons a refresh between the answer and the save.
pub async fn outside_critical() {
    while in_critical() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Installs the handlers that defer SIGTERM and SIGINT during critical sections (the CLI's
/// `token` and `exec`). Outside one they end the process at once, with the shell's exit code
/// for the signal, as the default action would.
pub fn defer_termination_in_critical_sections() {
    #[cfg(unix)]
    // SAFETY: the handler only touches atomics and calls _exit(2), both async-signal-safe;
    // sigaction is given a zeroed, then filled, struct.
    unsafe {
        for signal in [libc::SIGTERM, libc::SIGINT] {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int) {
    if DEPTH.load(Ordering::SeqCst) > 0 {
        PENDING.store(signal, Ordering::SeqCst);
        // The section may have closed between the load and the store: then act now.
        if DEPTH.load(Ordering::SeqCst) == 0 && PENDING.swap(0, Ordering::SeqCst) != 0 {
            exit_for(signal);
        }
    } else {
        exit_for(signal);
    }
}

fn exit_for(signal: i32) {
    #[cfg(unix)]
    // SAFETY: _exit ends the process without running anything else.
    unsafe {
        libc::_exit(128 + signal);
    }
    #[cfg(not(unix))]
    std::process::exit(128 + signal);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_time_limit_waits_for_an_open_section_to_close() {
        let section = critical();
        assert!(in_critical());
        let waiter = tokio::spawn(outside_critical());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(!waiter.is_finished(), "it waits while the save is in progress");
        drop(section);
        // No check of in_critical() afterwards: the engine's tests in this binary open sections too.
        tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("ends once the section closes").unwrap();
    }
}
