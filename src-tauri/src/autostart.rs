//! Start at login: asking the OS whether LakeKey starts with the session, and setting it
//! (tauri-plugin-autostart). Absent in command tests, which run without the plugin.

use tauri::{AppHandle, Manager, Runtime};

/// Why start-at-login is not as the settings say, asking the OS (a login item removed by hand,
/// or one that could not be written). `None` when it is as asked, or cannot be known.
pub fn autostart_problem<R: Runtime>(app: &AppHandle<R>, wanted: bool) -> Option<String> {
    let launcher = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>()?;
    match launcher.is_enabled() {
        Ok(on) if on == wanted => None,
        Ok(on) => Some(format!(
            "Start at login is {} in your session, though LakeKey's setting says {}. Save the settings to set it again.",
            if on { "on" } else { "off" },
            if wanted { "on" } else { "off" }
        )),
        Err(e) => Some(format!("LakeKey cannot tell whether it starts at login ({e}).")),
    }
}

/// Turns start-at-login on or off; the error says why it could not (shown in Settings).
pub fn apply_autostart<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), String> {
    // Absent in command tests, which run without the plugin.
    let Some(launcher) = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>() else { return Ok(()) };
    let done = if on { launcher.enable() } else { launcher.disable() };
    done.map_err(|e| {
        log::warn!("start at login could not be turned {}: {e}", if on { "on" } else { "off" });
        format!("LakeKey could not turn start at login {} ({e}).", if on { "on" } else { "off" })
    })
}
