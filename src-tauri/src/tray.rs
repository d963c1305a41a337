//! The tray icon: "Copy token" for each signed-in profile, so the common task is two clicks away
//! without opening the window. (On Linux trays only menus work, so "Show" is in the menu too.)

use crate::app_state::AppState;
use crate::clipboard::CopyFormat;
use crate::copying::copy_to_clipboard;
use crate::views::{ProfileView, SignInState};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

pub const TRAY_ID: &str = "main";
const COPY_PREFIX: &str = "copy:";

/// Creates the tray with just "Show" and "Quit"; its profiles arrive with the first listing
/// (`listing::refresh_tray`), off the main thread.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let menu = build_menu(app, &[])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID).tooltip("LakeKey").menu(&menu).on_menu_event(|app, event| {
        let id = event.id().as_ref().to_string();
        match id.as_str() {
            "show" => show_main(app),
            "quit" => app.exit(0),
            _ => {
                if let Some(profile) = id.strip_prefix(COPY_PREFIX) {
                    let (app, profile) = (app.clone(), profile.to_string());
                    tauri::async_runtime::spawn(async move {
                        let state = app.state::<AppState>();
                        if let Err(e) = copy_to_clipboard(&app, &state, &profile, CopyFormat::Token).await {
                            crate::desktop::notify(&app, "LakeKey could not copy the token", &e.message);
                        }
                    });
                }
            }
        }
    });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, views: &[ProfileView]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    let mut any = false;
    for view in views.iter().filter(|v| v.state != SignInState::NeedsSignIn) {
        let label = if view.demo { format!("Copy token — {} (demo)", view.name) } else { format!("Copy token — {}", view.name) };
        menu.append(&MenuItem::with_id(app, format!("{COPY_PREFIX}{}", view.name), label, true, None::<&str>)?)?;
        any = true;
    }
    if !any {
        menu.append(&MenuItem::with_id(app, "none", "No signed-in environment", false, None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, "show", "Show LakeKey", true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

/// Rebuilds the menu from the current profile list.
pub fn refresh<R: Runtime>(app: &AppHandle<R>, views: &[ProfileView]) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        if let Ok(menu) = build_menu(app, views) {
            let _ = tray.set_menu(Some(menu));
        }
    }
}

pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
