//! What the desktop offers the rest of the shell: notifications and the start-up probe. Other
//! modules import these from here, never from `main.rs`, which only wires the app together.

use std::sync::OnceLock;
use std::time::Instant;
use tauri::{Manager, Runtime};

pub static STARTED: OnceLock<Instant> = OnceLock::new();

/// For scripts/bench/run: with LAKEKEY_STARTUP_PROBE set, say once on stderr how long it took from
/// process start until the UI first asked for the profiles (it is interactive from then on).
pub fn startup_probe() {
    static SAID: OnceLock<()> = OnceLock::new();
    if std::env::var_os("LAKEKEY_STARTUP_PROBE").is_some() && SAID.set(()).is_ok() {
        let epoch_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let since_main = STARTED.get().map(|s| s.elapsed().as_millis()).unwrap_or(0);
        eprintln!("lakekey-desktop: interactive at epoch_ms={epoch_ms} ({since_main} ms after main)");
    }
}

/// A desktop notification; failures (no notification daemon) are not worth more than a log line.
pub fn notify<R: Runtime>(app: &tauri::AppHandle<R>, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    if app.try_state::<tauri_plugin_notification::Notification<R>>().is_some() {
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            log::warn!("notification failed: {e}");
        }
    }
}
