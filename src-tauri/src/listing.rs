//! The profile list the window and the tray show: read from the engine once per change, and
//! sent to both.

use crate::app_state::AppState;
use crate::ipc_error::IpcResult;
use crate::tray;
use crate::views::{Derived, ProfileView, SignInState};
use lakekey::Status;
use std::collections::HashMap;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Sent with the new list whenever the profiles or their states change.
pub const EVENT_PROFILES: &str = "profiles-changed";

/// Every profile with its state; used by the list, the tray and the refresher.
pub fn profile_views(state: &AppState) -> IpcResult<Vec<ProfileView>> {
    profile_views_with(state, &HashMap::new())
}

/// Like [`profile_views`], taking the statuses in `known` as they are instead of reading them from
/// the keychain again (the refresher has just read every one).
pub fn profile_views_with(state: &AppState, known: &HashMap<String, Status>) -> IpcResult<Vec<ProfileView>> {
    let engine = state.engine();
    let config = engine.config()?;
    let now = engine.now();
    let demo_url = state.demo_base_url();
    let mut views = Vec::new();
    for (name, profile) in &config.profiles {
        let resolved = profile.resolve(name);
        let mut view = ProfileView {
            name: name.clone(),
            is_default: config.default.as_deref() == Some(name),
            demo: name.starts_with("demo-") || demo_url.as_deref() == Some(profile.base_url.as_str()),
            input: profile.clone(),
            derived: resolved.as_ref().ok().map(Derived::from),
            state: SignInState::NeedsSignIn,
            expires_at: None,
            can_refresh: false,
            validation: None,
            token_preview: None,
            problem: state.problem(name),
            error: resolved.as_ref().err().map(|e| e.message().to_string()),
        };
        if resolved.is_ok() {
            match known.get(name).cloned().map(Ok).unwrap_or_else(|| engine.status(Some(name))) {
                Ok(status) => {
                    view.state = ProfileView::state_of(&status, now, view.problem.as_deref());
                    view.expires_at = status.expires_at;
                    view.can_refresh = status.can_refresh;
                    view.validation = status.validation;
                    view.token_preview = status.token_preview;
                }
                // A missing or locked keychain affects every profile; the UI shows it once.
                Err(e) if e.code().is_keychain() => return Err(e.into()),
                Err(e) => view.error = Some(e.message().to_string()),
            }
        }
        views.push(view);
    }
    Ok(views)
}

/// Tells the window and the tray that profiles changed, with the new list: both show views read
/// from the keychain once. (Each listed itself before: with 50 profiles refreshing, every pass
/// read each credential three times, with the refresher's own read.) When listing fails the event
/// carries no list, and the window asks for one to show the error.
pub fn profiles_changed<R: Runtime>(app: &AppHandle<R>) {
    profiles_changed_with(app, &HashMap::new());
}

/// [`profiles_changed`] with statuses the caller has just read.
pub fn profiles_changed_with<R: Runtime>(app: &AppHandle<R>, known: &HashMap<String, Status>) {
    let views = app.try_state::<AppState>().and_then(|state| profile_views_with(&state, known).ok());
    let _ = app.emit(EVENT_PROFILES, views.as_deref());
    tray::refresh(app, views.as_deref().unwrap_or_default());
}

/// Lists the profiles for the tray alone (at start, off the main thread, so reading the keychain
/// does not hold up the window's first paint).
pub fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    let views = app.try_state::<AppState>().and_then(|s| profile_views(&s).ok()).unwrap_or_default();
    tray::refresh(app, &views);
}
