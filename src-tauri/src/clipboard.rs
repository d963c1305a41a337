//! Copying secrets: the text is marked so clipboard-history managers skip it
//! (x-kde-passwordManagerHint on Linux, the Windows and macOS equivalents), and it is cleared after
//! a while, but only if the clipboard still holds what LakeKey put there. What we remember of the
//! copy is a SHA-256 digest, not the text.

use aws_lc_rs::digest::{digest, SHA256};
use std::sync::Mutex;

pub struct SecretClipboard {
    // arboard serves the X11 selection from a thread tied to this object: it must stay alive.
    inner: Mutex<Option<arboard::Clipboard>>,
    last_copy: Mutex<Option<(u64, Vec<u8>)>>,
}

/// Which copy a clear belongs to, so a newer copy is never cleared by an older timer.
pub type CopyId = u64;

impl Default for SecretClipboard {
    fn default() -> Self {
        SecretClipboard { inner: Mutex::new(None), last_copy: Mutex::new(None) }
    }
}

impl SecretClipboard {
    fn with<T>(&self, f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>) -> Result<T, String> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let clipboard = arboard::Clipboard::new().map_err(|e| format!("The clipboard is not available ({e})."))?;
            *guard = Some(clipboard);
        }
        f(guard.as_mut().expect("set above")).map_err(|e| format!("The clipboard refused the text ({e})."))
    }

    /// Puts a secret on the clipboard, excluded from clipboard history.
    pub fn copy(&self, text: &str) -> Result<CopyId, String> {
        self.with(|cb| set_excluded(cb, text))?;
        let mut last = self.last_copy.lock().unwrap_or_else(|p| p.into_inner());
        let id = last.as_ref().map_or(1, |(id, _)| id + 1);
        *last = Some((id, fingerprint(text)));
        Ok(id)
    }

    /// Clears the clipboard if it still holds copy `id`. Returns whether it cleared.
    pub fn clear_if_unchanged(&self, id: CopyId) -> bool {
        let expected = match self.last_copy.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some((last_id, fp)) if *last_id == id => fp.clone(),
            _ => return false,
        };
        let still_ours = self.with(|cb| cb.get_text()).map(|now| fingerprint(&now) == expected).unwrap_or(false);
        if still_ours {
            let _ = self.with(|cb| cb.clear());
        }
        *self.last_copy.lock().unwrap_or_else(|p| p.into_inner()) = None;
        still_ours
    }
}

fn fingerprint(text: &str) -> Vec<u8> {
    digest(&SHA256, text.as_bytes()).as_ref().to_vec()
}

#[cfg(target_os = "linux")]
fn set_excluded(cb: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    cb.set().exclude_from_history().text(text)
}

#[cfg(target_os = "windows")]
fn set_excluded(cb: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    cb.set().exclude_from_monitoring().exclude_from_history().exclude_from_cloud().text(text)
}

#[cfg(target_os = "macos")]
fn set_excluded(cb: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    cb.set().exclude_from_history().text(text)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn set_excluded(cb: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    cb.set_text(text)
}

/// What can be copied for a profile.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CopyFormat {
    Token,
    Header,
    Snippet,
}

/// The text for a format. The result contains the token: it goes to the clipboard only.
pub fn render(format: CopyFormat, token: &str, base_url: &str) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(match format {
        CopyFormat::Token => token.to_string(),
        CopyFormat::Header => format!("Authorization: Bearer {token}"),
        CopyFormat::Snippet => format!(
            "from teradataml import set_auth_token\nset_auth_token(base_url=\"{base_url}\", auth_token=\"{token}\")\n"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_ready_to_paste() {
        assert_eq!(*render(CopyFormat::Token, "T", "https://b"), "T");
        assert_eq!(*render(CopyFormat::Header, "T", "https://b"), "Authorization: Bearer T");
        assert_eq!(
            *render(CopyFormat::Snippet, "T", "https://b/api/accounts/e"),
            "from teradataml import set_auth_token\nset_auth_token(base_url=\"https://b/api/accounts/e\", auth_token=\"T\")\n"
        );
    }
}
