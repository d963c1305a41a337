//! Where secrets are stored: the OS keychain, under the service name `lakekey`, through
//! keyring-core and its maintained stores: the Secret Service on Linux
//! (zbus-secret-service-keyring-store), Keychain Services on macOS, Credential Manager on Windows.
//! On Linux each item carries the attributes `service` = `lakekey` and `username` = the item's
//! name, and the label `LakeKey: <name>`, so `secret-tool lookup service lakekey username NAME`
//! finds it.
//!
//! Windows takes at most 2560 bytes per secret, and a PEM key plus a JWT is longer. So a
//! credential is split into chunks of at most [`WINDOWS_CHUNK_BYTES`] there. Elsewhere the limit is
//! [`CHUNK_BYTES`], which a credential never reaches, so `lakekey token` reads one item instead of
//! four (each item costs D-Bus round trips). The code path is the same on every OS, and the tests
//! exercise the Windows chunk size on the real Linux keychain (`LAKEKEY_KEYCHAIN_CHUNK_BYTES` in
//! debug builds) and in unit tests. The profile's main entry (user = profile name) holds a
//! header naming the current generation plus the first chunk; further chunks live under
//! `{profile}#{generation}.{index}`. A save writes the new generation's chunks first and switches
//! the main entry last, so a crash never leaves a half-written credential: readers see the old one
//! or the new one.

use crate::crash_point;
use crate::credential::Credential;
use crate::error::{Error, ErrorCode, Result};
use keyring_core::{CredentialStore, Entry};
use std::sync::{Arc, RwLock};
use zeroize::Zeroizing;

pub const SERVICE: &str = "lakekey";
/// Fits Windows' 2560-byte limit even when stored as UTF-16, with room for the header.
pub const WINDOWS_CHUNK_BYTES: usize = 1000;
/// The chunk size on this OS.
#[cfg(windows)]
pub const CHUNK_BYTES: usize = WINDOWS_CHUNK_BYTES;
#[cfg(not(windows))]
pub const CHUNK_BYTES: usize = 16 * 1024;
const HEADER_TAG: &str = "lakekey-v1";

/// Opens a new connection to the keychain service.
pub type Connect = Arc<dyn Fn() -> keyring_core::Result<Arc<CredentialStore>> + Send + Sync>;

#[derive(Clone)]
pub struct Keychain {
    store: Arc<RwLock<Arc<CredentialStore>>>,
    reconnect: Option<Connect>,
    chunk_bytes: usize,
    /// Whether entries get this OS's modifier ([`os_modifier`]); the mock store takes none.
    os_modifier: bool,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keychain({})", self.current().vendor())
    }
}

impl Keychain {
    /// The OS keychain. Fails with a clear message when there is none; never falls back to a file.
    pub fn os() -> Result<Self> {
        let connect: Connect = Arc::new(os_store);
        let store = connect().map_err(|e| keychain_error(e, "connect to"))?;
        Ok(Keychain {
            store: Arc::new(RwLock::new(store)),
            reconnect: Some(connect),
            chunk_bytes: os_chunk_bytes(),
            os_modifier: true,
        })
    }

    /// A keychain over any keyring-core store (the mock store in unit tests), chunked at the
    /// Windows size so every test goes through the chunked path. With `reconnect`, a call that
    /// fails in the platform layer is retried once on a new connection.
    pub fn with_store(store: Arc<CredentialStore>, reconnect: Option<Connect>) -> Self {
        Keychain { store: Arc::new(RwLock::new(store)), reconnect, chunk_bytes: WINDOWS_CHUNK_BYTES, os_modifier: false }
    }

    fn current(&self) -> Arc<CredentialStore> {
        self.store.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// One keychain call. When the service failed underneath a long-lived connection (a keychain
    /// daemon that crashed and was restarted by the desktop, which gnome-keyring does under some
    /// concurrent loads), it connects again and retries once: every call made here is safe to
    /// repeat (reads, replacing writes, deletes). Without this the desktop app would keep a dead
    /// connection until it is restarted.
    pub(crate) fn call<T>(&self, user: &str, op: impl Fn(&Entry) -> keyring_core::Result<T>) -> keyring_core::Result<T> {
        match op(&self.entry(&*self.current(), user)?) {
            Err(keyring_core::Error::PlatformFailure(cause)) => {
                let Some(fresh) = self.reconnect.as_ref().and_then(|connect| connect().ok()) else {
                    return Err(keyring_core::Error::PlatformFailure(cause));
                };
                tracing::debug!("keychain call failed in the platform layer; retrying on a new connection");
                *self.store.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
                op(&self.entry(&*fresh, user)?)
            }
            other => other,
        }
    }

    fn entry(&self, store: &CredentialStore, user: &str) -> keyring_core::Result<Entry> {
        match self.os_modifier.then(|| os_modifier(user)).flatten() {
            Some((key, value)) => store.build(SERVICE, user, Some(&std::collections::HashMap::from([(key, value.as_str())]))),
            None => store.build(SERVICE, user, None),
        }
    }

    pub fn load(&self, profile: &str) -> Result<Option<Credential>> {
        // A concurrent save may swap generations between our reads; then read again.
        for _ in 0..3 {
            match self.read_text(profile)? {
                Read::Missing => return Ok(None),
                Read::Text(text) => return Credential::from_keychain_text(&text).map(Some),
                Read::Torn => continue,
            }
        }
        Err(Error::sign_in_required("The credential in the keychain for this profile is incomplete."))
    }

    pub fn save(&self, profile: &str, credential: &Credential) -> Result<()> {
        let text = credential.to_keychain_text();
        let old = self.header(profile)?;
        let generation = new_generation();
        let chunks = split(&text, self.chunk_bytes);
        for (i, chunk) in chunks.iter().enumerate().skip(1) {
            self.call(&chunk_user(profile, &generation, i), |e| e.set_password(chunk)).map_err(|e| keychain_error(e, "save"))?;
            if i == 1 {
                crash_point::reached("keychain.first_chunk_written");
            }
        }
        crash_point::reached("keychain.chunks_written");
        let header = format!("{HEADER_TAG} {generation} {}\n", chunks.len());
        // Sized up front: growing it would leave copies of the secret behind in freed memory.
        let mut main = Zeroizing::new(String::with_capacity(header.len() + chunks[0].len()));
        main.push_str(&header);
        main.push_str(chunks[0]);
        self.call(profile, |e| e.set_password(&main)).map_err(|e| keychain_error(e, "save"))?;
        crash_point::reached("keychain.switched");
        if let Some((old_generation, old_count)) = old {
            self.delete_chunks(profile, &old_generation, old_count);
        }
        Ok(())
    }

    /// Removes the profile's secrets. Missing entries are not an error.
    pub fn delete(&self, profile: &str) -> Result<()> {
        let old = self.header(profile)?;
        match self.call(profile, |e| e.delete_credential()) {
            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
            Err(e) => return Err(keychain_error(e, "delete")),
        }
        if let Some((generation, count)) = old {
            self.delete_chunks(profile, &generation, count);
        }
        self.delete_strays(profile);
        Ok(())
    }

    /// Chunks written by a save that crashed before its switch belong to no generation and are
    /// never read; a sign-out removes them too, so no piece of a secret outlives `logout`. Best
    /// effort, on stores that can search (all three OS stores can).
    fn delete_strays(&self, profile: &str) {
        let prefix = format!("{profile}#");
        let (key, value) = stray_search(profile);
        let Ok(entries) = self.current().search(&std::collections::HashMap::from([(key, value.as_str())])) else { return };
        for entry in entries {
            // Windows' search matched the chunk names already; elsewhere only the service was.
            if entry.get_specifiers().map_or(cfg!(windows), |(_, user)| user.starts_with(&prefix)) {
                let _ = entry.delete_credential();
            }
        }
    }

    fn get(&self, user: &str) -> Result<Option<Zeroizing<String>>> {
        match self.call(user, |e| e.get_password()) {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e, "read")),
        }
    }

    fn header(&self, profile: &str) -> Result<Option<(String, usize)>> {
        Ok(self.get(profile)?.and_then(|main| parse_header(&main).map(|(g, n, _)| (g.to_string(), n))))
    }

    fn read_text(&self, profile: &str) -> Result<Read> {
        let Some(main) = self.get(profile)? else { return Ok(Read::Missing) };
        let Some((generation, count, first)) = parse_header(&main) else {
            return Err(Error::sign_in_required("The keychain entry for this profile is not in LakeKey's format."));
        };
        // Sized up front: growing would leave copies of the secret behind in freed memory.
        let mut text = Zeroizing::new(String::with_capacity((count * self.chunk_bytes).min(1 << 20)));
        text.push_str(first);
        for i in 1..count {
            match self.get(&chunk_user(profile, generation, i))? {
                Some(chunk) => text.push_str(&chunk),
                None => return Ok(Read::Torn),
            }
        }
        Ok(Read::Text(text))
    }

    fn delete_chunks(&self, profile: &str, generation: &str, count: usize) {
        for i in 1..count {
            // Best effort: a leftover chunk of an old generation is unreachable and harmless.
            let _ = self.call(&chunk_user(profile, generation, i), |e| e.delete_credential());
        }
    }
}

enum Read {
    Missing,
    Text(Zeroizing<String>),
    /// A chunk of the generation named in the header was gone: a save happened meanwhile.
    Torn,
}

fn parse_header(main: &str) -> Option<(&str, usize, &str)> {
    let (header, first) = main.split_once('\n')?;
    let mut parts = header.split(' ');
    if parts.next()? != HEADER_TAG {
        return None;
    }
    let generation = parts.next()?;
    let count = parts.next()?.parse().ok().filter(|n| *n >= 1 && *n <= 1000)?;
    Some((generation, count, first))
}

fn chunk_user(profile: &str, generation: &str, index: usize) -> String {
    format!("{profile}#{generation}.{index}")
}

fn new_generation() -> String {
    let mut bytes = [0u8; 6];
    // Straight from the OS: AWS-LC's generator seeds itself from CPU jitter on first use, about
    // 40 ms of CPU that every save in a fresh process would pay for a non-secret name.
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits at char boundaries into pieces of at most `max` bytes (at least one piece).
fn split(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces.push(rest);
    pieces
}

/// The chunk size for the OS keychain; debug builds take `LAKEKEY_KEYCHAIN_CHUNK_BYTES` so the
/// tests can run the real keychain at the Windows size.
fn os_chunk_bytes() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("LAKEKEY_KEYCHAIN_CHUNK_BYTES").ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n >= 100) {
        return n.min(CHUNK_BYTES);
    }
    CHUNK_BYTES
}

/// The search for a profile's chunk items: Windows' store matches a regular expression against
/// the credential's target name (`{user}.{service}`); the others match attributes.
fn stray_search(profile: &str) -> (&'static str, String) {
    if cfg!(windows) {
        ("pattern", windows_chunk_pattern(profile))
    } else {
        ("service", SERVICE.to_string())
    }
}

/// The target names of a profile's chunk items in Credential Manager, as a regular expression.
/// Profile names are letters, digits, `-`, `_` and `.`: only the dot needs escaping.
fn windows_chunk_pattern(profile: &str) -> String {
    format!("^{}#.*\\.{SERVICE}$", profile.replace('.', "\\."))
}

/// How this OS's store should write an item. Linux: a label, which Seahorse and KWallet show.
/// Windows: local-machine persistence, so secrets never roam with an enterprise (domain) profile
/// to other machines, which the store's default (Enterprise) would allow.
fn os_modifier(user: &str) -> Option<(&'static str, String)> {
    if cfg!(target_os = "linux") {
        Some(("label", format!("LakeKey: {user}")))
    } else if cfg!(windows) {
        Some(("persistence", "Local".to_string()))
    } else {
        None
    }
}

#[cfg(target_os = "linux")]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)
}

#[cfg(target_os = "macos")]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>)
}

#[cfg(target_os = "windows")]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn os_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore("LakeKey has no keychain support on this operating system.".into()))
}

/// Maps keyring-core's errors to stable codes with an explanation and a fix. Causes are told
/// apart by their type and, for D-Bus, by the error's name, never by message text.
pub fn keychain_error(e: keyring_core::Error, action: &str) -> Error {
    let cause = match &e {
        keyring_core::Error::PlatformFailure(inner) | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
        other => other.to_string(),
    };
    let locked = || {
        Error::new(
            ErrorCode::KeychainLocked,
            format!("The keychain is locked or refused access, so LakeKey could not {action} it ({cause})."),
        )
        .with_hint(LOCKED_HINT)
    };
    match e {
        keyring_core::Error::NoStorageAccess(_) => locked(),
        keyring_core::Error::PlatformFailure(inner) if platform::is_locked(inner.as_ref()) => locked(),
        keyring_core::Error::PlatformFailure(_) | keyring_core::Error::NoDefaultStore | keyring_core::Error::NotSupportedByStore(_) => {
            Error::new(
                ErrorCode::KeychainUnavailable,
                format!("The OS keychain is not available, so LakeKey could not {action} it ({cause})."),
            )
            .with_hint(UNAVAILABLE_HINT)
        }
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            Error::sign_in_required("The keychain entry for this profile is unreadable.")
        }
        keyring_core::Error::Ambiguous(items) => Error::internal(format!(
            "The keychain holds {} LakeKey items with the same name, so LakeKey could not {action} it.",
            items.len()
        ))
        .with_hint(AMBIGUOUS_HINT),
        _ => Error::internal(format!("The keychain refused the request to {action} it ({cause}).")),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    /// An item locked between the store's search and its read comes back from the Secret Service
    /// as a D-Bus error, which the store passes on as a platform failure: it is a locked keychain.
    pub fn is_locked(error: &(dyn std::error::Error + 'static)) -> bool {
        match error.downcast_ref::<secret_service::Error>() {
            Some(secret_service::Error::Locked | secret_service::Error::Prompt) => true,
            Some(secret_service::Error::Zbus(zbus::Error::MethodError(name, _, _))) => {
                name.as_str() == "org.freedesktop.Secret.Error.IsLocked"
            }
            _ => false,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    pub fn is_locked(_error: &(dyn std::error::Error + 'static)) -> bool {
        false
    }
}

#[cfg(target_os = "linux")]
const UNAVAILABLE_HINT: &str = "LakeKey keeps secrets only in the keychain: it needs a Secret Service (GNOME Keyring or KWallet) on the D-Bus session bus. Start one (or log in to a desktop session) and check DBUS_SESSION_BUS_ADDRESS.";
#[cfg(not(target_os = "linux"))]
const UNAVAILABLE_HINT: &str = "LakeKey keeps secrets only in the OS keychain; make sure it is available for your user.";
#[cfg(target_os = "linux")]
const LOCKED_HINT: &str = "Unlock your login keyring (log in to the desktop session, or use Seahorse / `gnome-keyring-daemon --unlock`), then try again.";
#[cfg(not(target_os = "linux"))]
const LOCKED_HINT: &str = "Unlock the keychain and allow LakeKey to use it, then try again.";
#[cfg(target_os = "linux")]
const AMBIGUOUS_HINT: &str = "Remove the extra items (Seahorse, or `secret-tool search --all service lakekey`), or sign out and in again.";
#[cfg(not(target_os = "linux"))]
const AMBIGUOUS_HINT: &str = "Remove the extra LakeKey items in the keychain app, or sign out and in again.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{PastedToken, Credential};
    use crate::secret::Secret;

    fn keychain() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap(), None)
    }

    fn token(len: usize) -> Credential {
        Credential::Token(PastedToken { jwt: Secret::new("é".repeat(len / 2)), expires_at: Some(5) })
    }

    #[test]
    fn a_call_that_fails_in_the_platform_layer_is_retried_once_on_a_new_connection() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let store = keyring_core::mock::Store::new().unwrap();
        let fail_next_read = |store: &Arc<keyring_core::mock::Store>| {
            let entry = keyring_core::api::CredentialStoreApi::build(store.as_ref(), SERVICE, "p", None).unwrap();
            let cred = entry.as_any().downcast_ref::<keyring_core::mock::Cred>().unwrap();
            cred.set_error(keyring_core::Error::PlatformFailure("the service went away".into()));
        };
        let connects = Arc::new(AtomicU32::new(0));
        let (counter, again) = (connects.clone(), store.clone());
        let reconnect: Connect = Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(again.clone() as Arc<CredentialStore>)
        });
        let kc = Keychain::with_store(store.clone(), Some(reconnect));
        kc.save("p", &token(100)).unwrap();
        fail_next_read(&store);
        assert_eq!(kc.load("p").unwrap(), Some(token(100)), "the retry on a new connection reads it");
        assert_eq!(connects.load(Ordering::SeqCst), 1);

        // Without a way to reconnect, the failure is reported as an unavailable keychain.
        let plain = Keychain::with_store(store.clone(), None);
        fail_next_read(&store);
        assert_eq!(plain.load("p").unwrap_err().code(), ErrorCode::KeychainUnavailable);
    }

    #[test]
    fn large_credentials_are_chunked_and_read_back_whole() {
        let kc = keychain();
        assert_eq!(kc.load("p").unwrap(), None);
        let big = token(7000);
        kc.save("p", &big).unwrap();
        assert_eq!(kc.load("p").unwrap(), Some(big));
        let (generation, count) = kc.header("p").unwrap().unwrap();
        assert!(count >= 8, "{count}");
        for i in 1..count {
            let chunk = kc.get(&chunk_user("p", &generation, i)).unwrap().unwrap();
            assert!(chunk.len() <= WINDOWS_CHUNK_BYTES);
        }
    }

    #[test]
    fn saving_again_replaces_the_generation_and_removes_old_chunks() {
        let kc = keychain();
        kc.save("p", &token(5000)).unwrap();
        let (old_generation, old_count) = kc.header("p").unwrap().unwrap();
        let small = token(10);
        kc.save("p", &small).unwrap();
        assert_eq!(kc.load("p").unwrap(), Some(small));
        for i in 1..old_count {
            assert_eq!(kc.get(&chunk_user("p", &old_generation, i)).unwrap(), None);
        }
        kc.delete("p").unwrap();
        assert_eq!(kc.load("p").unwrap(), None);
        kc.delete("p").unwrap();
    }

    #[test]
    fn a_missing_chunk_is_never_returned_as_a_credential() {
        let kc = keychain();
        kc.save("p", &token(5000)).unwrap();
        let (generation, _) = kc.header("p").unwrap().unwrap();
        kc.call(&chunk_user("p", &generation, 2), |e| e.delete_credential()).unwrap();
        assert_eq!(kc.load("p").unwrap_err().code(), ErrorCode::SignInRequired);
    }

    #[test]
    fn locked_and_unavailable_keychains_get_their_own_codes() {
        let locked = keychain_error(keyring_core::Error::NoStorageAccess("collection is locked".into()), "read");
        assert_eq!(locked.code(), ErrorCode::KeychainLocked);
        assert!(locked.message().contains("collection is locked"));
        let gone = keychain_error(keyring_core::Error::PlatformFailure("no bus".into()), "connect to");
        assert_eq!(gone.code(), ErrorCode::KeychainUnavailable);
        assert!(gone.hint().is_some());
    }

    #[test]
    fn windows_finds_chunks_by_their_target_names() {
        assert_eq!(windows_chunk_pattern("eu.prod"), r"^eu\.prod#.*\.lakekey$");
        let expected = if cfg!(windows) { ("pattern", r"^p#.*\.lakekey$".to_string()) } else { ("service", "lakekey".to_string()) };
        assert_eq!(stray_search("p"), expected);
    }

    #[test]
    fn split_respects_char_boundaries() {
        let text = "aé".repeat(700);
        let pieces = split(&text, 1000);
        assert_eq!(pieces.concat(), text);
        assert!(pieces.iter().all(|p| p.len() <= 1000));
        assert_eq!(split("", 10), vec![""]);
    }
}
