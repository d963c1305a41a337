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

    /// Puts text that is no secret on the clipboard (kept, and allowed into clipboard history).
    pub fn copy_plain(&self, text: &str) -> Result<(), String> {
        self.with(|cb| cb.set_text(text))?;
        // A later clear must not wipe this text.
        *self.last_copy.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
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
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CopyFormat {
    /// The bearer token alone.
    Token,
    /// `Authorization: Bearer <token>`.
    Header,
    /// teradataml's `set_auth_token` line with the token in it.
    Snippet,
    /// The `lakekey` Python package's line: no token, it fetches fresh ones itself.
    Lakekey,
}

impl CopyFormat {
    /// Whether the text holds the token (then it is cleared from the clipboard later).
    pub fn holds_token(self) -> bool {
        self != CopyFormat::Lakekey
    }
}

/// What to tell teradataml users in both Python lines: the token belongs to a context.
const AFTER_CONTEXT: &str = "# After create_context(): teradataml starts each new context without a token.";

/// The text for a format. The result may contain the token: it goes to the clipboard only.
pub fn render(format: CopyFormat, token: &str, base_url: &str, profile: &str) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(match format {
        CopyFormat::Token => token.to_string(),
        CopyFormat::Header => format!("Authorization: Bearer {token}"),
        CopyFormat::Snippet => format!(
            "{AFTER_CONTEXT}\nfrom teradataml import set_auth_token\nset_auth_token(base_url=\"{base_url}\", auth_token=\"{token}\")\n"
        ),
        CopyFormat::Lakekey => format!(
            "{AFTER_CONTEXT}\n# LakeKey keeps the token fresh from here on (pip install lakekey; it uses the lakekey command).\nimport lakekey\nlakekey.set_auth_token(\"{profile}\")\n"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_ready_to_paste() {
        assert_eq!(*render(CopyFormat::Token, "T", "https://b", "p"), "T");
        assert_eq!(*render(CopyFormat::Header, "T", "https://b", "p"), "Authorization: Bearer T");
        assert_eq!(
            *render(CopyFormat::Snippet, "T", "https://b/api/accounts/e", "p"),
            "# After create_context(): teradataml starts each new context without a token.\n\
             from teradataml import set_auth_token\nset_auth_token(base_url=\"https://b/api/accounts/e\", auth_token=\"T\")\n"
        );
        let package_line = render(CopyFormat::Lakekey, "SECRET-TOKEN", "https://b", "prod");
        assert!(package_line.starts_with("# After create_context()"), "{}", *package_line);
        assert!(package_line.ends_with("import lakekey\nlakekey.set_auth_token(\"prod\")\n"), "{}", *package_line);
        assert!(!package_line.contains("SECRET-TOKEN"), "no token in the package line");
        assert!(!CopyFormat::Lakekey.holds_token() && CopyFormat::Snippet.holds_token());
    }

    /// Windows: a copy carries the formats that keep it out of clipboard history, the cloud
    /// clipboard and clipboard monitors, read back by another program (scripts/windows/
    /// clipformats.c, named by LAKEKEY_CLIPFORMATS). scripts/test-windows runs it under Wine as
    /// `lakekey_desktop.exe --ignored windows_clipboard`.
    #[cfg(windows)]
    #[test]
    #[ignore = "needs the clipboard reader: run it with scripts/test-windows"]
    fn windows_clipboard_copies_are_kept_out_of_history_and_cleared_only_while_ours() {
        let reader = std::env::var("LAKEKEY_CLIPFORMATS").expect("LAKEKEY_CLIPFORMATS names clipformats.exe");
        let formats = || {
            let out = std::process::Command::new(&reader).output().expect("clipformats.exe runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let clipboard = SecretClipboard::default();
        let first = clipboard.copy("token-on-windows-1").unwrap();
        let seen = formats();
        for name in ["ExcludeClipboardContentFromMonitorProcessing", "CanIncludeInClipboardHistory", "CanUploadToCloudClipboard"] {
            let line = seen.lines().find(|l| l.split('\t').nth(1) == Some(name)).unwrap_or_else(|| panic!("no {name} in:\n{seen}"));
            // Each is a DWORD: the two "Can..." formats say 0 (no); the exclusion's value is not read.
            if name.starts_with("Can") {
                assert_eq!(line.split('\t').nth(3), Some("00000000"), "{line}");
            }
        }
        assert!(seen.lines().any(|l| l.ends_with("\ttoken-on-windows-1")), "the text itself: {seen}");
        assert!(clipboard.clear_if_unchanged(first));
        assert!(!formats().contains("token-on-windows-1"), "cleared");

        // Replaced by something else before the timer: left alone.
        let second = clipboard.copy("token-on-windows-2").unwrap();
        arboard::Clipboard::new().unwrap().set_text("the user's own text").unwrap();
        assert!(!clipboard.clear_if_unchanged(second));
        assert!(formats().contains("the user's own text"));
    }

    /// The clipboard on Wayland, through arboard's data-control backend, under a real compositor
    /// (headless sway) with no X display to fall back to. scripts/test runs it as
    /// `scripts/with-sway cargo test -p lakekey-desktop -- --ignored wayland`.
    #[test]
    #[ignore = "needs a Wayland session with the data-control protocol: run it under scripts/with-sway"]
    fn on_wayland_a_copy_is_marked_for_history_managers_and_cleared_only_while_it_is_ours() {
        use std::process::Command;
        assert!(
            std::env::var_os("WAYLAND_DISPLAY").is_some() && std::env::var_os("DISPLAY").is_none(),
            "run it under scripts/with-sway: Wayland only, no X display"
        );
        let paste = || {
            let out = Command::new("wl-paste").arg("--no-newline").output().expect("wl-paste runs");
            out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned()).filter(|t| !t.is_empty())
        };
        let types = || String::from_utf8_lossy(&Command::new("wl-paste").arg("--list-types").output().unwrap().stdout).into_owned();
        let until = |what: &str, ok: &dyn Fn() -> bool| {
            let started = std::time::Instant::now();
            while !ok() {
                assert!(started.elapsed() < std::time::Duration::from_secs(10), "waited 10 s for {what}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        };

        let clipboard = SecretClipboard::default();
        let first = clipboard.copy("token-on-wayland-1").unwrap();
        until("the copy", &|| paste().as_deref() == Some("token-on-wayland-1"));
        assert!(types().contains("x-kde-passwordManagerHint"), "{}", types());
        assert!(clipboard.clear_if_unchanged(first));
        until("the clear", &|| paste().is_none());

        // Replaced by something of the user's before the timer: left alone.
        let second = clipboard.copy("token-on-wayland-2").unwrap();
        until("the second copy", &|| paste().as_deref() == Some("token-on-wayland-2"));
        let mut user = Command::new("wl-copy").args(["--foreground", "the user's own text"]).spawn().unwrap();
        until("the user's copy", &|| paste().as_deref() == Some("the user's own text"));
        assert!(!clipboard.clear_if_unchanged(second));
        assert_eq!(paste().as_deref(), Some("the user's own text"));
        let _ = user.kill();
        let _ = user.wait();
    }
}
