//! Where secrets are stored: the OS keychain, under the service name `lakekey`, through
//! keyring-core and its maintained stores ([`stores`]: which one, and how it is opened). On
//! Linux without a desktop keychain, the kernel's key retention service; never a file.
//!
//! Windows takes at most 2560 bytes per secret, and a PEM key plus a JWT is longer. So a
//! credential is split into chunks of at most [`WINDOWS_CHUNK_BYTES`] there. Elsewhere the limit is
//! [`CHUNK_BYTES`], which a credential never reaches, so `lakekey token` reads one item instead of
//! four (each item costs D-Bus round trips). The code path is the same on every OS, and the tests
//! exercise the Windows chunk size on the real Linux keychains (`LAKEKEY_KEYCHAIN_CHUNK_BYTES` in
//! debug builds) and in unit tests. The profile's main entry (user = profile name) holds a
//! header naming the current generation plus the first chunk; further chunks live under
//! `{profile}#{generation}.{index}`. A save writes the new generation's chunks first and switches
//! the main entry last, so a crash never leaves a half-written credential: readers see the old one
//! or the new one. A save that fails removes what it wrote at once, and every successful save
//! sweeps leftovers of earlier crashes.
//!
//! Every write of a profile's record happens under that profile's refresh lock (the engine
//! takes it), so two saves never interleave and a sweep never meets another save's chunks.

mod errors;
#[cfg(target_os = "linux")]
mod namespaces;
pub mod stores;

use crate::crash_point;
use crate::credential::Credential;
use crate::error::Result;
pub use errors::keychain_error;
use errors::{classify, Cause};
use keyring_core::{CredentialStore, Entry};
use std::sync::{Arc, RwLock};
pub use stores::{KeychainSetting, StoreKind};
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
    kind: StoreKind,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keychain({})", self.kind.as_str())
    }
}

/// What a save did besides storing the credential.
#[derive(Debug, Default)]
pub struct Saved {
    /// What was there before and could not be read, and was replaced: a sentence for the user.
    pub replaced: Option<String>,
}

/// What [`Keychain::purge`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub removed: usize,
    /// Items among them that could not be read (duplicates, undecryptable, not LakeKey's format).
    pub unreadable: usize,
}

impl Keychain {
    /// The keychain the setting names, or on Linux with [`KeychainSetting::Auto`], the Secret
    /// Service when one answers and the kernel keyring otherwise. Fails with a clear message when
    /// there is none; never falls back to a file.
    pub fn os(setting: KeychainSetting) -> Result<Self> {
        let (kind, connect, store) = stores::open(setting)?;
        Ok(Keychain { store: Arc::new(RwLock::new(store)), reconnect: Some(connect), chunk_bytes: stores::chunk_bytes(), kind })
    }

    /// A keychain over any keyring-core store (the mock store in unit tests), chunked at the
    /// Windows size so every test goes through the chunked path. With `reconnect`, a call that
    /// fails in the transport is retried once on a new connection.
    pub fn with_store(store: Arc<CredentialStore>, reconnect: Option<Connect>) -> Self {
        Keychain { store: Arc::new(RwLock::new(store)), reconnect, chunk_bytes: WINDOWS_CHUNK_BYTES, kind: StoreKind::Test }
    }

    /// Which store this is.
    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    /// Fails now, with the reason, if this store would refuse the save at the end of a sign-in
    /// (a container that lets a process read the kernel keyring but not add keys to it): before
    /// the user approves anything, not after.
    pub fn check_writable(&self) -> Result<()> {
        match self.kind {
            StoreKind::Kernel => stores::probe_kernel_write(),
            _ => Ok(()),
        }
    }

    fn current(&self) -> Arc<CredentialStore> {
        self.store.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// One keychain call. When the connection failed underneath a long-lived process (a
    /// keychain daemon that crashed and was restarted by the desktop, which gnome-keyring does
    /// under some concurrent loads), it connects again and retries once: every call made here is
    /// safe to repeat (reads, replacing writes, deletes). Without this the desktop app would keep
    /// a dead connection until it is restarted. Nothing the user answered is retried: a
    /// dismissed unlock prompt, a locked keychain or an undecryptable item come back as they are,
    /// so the user sees one prompt per action.
    pub(crate) fn call<T>(&self, user: &str, op: impl Fn(&Entry) -> keyring_core::Result<T>) -> keyring_core::Result<T> {
        match op(&self.entry(&*self.current(), user)?) {
            Err(e) if classify(&e) == Cause::Transport => {
                let Some(fresh) = self.reconnect.as_ref().and_then(|connect| connect().ok()) else {
                    return Err(e);
                };
                tracing::debug!("keychain call failed in the transport; retrying on a new connection");
                *self.store.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
                op(&self.entry(&*fresh, user)?)
            }
            other => other,
        }
    }

    fn entry(&self, store: &CredentialStore, user: &str) -> keyring_core::Result<Entry> {
        match self.kind.modifier(user) {
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
        Err(errors::unreadable(profile, "it is incomplete"))
    }

    /// Stores `credential` as the profile's record. What is there and cannot be read (an item
    /// in another format, duplicates, one that does not decrypt) is removed first and reported
    /// in [`Saved::replaced`]; a locked or missing keychain is an error, and nothing is removed.
    pub fn save(&self, profile: &str, credential: &Credential) -> Result<Saved> {
        let text = credential.to_keychain_text();
        let mut saved = Saved::default();
        let old = match self.header(profile) {
            Ok(old) => old,
            Err(e) if e.is_unreadable() => {
                let purged = self.purge(profile)?;
                saved.replaced = Some(format!(
                    "What the keychain held for `{profile}` could not be read ({}); LakeKey removed it ({} item{}) and stored the new sign-in.",
                    e.reason(),
                    purged.removed,
                    if purged.removed == 1 { "" } else { "s" }
                ));
                None
            }
            Err(e) => return Err(e.into_error("read")),
        };
        let generation = new_generation();
        let chunks = split(&text, self.chunk_bytes);
        let mut written = 1;
        let result = (|| {
            for (i, chunk) in chunks.iter().enumerate().skip(1) {
                self.call(&chunk_user(profile, &generation, i), |e| e.set_password(chunk)).map_err(|e| keychain_error(e, "save"))?;
                written = i + 1;
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
            self.call(profile, |e| e.set_password(&main)).map_err(|e| keychain_error(e, "save"))
        })();
        if let Err(e) = result {
            // The failed generation is nobody's: remove it now rather than at the next logout.
            self.delete_chunks(profile, &generation, written);
            return Err(e);
        }
        crash_point::reached("keychain.switched");
        if let Some((old_generation, old_count)) = old {
            self.delete_chunks(profile, &old_generation, old_count);
        }
        self.sweep(profile, Some(&generation));
        Ok(saved)
    }

    /// Removes every LakeKey item of the profile, whatever state it is in: the record and its
    /// chunks, duplicates of the main item (e.g. written by another program under the same
    /// service and user), items that do not decrypt or are not text, and chunks left by saves
    /// that crashed. Missing entries are not an error; a locked or missing keychain is.
    pub fn purge(&self, profile: &str) -> Result<Purged> {
        let mut purged = Purged::default();
        let old = match self.header(profile) {
            Ok(old) => old,
            Err(e) if e.is_unreadable() => {
                purged.unreadable += 1;
                None
            }
            Err(e) => return Err(e.into_error("read")),
        };
        match self.call(profile, |e| e.delete_credential()) {
            Ok(()) => purged.removed += 1,
            Err(keyring_core::Error::NoEntry) => {}
            Err(keyring_core::Error::Ambiguous(entries)) => {
                // Several items answer to the profile's name: each is removed on its own.
                for entry in entries {
                    entry.delete_credential().map_err(|e| keychain_error(e, "delete"))?;
                    purged.removed += 1;
                }
            }
            Err(e) => return Err(keychain_error(e, "delete")),
        }
        if let Some((generation, count)) = old {
            purged.removed += self.delete_chunks(profile, &generation, count);
        }
        purged.removed += self.sweep(profile, None);
        Ok(purged)
    }

    /// Removes the profile's chunk items of any generation but `keep`: leftovers of saves that
    /// crashed before their switch, which no reader ever reaches. Best effort; returns how many.
    fn sweep(&self, profile: &str, keep: Option<&str>) -> usize {
        let keep = keep.map(|g| format!("{profile}#{g}."));
        let strays = stores::chunk_items(self.kind, &*self.current(), profile);
        strays
            .into_iter()
            .filter(|(user, _)| keep.as_deref().is_none_or(|k| !user.starts_with(k)))
            .filter(|(_, entry)| entry.delete_credential().is_ok())
            .count()
    }

    fn get(&self, user: &str) -> std::result::Result<Option<Zeroizing<String>>, errors::Failure> {
        match self.call(user, |e| e.get_password()) {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(errors::Failure::from(e)),
        }
    }

    fn header(&self, profile: &str) -> std::result::Result<Option<(String, usize)>, errors::Failure> {
        match self.get(profile)? {
            None => Ok(None),
            Some(main) => match parse_header(&main) {
                Some((g, n, _)) => Ok(Some((g.to_string(), n))),
                None => Err(errors::Failure::NotOurFormat),
            },
        }
    }

    fn read_text(&self, profile: &str) -> Result<Read> {
        let unreadable = |f: errors::Failure| if f.is_unreadable() { errors::unreadable(profile, f.reason()) } else { f.into_error("read") };
        let Some(main) = self.get(profile).map_err(unreadable)? else { return Ok(Read::Missing) };
        let Some((generation, count, first)) = parse_header(&main) else {
            return Err(unreadable(errors::Failure::NotOurFormat));
        };
        // Sized up front: growing would leave copies of the secret behind in freed memory.
        let mut text = Zeroizing::new(String::with_capacity((count * self.chunk_bytes).min(1 << 20)));
        text.push_str(first);
        for i in 1..count {
            match self.get(&chunk_user(profile, generation, i)).map_err(unreadable)? {
                Some(chunk) => text.push_str(&chunk),
                None => return Ok(Read::Torn),
            }
        }
        Ok(Read::Text(text))
    }

    /// Deletes chunks 1..count of a generation; returns how many existed.
    fn delete_chunks(&self, profile: &str, generation: &str, count: usize) -> usize {
        // Best effort: a leftover chunk of an old generation is unreachable, and the next
        // successful save sweeps it.
        (1..count).filter(|i| self.call(&chunk_user(profile, generation, *i), |e| e.delete_credential()).is_ok()).count()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{Credential, PastedToken};
    use crate::error::ErrorCode;
    use crate::secret::Secret;

    fn keychain() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap(), None)
    }

    fn token(len: usize) -> Credential {
        Credential::Token(PastedToken { jwt: Secret::new("é".repeat(len / 2)), expires_at: Some(5) })
    }

    /// The profile's chunk items that hold a secret (the mock store's search also lists deleted ones).
    fn chunks_left(kc: &Keychain, profile: &str) -> Vec<String> {
        stores::chunk_items(StoreKind::Test, &*kc.current(), profile).into_iter().filter(|(_, e)| e.get_secret().is_ok()).map(|(u, _)| u).collect()
    }

    /// Makes the next call on `user`'s entry in the mock store fail with `error`.
    fn fail_next(store: &Arc<keyring_core::mock::Store>, user: &str, error: keyring_core::Error) {
        let entry = keyring_core::api::CredentialStoreApi::build(store.as_ref(), SERVICE, user, None).unwrap();
        entry.as_any().downcast_ref::<keyring_core::mock::Cred>().unwrap().set_error(error);
    }

    /// A keychain over a mock store whose reconnections are counted.
    fn counting_reconnects() -> (Keychain, Arc<keyring_core::mock::Store>, Arc<std::sync::atomic::AtomicU32>) {
        let store = keyring_core::mock::Store::new().unwrap();
        let connects = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let (counter, again) = (connects.clone(), store.clone());
        let reconnect: Connect = Arc::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(again.clone() as Arc<CredentialStore>)
        });
        (Keychain::with_store(store.clone(), Some(reconnect)), store, connects)
    }

    #[test]
    fn a_call_that_fails_in_the_transport_is_retried_once_on_a_new_connection() {
        use std::sync::atomic::Ordering;
        let (kc, store, connects) = counting_reconnects();
        kc.save("p", &token(100)).unwrap();
        fail_next(&store, "p", keyring_core::Error::PlatformFailure("the service went away".into()));
        assert_eq!(kc.load("p").unwrap(), Some(token(100)), "the retry on a new connection reads it");
        assert_eq!(connects.load(Ordering::SeqCst), 1);

        // Without a way to reconnect, the failure is reported as an unavailable keychain.
        let plain = Keychain::with_store(store.clone(), None);
        fail_next(&store, "p", keyring_core::Error::PlatformFailure("the service went away".into()));
        assert_eq!(plain.load("p").unwrap_err().code(), ErrorCode::KeychainUnavailable);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn what_the_user_answered_is_never_retried() {
        use std::sync::atomic::Ordering;
        let (kc, store, connects) = counting_reconnects();
        kc.save("p", &token(100)).unwrap();
        // A dismissed unlock prompt: a second prompt would pop up if it were retried.
        fail_next(&store, "p", keyring_core::Error::NoStorageAccess(Box::new(secret_service::Error::Prompt)));
        let dismissed = kc.load("p").unwrap_err();
        assert_eq!(dismissed.code(), ErrorCode::KeychainLocked);
        assert!(dismissed.message().contains("dismissed or could not be shown"), "{}", dismissed.message());
        fail_next(&store, "p", keyring_core::Error::PlatformFailure(Box::new(secret_service::Error::Crypto("message decryption failed"))));
        assert_eq!(kc.load("p").unwrap_err().code(), ErrorCode::SignInRequired, "an item that does not decrypt is unreadable");
        assert_eq!(connects.load(Ordering::SeqCst), 0, "no reconnection, no second prompt");
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
        assert_eq!(kc.purge("p").unwrap(), Purged { removed: 1, unreadable: 0 });
        assert_eq!(kc.load("p").unwrap(), None);
        assert_eq!(kc.purge("p").unwrap(), Purged::default());
    }

    #[test]
    fn a_missing_chunk_is_never_returned_as_a_credential() {
        let kc = keychain();
        kc.save("p", &token(5000)).unwrap();
        let (generation, _) = kc.header("p").unwrap().unwrap();
        kc.call(&chunk_user("p", &generation, 2), |e| e.delete_credential()).unwrap();
        assert_eq!(kc.load("p").unwrap_err().code(), ErrorCode::SignInRequired);
    }

    /// A store whose main entry for `p` refuses writes: a save then fails at its switch, after
    /// writing the new generation's chunks.
    #[derive(Debug)]
    struct RefusesMainWrites(Arc<keyring_core::mock::Store>);

    #[derive(Debug)]
    struct RefusingEntry(Entry);

    impl keyring_core::api::CredentialApi for RefusingEntry {
        fn set_secret(&self, _: &[u8]) -> keyring_core::Result<()> {
            Err(keyring_core::Error::NoStorageAccess("refused for the test".into()))
        }
        fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
            self.0.get_secret()
        }
        fn delete_credential(&self) -> keyring_core::Result<()> {
            self.0.delete_credential()
        }
        fn get_credential(&self) -> keyring_core::Result<Option<Arc<keyring_core::Credential>>> {
            Ok(None)
        }
        fn get_specifiers(&self) -> Option<(String, String)> {
            self.0.get_specifiers()
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl keyring_core::api::CredentialStoreApi for RefusesMainWrites {
        fn vendor(&self) -> String {
            "test".into()
        }
        fn id(&self) -> String {
            "refuses-main-writes".into()
        }
        fn build(&self, service: &str, user: &str, modifiers: Option<&std::collections::HashMap<&str, &str>>) -> keyring_core::Result<Entry> {
            let entry = self.0.build(service, user, modifiers)?;
            Ok(if user == "p" { Entry::new_with_credential(Arc::new(RefusingEntry(entry))) } else { entry })
        }
        fn search(&self, spec: &std::collections::HashMap<&str, &str>) -> keyring_core::Result<Vec<Entry>> {
            self.0.search(spec)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn a_save_that_fails_halfway_leaves_no_chunk_behind() {
        let store = keyring_core::mock::Store::new().unwrap();
        let kc = Keychain::with_store(store.clone(), None);
        kc.save("p", &token(100)).unwrap();
        let refusing = Keychain::with_store(Arc::new(RefusesMainWrites(store)), None);
        assert_eq!(refusing.save("p", &token(5000)).unwrap_err().code(), ErrorCode::KeychainLocked);
        assert_eq!(chunks_left(&kc, "p"), Vec::<String>::new(), "the failed generation was removed at once");
        assert_eq!(kc.load("p").unwrap(), Some(token(100)), "the old record is intact");
    }

    #[test]
    fn leftovers_of_a_crashed_save_are_swept_by_the_next_save() {
        let kc = keychain();
        kc.save("p", &token(100)).unwrap();
        // What a save killed after its first chunk leaves: a chunk of a generation nobody names.
        kc.call("p#0badc0ffee00.1", |e| e.set_password("left over")).unwrap();
        kc.save("p", &token(5000)).unwrap();
        let (generation, _) = kc.header("p").unwrap().unwrap();
        let users = chunks_left(&kc, "p");
        assert!(!users.is_empty() && users.iter().all(|u| u.starts_with(&format!("p#{generation}."))), "{users:?}");
    }

    #[test]
    fn purge_removes_what_cannot_be_read() {
        let kc = keychain();
        // Not LakeKey's format, then not even text.
        kc.call("p", |e| e.set_password("written by some other program")).unwrap();
        assert_eq!(kc.load("p").unwrap_err().code(), ErrorCode::SignInRequired);
        assert_eq!(kc.purge("p").unwrap(), Purged { removed: 1, unreadable: 1 });
        kc.call("p", |e| e.set_secret(&[0xff, 0xfe, 0x00])).unwrap();
        let err = kc.load("p").unwrap_err();
        assert_eq!(err.code(), ErrorCode::SignInRequired);
        assert_eq!(err.action(), Some(&crate::error::Action::SignInOrForget { profile: Some("p".into()) }), "{:?}", err.hint());
        let saved = kc.save("p", &token(10)).unwrap();
        assert!(saved.replaced.unwrap().contains("could not be read"), "a save replaces it, and says so");
        assert_eq!(kc.load("p").unwrap(), Some(token(10)));
    }

    /// Credential Manager takes at most 2560 bytes per secret: a record larger than that, written
    /// whole, is refused (by the store crate, before Windows would); LakeKey's chunked save of the
    /// same record goes through and reads back. Runs under Wine in scripts/test-windows.
    #[cfg(windows)]
    #[test]
    fn credential_manager_takes_a_large_record_only_in_chunks() {
        use keyring_core::api::CredentialStoreApi;
        let store = windows_native_keyring_store::Store::new().unwrap();
        let big = token(3000);
        let whole = store.build(SERVICE, "limit-probe", None).unwrap().set_password(&big.to_keychain_text());
        assert!(matches!(whole, Err(keyring_core::Error::TooLong(..))), "{whole:?}");
        let kc = Keychain::os(KeychainSetting::Auto).unwrap();
        kc.save("limit-probe", &big).unwrap();
        assert_eq!(kc.load("limit-probe").unwrap(), Some(big));
        assert!(kc.purge("limit-probe").unwrap().removed >= 4);
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
