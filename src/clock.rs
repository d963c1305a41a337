//! Time, passed in rather than read globally, so that polling and expiry can be tested without
//! waiting.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        now.saturating_add_signed(test_offset())
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Debug builds only: `LAKEKEY_TEST_CLOCK_OFFSET_SECS` moves this process's clock (forward, or
/// back with a minus sign), so the end-to-end tests can make a token due for renewal without
/// waiting half its life, or sign at the second another process signed. Builds users get read no
/// such variable.
fn test_offset() -> i64 {
    #[cfg(debug_assertions)]
    {
        static OFFSET: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        *OFFSET.get_or_init(|| std::env::var("LAKEKEY_TEST_CLOCK_OFFSET_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(0))
    }
    #[cfg(not(debug_assertions))]
    0
}

/// A clock for tests: `sleep` returns at once and moves time forward, recording each sleep.
/// Unit tests only: not part of the shipped library.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct FakeClock {
    now: std::sync::atomic::AtomicU64,
    pub sleeps: std::sync::Mutex<Vec<Duration>>,
}

#[cfg(test)]
impl FakeClock {
    pub fn at(now: u64) -> Self {
        FakeClock { now: now.into(), sleeps: Default::default() }
    }

    pub fn advance(&self, secs: u64) {
        self.now.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
impl Clock for FakeClock {
    fn now(&self) -> u64 {
        self.now.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.sleeps.lock().unwrap().push(duration);
        self.advance(duration.as_secs());
        Box::pin(std::future::ready(()))
    }
}
