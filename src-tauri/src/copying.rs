//! Copying a profile's token (or a line that uses it) to the clipboard, and clearing it again:
//! for the window's buttons, its shortcuts and the tray. The token is read and rendered here, in
//! Rust; the web view never sees it.

use crate::app_state::AppState;
use crate::clipboard::{render, CopyFormat};
use crate::ipc_error::{IpcError, IpcResult};
use lakekey::{ErrorCode, TokenNote};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Sent when LakeKey cleared the clipboard, or left it alone because it holds something else.
pub const EVENT_CLIPBOARD: &str = "clipboard";

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Copied {
    /// Seconds until the clipboard is cleared; `None` when the text holds no token.
    pub clears_in: Option<u64>,
    /// Set when the token lasts less than LakeKey's usual margin (an IdP issuing short-lived
    /// tokens, or a pasted token near its end: it is still the freshest there is), or when a
    /// renewal failed and the current, still valid token was copied.
    pub short_lived: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ClipboardEvent {
    pub outcome: ClipboardOutcome,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ClipboardOutcome {
    /// The copy was still there and is gone now.
    Cleared,
    /// The clipboard held something else by then, and was left alone.
    Kept,
}

pub async fn copy_to_clipboard<R: Runtime>(app: &AppHandle<R>, state: &AppState, name: &str, format: CopyFormat) -> IpcResult<Copied> {
    let engine = state.engine();
    let resolved = engine.resolve(Some(name))?;
    if !format.holds_token() {
        // The package's line names the profile; the package fetches its own tokens.
        state.clipboard.copy_plain(&render(format, "", &resolved.base_url, &resolved.name)).map_err(|m| IpcError::new(ErrorCode::Internal, m))?;
        log::info!("copied the Python package line for profile `{name}`");
        return Ok(Copied { clears_in: None, short_lived: None });
    }
    let token = engine.token(Some(name), lakekey::DEFAULT_MIN_VALID_SECS).await?;
    // A short-lived token, or a renewal that failed while the current token is still valid.
    let short_lived = token.notes(lakekey::DEFAULT_MIN_VALID_SECS, engine.now()).into_iter().next().map(|note| match note {
        TokenNote::ShortLived(text) | TokenNote::RenewalFailed(text) => text,
    });
    let text = render(format, token.secret.expose(), &resolved.base_url, &resolved.name);
    let id = state.clipboard.copy(&text).map_err(|m| IpcError::new(ErrorCode::Internal, m))?;
    let clears_in = state.settings().clipboard_clear_secs;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(clears_in)).await;
        let cleared = app.state::<AppState>().clipboard.clear_if_unchanged(id);
        let _ = app.emit(EVENT_CLIPBOARD, ClipboardEvent { outcome: if cleared { ClipboardOutcome::Cleared } else { ClipboardOutcome::Kept } });
    });
    log::info!("copied a token ({format:?}) for profile `{name}`; the clipboard clears in {clears_in} s");
    Ok(Copied { clears_in: Some(clears_in), short_lived })
}

