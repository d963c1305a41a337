//! LakeKey's desktop app: a thin Tauri 2 shell over the `lakekey` engine. Start-up wiring only;
//! commands are in `commands`, background refresh in `refresher`, the tray in `tray`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app_state;
mod clipboard;
mod autostart;
mod commands;
mod copying;
mod demo;
mod demo_setup;
mod desktop;
mod ipc_error;
mod listing;
mod refresher;
mod settings;
mod test_hooks;
mod tray;
mod views;

use app_state::AppState;
use std::time::Instant;
use tauri::{Manager, Runtime};

const HELP: &str = "\
LakeKey: sign in to Teradata VantageCloud Lake and copy fresh tokens for teradataml.

Usage: lakekey-desktop [--demo]

Options:
      --demo     Start with the built-in demo environment (no Lake account or network needed)
      --demo-if-unconfigured
                 The same, but only when no environment is configured yet
  -h, --help     Print this help and exit
  -V, --version  Print the version and exit

The log file is in the platform's log folder (Settings > Open log folder); LAKEKEY_LOG=debug
(or trace, info, warn, error) sets its level for one run.

The window opens, or comes to the front if LakeKey is already running; closing it keeps LakeKey
in the tray. The `lakekey` command does the same from a terminal (`lakekey --help`).";

/// `--version` and `--help` answer on stdout and exit before any window or display is touched.
/// Other arguments are left to the app (and ignored, as desktops and launchers may add some).
fn answer_and_exit_if_asked() {
    use std::io::Write;
    for arg in std::env::args().skip(1) {
        let answer = match arg.as_str() {
            "-V" | "--version" => format!("lakekey-desktop {}", env!("CARGO_PKG_VERSION")),
            "-h" | "--help" => HELP.to_string(),
            _ => continue,
        };
        // A closed pipe (`--help | head -1`) is not an error worth a panic message.
        let _ = writeln!(std::io::stdout(), "{answer}");
        std::process::exit(0);
    }
}

fn main() {
    desktop::STARTED.get_or_init(Instant::now);
    answer_and_exit_if_asked();
    // Before any thread starts: secrets kept in the kernel keyring must be reachable from every
    // thread (lakekey::keychain::stores).
    lakekey::keychain::stores::share_session_keyring_with_all_threads();
    // The web view renders in software (see low_memory_webview), so WebKit's GPU buffer-sharing
    // renderer would only cost memory. Set before GTK starts; a user's own setting wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    let demo = DemoMode::from_args();
    let config_dir = match lakekey::profile::ProfileStore::default_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("lakekey-desktop: {}", e.message());
            std::process::exit(1);
        }
    };
    let state = AppState::new(config_dir, None);
    let log_level = settings::log_level(&state.settings());
    let mut builder = tauri::Builder::default();
    // Tests run several app instances side by side; everyone else gets one window per user.
    if !test_hooks::multi_instance() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| tray::show_main(app)));
    }
    builder
        .plugin(log_plugin())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .manage(state)
        .invoke_handler(commands::handler())
        .setup(move |app| {
            let handle = app.handle().clone();
            // The plugin sets the most detailed level; the user's choice applies from here on.
            log::set_max_level(log_level);
            log::info!("LakeKey {} starting", env!("CARGO_PKG_VERSION"));
            let state = handle.state::<AppState>();
            if demo.wanted(&state) {
                match demo_setup::setup_demo(&state) {
                    Ok(_) => log::info!("demo environment started"),
                    Err(e) => log::error!("the demo environment could not start: {}", e.message),
                }
            }
            low_memory_webview(&handle);
            tray::create(&handle)?;
            let tray_handle = handle.clone();
            tauri::async_runtime::spawn_blocking(move || listing::refresh_tray(&tray_handle));
            refresher::spawn(handle);
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps LakeKey in the tray, refreshing tokens.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if window.app_handle().tray_by_id(tray::TRAY_ID).is_some() && !test_hooks::quit_on_close() {
                    let _ = window.hide();
                    api.prevent_close();
                }
            }
        })
        .run(tauri::generate_context!())
        .expect("LakeKey could not start its window");
}

/// LakeKey shows a few local forms: WebKit's document-viewer cache model drops the page and
/// resource caches a browser keeps, and software rendering keeps the GL stack (often Mesa's LLVM)
/// out of both processes. Both lower idle memory at no visible cost for such pages.
fn low_memory_webview<R: Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{SettingsExt, WebContextExt, WebViewExt};
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
            }
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}


/// `--demo` starts the built-in demo environment; `--demo-if-unconfigured` (what `scripts/run`
/// passes) starts it only when no environment is configured yet, so the app decides by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoMode {
    Off,
    Always,
    IfUnconfigured,
}

impl DemoMode {
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--demo") {
            DemoMode::Always
        } else if args.iter().any(|a| a == "--demo-if-unconfigured") {
            DemoMode::IfUnconfigured
        } else {
            DemoMode::Off
        }
    }

    fn wanted(self, state: &AppState) -> bool {
        match self {
            DemoMode::Off => false,
            DemoMode::Always => true,
            DemoMode::IfUnconfigured => state.engine().config().is_ok_and(|c| c.profiles.is_empty()),
        }
    }
}

/// The app's log: a file in the platform's log directory (`app_log_dir`: on Linux
/// ~/.local/share/dev.lakekey.desktop/logs), rotated at 1 MB with five kept, and stderr. Nothing
/// LakeKey logs holds a secret (the app end-to-end test scans the file for the token it used).
fn log_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{RotationStrategy, Target, TargetKind};
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(TargetKind::LogDir { file_name: Some("lakekey".into()) }))
        .target(Target::new(TargetKind::Stderr))
        .max_file_size(1_000_000)
        .rotation_strategy(RotationStrategy::KeepSome(5))
        .level(log::LevelFilter::Trace)
        // Dependencies' chatter stays out unless something is wrong there.
        .level_for("zbus", log::LevelFilter::Warn)
        .level_for("tracing", log::LevelFilter::Warn)
        .level_for("hyper_util", log::LevelFilter::Warn)
        .level_for("reqwest", log::LevelFilter::Warn)
        .level_for("rustls", log::LevelFilter::Warn)
        .level_for("tao", log::LevelFilter::Warn)
        .level_for("wry", log::LevelFilter::Warn)
        .build()
}

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod module_graph;
#[cfg(test)]
mod tests;
