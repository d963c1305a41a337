//! Keeps tokens fresh while the app runs: shortly before a token expires (the refresh margin, or
//! half its lifetime if that is shorter), it asks the engine for one valid past the margin, which
//! refreshes or re-signs under the same cross-process lock the CLI uses. It sleeps until the next
//! token needs it, not on a fixed tick.

use crate::app_state::AppState;
use crate::listing::profiles_changed_with;
use std::collections::HashMap;
use lakekey::ErrorCode;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

const MIN_SLEEP: u64 = 5;
const MAX_SLEEP: u64 = 300;
/// After a failed refresh, wait this long before trying that profile again.
const RETRY_AFTER: u64 = 30;

pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let sleep = run_once(&app).await;
            let state = app.state::<AppState>();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(sleep)) => {}
                _ = state.wake.notified() => {}
            }
        }
    });
}

/// One pass over the profiles; returns how long to sleep before the next pass.
async fn run_once<R: Runtime>(app: &AppHandle<R>) -> u64 {
    let state = app.state::<AppState>();
    let engine = state.engine();
    let margin = state.settings().refresh_margin_secs;
    let Ok(config) = engine.config() else { return MAX_SLEEP };
    let mut next = MAX_SLEEP;
    let mut changed = false;
    // Kept for the window and the tray when something changed, so this pass reads each
    // credential once.
    let mut statuses = HashMap::new();
    for name in config.profiles.keys() {
        let Ok(status) = engine.status(Some(name)) else { continue };
        statuses.insert(name.clone(), status.clone());
        // Due when the engine's renewal rule says: a provider issuing 10 s tokens is asked once
        // per 5 s, not on every pass.
        let Some(due_at) = status.renew_at(margin) else { continue };
        let now = engine.now();
        if due_at > now {
            next = next.min(due_at - now);
            continue;
        }
        match engine.token(Some(name), margin).await {
            // The current token is still valid, but no newer one could be had: a problem to
            // show, and a retry later rather than on every pass.
            Ok(token) if token.renewal_failed.is_some() => {
                let why = token.renewal_failed.unwrap_or_default();
                log::warn!("refreshing profile `{name}` failed; its current token is still valid: {why}");
                state.set_problem(name, Some(format!("LakeKey could not renew the token ({why}); the current one is still valid.")));
                changed = true;
                next = next.min(RETRY_AFTER);
            }
            Ok(_) => {
                log::info!("refreshed the token of profile `{name}`");
                if state.problem(name).is_some() {
                    state.set_problem(name, None);
                }
                changed = true;
                match engine.status(Some(name)) {
                    Ok(s) => {
                        let due_at = s.renew_at(margin).unwrap_or(now + MAX_SLEEP);
                        next = next.min(due_at.saturating_sub(now));
                        statuses.insert(name.clone(), s);
                    }
                    Err(_) => {
                        statuses.remove(name);
                    }
                }
            }
            Err(e) => {
                log::warn!("refreshing profile `{name}` failed ({}): {}", e.code(), e.message());
                // A failed refresh may have changed what is stored (a revoked session): read again.
                statuses.remove(name);
                let first_time = state.problem(name).is_none();
                state.set_problem(name, Some(e.message().to_string()));
                changed = true;
                if e.code() == ErrorCode::SignInRequired && first_time {
                    crate::desktop::notify(app, &format!("{name} needs a new sign-in"), e.message());
                }
                next = next.min(RETRY_AFTER);
            }
        }
    }
    // A sign-in, refresh or sign-out by the CLI (or another LakeKey) shows in the window and the
    // tray too, within one pass.
    let now_seen: HashMap<_, _> = statuses.iter().map(|(name, s)| (name.clone(), (s.credential, s.expires_at))).collect();
    let outside = std::mem::replace(&mut *state.seen.lock().unwrap_or_else(|p| p.into_inner()), now_seen.clone()) != now_seen;
    if changed || outside {
        profiles_changed_with(app, &statuses);
    }
    next.clamp(MIN_SLEEP, MAX_SLEEP)
}
