//! Which keychain holds the secrets, and how each is opened: the Secret Service on Linux
//! desktops (zbus-secret-service-keyring-store), the kernel's key retention service on Linux
//! without one (linux-keyutils-keyring-store: SSH sessions, notebook servers, WSL, containers),
//! Keychain Services on macOS, Credential Manager on Windows. All of them through keyring-core;
//! none of them a file.

use super::{Connect, SERVICE};
use crate::error::{Error, Result};
use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// The store in use. Recorded per profile in profiles.toml (`store = "kernel"`), so every later
/// process finds a sign-in where it was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    SecretService,
    /// The Linux kernel's key retention service (keyctl).
    Kernel,
    CredentialManager,
    MacosKeychain,
    /// An in-memory store in unit tests.
    Test,
}

/// The `keychain` setting (profiles.toml, or `LAKEKEY_KEYCHAIN`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeychainSetting {
    /// The OS keychain; on Linux the Secret Service when one answers, else the kernel keyring.
    #[default]
    Auto,
    SecretService,
    Kernel,
}

impl KeychainSetting {
    /// `auto`, `secret-service` or `kernel`.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "auto" | "" => Ok(KeychainSetting::Auto),
            "secret-service" => Ok(KeychainSetting::SecretService),
            "kernel" => Ok(KeychainSetting::Kernel),
            other => Err(Error::invalid(format!("`{other}` is not a keychain LakeKey knows."))
                .with_hint("Use `auto`, `secret-service` or `kernel` (LAKEKEY_KEYCHAIN, or `keychain` in profiles.toml).")),
        }
    }
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Kernel => "kernel",
            StoreKind::CredentialManager => "credential-manager",
            StoreKind::MacosKeychain => "macos-keychain",
            StoreKind::Test => "test",
        }
    }

    /// Where the secrets are, in a few words for `status`.
    pub fn describe(self) -> &'static str {
        match self {
            StoreKind::SecretService => "the desktop keychain (Secret Service)",
            StoreKind::Kernel => "the Linux kernel keyring (kept until restart)",
            StoreKind::CredentialManager => "Windows Credential Manager",
            StoreKind::MacosKeychain => "the macOS login keychain",
            StoreKind::Test => "an in-memory test store",
        }
    }

    /// The setting that opens this store again.
    pub fn setting(self) -> KeychainSetting {
        match self {
            StoreKind::SecretService => KeychainSetting::SecretService,
            StoreKind::Kernel => KeychainSetting::Kernel,
            StoreKind::CredentialManager | StoreKind::MacosKeychain | StoreKind::Test => KeychainSetting::Auto,
        }
    }

    /// Whether what is kept here survives a restart of the machine.
    pub fn survives_restart(self) -> bool {
        self != StoreKind::Kernel
    }

    /// The other stores of this OS that may hold a profile's secrets from an earlier sign-in.
    pub fn others(self) -> Vec<StoreKind> {
        let all: &[StoreKind] = match self {
            StoreKind::SecretService | StoreKind::Kernel => &[StoreKind::SecretService, StoreKind::Kernel],
            _ => &[],
        };
        all.iter().copied().filter(|k| *k != self).collect()
    }

    /// What a user storing a secret here should know, when it differs from a desktop keychain.
    pub fn notice(self) -> Option<String> {
        (self == StoreKind::Kernel).then(|| {
            "LakeKey keeps this sign-in in the Linux kernel keyring (keyctl), never in a file, as no desktop keychain is in use here. \
             The kernel keeps it in memory until the machine restarts (or three days unused); other processes of your user \
             can read it, as with an unlocked desktop keychain."
                .to_string()
        })
    }

    /// How this store should write an item. Secret Service: a label, which Seahorse and KWallet
    /// show. Windows: local-machine persistence, so secrets never roam with an enterprise (domain)
    /// profile to other machines, which the store's default (Enterprise) would allow. The kernel
    /// keyring and macOS take nothing.
    pub(super) fn modifier(self, user: &str) -> Option<(&'static str, String)> {
        match self {
            StoreKind::SecretService => Some(("label", format!("LakeKey: {user}"))),
            StoreKind::CredentialManager => Some(("persistence", "Local".to_string())),
            StoreKind::Kernel | StoreKind::MacosKeychain | StoreKind::Test => None,
        }
    }
}

/// The chunk size for the OS keychain; debug builds take `LAKEKEY_KEYCHAIN_CHUNK_BYTES` so the
/// tests can run the real keychain at the Windows size.
pub(super) fn chunk_bytes() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("LAKEKEY_KEYCHAIN_CHUNK_BYTES").ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n >= 100) {
        return n.min(super::CHUNK_BYTES);
    }
    super::CHUNK_BYTES
}

/// The profile's chunk items (`{profile}#...`) of any generation, with their user names.
pub(super) fn chunk_items(kind: StoreKind, store: &CredentialStore, profile: &str) -> Vec<(String, Entry)> {
    let prefix = format!("{profile}#");
    let found = match kind {
        StoreKind::Kernel => platform::kernel_users(&prefix).into_iter().filter_map(|user| store.build(SERVICE, &user, None).ok()).collect(),
        // Credential Manager matches a regular expression against target names (`{user}.{service}`).
        StoreKind::CredentialManager => store.search(&HashMap::from([("pattern", windows_chunk_pattern(profile).as_str())])).unwrap_or_default(),
        StoreKind::Test => store.search(&HashMap::from([("service", SERVICE), ("user", prefix.as_str())])).unwrap_or_default(),
        StoreKind::SecretService | StoreKind::MacosKeychain => store.search(&HashMap::from([("service", SERVICE)])).unwrap_or_default(),
    };
    found
        .into_iter()
        .filter_map(|entry| entry.get_specifiers().map(|(_, user)| (user, entry)))
        .filter(|(user, _)| user.starts_with(&prefix))
        .collect()
}

/// The target names of a profile's chunk items in Credential Manager, as a regular expression.
/// Profile names are letters, digits, `-`, `_` and `.`: only the dot needs escaping.
fn windows_chunk_pattern(profile: &str) -> String {
    format!("^{}#.*\\.{SERVICE}$", profile.replace('.', "\\."))
}

/// Adds and removes a small key, to learn whether the kernel takes new keys from this process.
pub(super) fn probe_kernel_write() -> Result<()> {
    platform::probe_kernel_write()
}

/// For a multi-threaded program (the desktop app), called first thing in `main`, before any
/// thread starts: gives the process a session keyring if it has none (a desktop launcher or a
/// service without pam_keyinit). The kernel keeps the session keyring in each thread's
/// credentials; one created later, by a worker thread, would be that thread's alone, and the
/// others could not reach the keys it stored. Harmless where it exists or the calls are blocked.
pub fn share_session_keyring_with_all_threads() {
    #[cfg(target_os = "linux")]
    {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let _ = KeyRing::from_special_id(KeyRingIdentifier::Session, true);
    }
}

/// The store for `setting` on this OS, connected, and how to connect to it again.
pub(super) fn open(setting: KeychainSetting) -> Result<(StoreKind, Connect, Arc<CredentialStore>)> {
    let (kind, connect, connected) = platform::open(setting)?;
    let store = match connected {
        Some(store) => store,
        None => connect().map_err(|e| super::keychain_error(e, "connect to"))?,
    };
    Ok((kind, connect, store))
}

#[cfg(target_os = "linux")]
mod platform {
    use super::{KeychainSetting, StoreKind};
    use crate::error::{Error, ErrorCode, Result};
    use crate::keychain::{keychain_error, Connect};
    use keyring_core::CredentialStore;
    use std::sync::Arc;

    pub fn open(setting: KeychainSetting) -> Result<(StoreKind, Connect, Option<Arc<CredentialStore>>)> {
        let secret_service: Connect = Arc::new(|| zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>));
        let kernel: Connect = Arc::new(|| linux_keyutils_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>));
        match setting {
            KeychainSetting::SecretService => Ok((StoreKind::SecretService, secret_service, None)),
            KeychainSetting::Kernel => check_kernel().map(|_| (StoreKind::Kernel, kernel, None)),
            // The kernel keyring only where there is no Secret Service at all: an SSH session,
            // a notebook server, WSL or a container. Asked before connecting, so that a Secret
            // Service that exists but fails (a daemon that dies mid-call, an activation that
            // fails) is an error: switching would hide the sign-in it holds from this process.
            KeychainSetting::Auto => match secret_service_presence() {
                Presence::Absent(why) => {
                    tracing::debug!("no Secret Service ({why}); using the kernel keyring");
                    check_kernel().map(|_| (StoreKind::Kernel, kernel, None))
                }
                Presence::Present => match secret_service() {
                    Ok(connected) => Ok((StoreKind::SecretService, secret_service, Some(connected))),
                    Err(e) => Err(keychain_error(e, "connect to")),
                },
            },
        }
    }

    enum Presence {
        Present,
        Absent(&'static str),
    }

    /// Whether a Secret Service exists for this session: someone owns its bus name, or the bus
    /// can start one. Asked of the bus itself, never guessed from an error.
    fn secret_service_presence() -> Presence {
        const NAME: &str = "org.freedesktop.secrets";
        let Ok(connection) = zbus::blocking::Connection::session() else {
            return Presence::Absent("no session bus");
        };
        let Ok(bus) = zbus::blocking::fdo::DBusProxy::new(&connection) else {
            return Presence::Present;
        };
        let name = zbus::names::BusName::try_from(NAME).expect("a valid bus name");
        match bus.name_has_owner(name) {
            Ok(true) => Presence::Present,
            Ok(false) => match bus.list_activatable_names() {
                Ok(names) if names.iter().any(|n| n.as_str() == NAME) => Presence::Present,
                Ok(_) => Presence::Absent("nobody owns the Secret Service name on the session bus"),
                Err(_) => Presence::Present,
            },
            // A bus that does not answer its own questions is a failure, not an absence.
            Err(_) => Presence::Present,
        }
    }

    /// Opening the kernel store touches no kernel state, so ask for the session keyring now:
    /// where a seccomp profile blocks the key calls, say so before anything else happens. A
    /// process started without a session keyring (a service, cron, a container's first process)
    /// gets one here, before the store looks it up: the store finds keys through the session
    /// keyring, to which it links the user's persistent keyring, and without one of its own the
    /// keyring it stored into and the one it searched later were not the same.
    ///
    /// Before that: the kernel keeps one keyring per user ID in each user namespace. A container
    /// that shares the host's user IDs (no user namespace of its own) shares it with the host
    /// and every other container of the same UID, so LakeKey keeps nothing there.
    fn check_kernel() -> Result<()> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        crate::keychain::namespaces::check_kernel_keyring_is_private()?;
        KeyRing::from_special_id(KeyRingIdentifier::Session, true)
            .map(|_| ())
            .map_err(|e| keychain_error(keyring_core::Error::NoStorageAccess(Box::new(e)), "use"))
    }

    /// Where the kernel has no persistent keyrings, a key lives only as long as the session
    /// keyring it was added to (this process, or this login): the next `lakekey token` would not
    /// find it. Say so before a sign-in instead of reporting success.
    fn check_persistent() -> Result<()> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        KeyRing::get_persistent(KeyRingIdentifier::Session).map(|_| ()).map_err(|e| {
            Error::new(
                ErrorCode::KeychainUnavailable,
                format!("This Linux kernel cannot keep a key beyond this process (it has no persistent keyrings: {e}), so a sign-in kept in the kernel keyring would be gone when LakeKey exits."),
            )
            .with_hint("Use a desktop keychain (a Secret Service such as gnome-keyring on the session bus), or a kernel built with CONFIG_PERSISTENT_KEYRINGS.")
        })
    }

    pub fn probe_kernel_write() -> Result<()> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        check_persistent()?;
        let failed = |e: linux_keyutils::KeyError| keychain_error(keyring_core::Error::PlatformFailure(Box::new(e)), "save to");
        let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(failed)?;
        let key = session.add_key("keyring:#probe@lakekey", b"probe").map_err(failed)?;
        let _ = key.invalidate();
        Ok(())
    }

    /// The users (profile chunk names) of LakeKey's keys reachable from this process's session
    /// keyring and the user's persistent keyring whose name starts with `prefix`. The kernel store
    /// cannot search, so LakeKey lists the keyrings itself: a key's description is
    /// `keyring:{user}@lakekey` (linux-keyutils-keyring-store's default naming).
    pub fn kernel_users(prefix: &str) -> Vec<String> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let mut rings = Vec::new();
        if let Ok(session) = KeyRing::from_special_id(KeyRingIdentifier::Session, false) {
            rings.push(session);
            if let Ok(persistent) = KeyRing::get_persistent(KeyRingIdentifier::Session) {
                rings.push(persistent);
            }
        }
        let mut users: Vec<String> = rings
            .iter()
            .filter_map(|ring| ring.get_links(4096).ok())
            .flat_map(|links| links.iter().filter_map(|node| node.as_key()).collect::<Vec<_>>())
            .filter_map(|key| key.metadata().ok())
            .filter_map(|meta| {
                let user = meta.get_description().strip_prefix("keyring:")?.strip_suffix(&format!("@{}", crate::keychain::SERVICE))?;
                user.starts_with(prefix).then(|| user.to_string())
            })
            .collect();
        users.sort();
        users.dedup();
        users
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use super::{KeychainSetting, StoreKind};
    use crate::error::{Error, Result};
    use crate::keychain::Connect;
    use keyring_core::CredentialStore;
    use std::sync::Arc;

    pub fn open(setting: KeychainSetting) -> Result<(StoreKind, Connect, Option<Arc<CredentialStore>>)> {
        if setting != KeychainSetting::Auto {
            return Err(linux_only(setting));
        }
        Ok((StoreKind::MacosKeychain, Arc::new(|| apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>)), None))
    }

    fn linux_only(setting: KeychainSetting) -> Error {
        Error::invalid(format!("The keychain setting `{setting:?}` exists only on Linux.")).with_hint("Remove it (or set it to `auto`).")
    }

    pub fn kernel_users(_prefix: &str) -> Vec<String> {
        Vec::new()
    }

    pub fn probe_kernel_write() -> Result<()> {
        Ok(())
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use super::{KeychainSetting, StoreKind};
    use crate::error::{Error, Result};
    use crate::keychain::Connect;
    use keyring_core::CredentialStore;
    use std::sync::Arc;

    pub fn open(setting: KeychainSetting) -> Result<(StoreKind, Connect, Option<Arc<CredentialStore>>)> {
        if setting != KeychainSetting::Auto {
            return Err(Error::invalid(format!("The keychain setting `{setting:?}` exists only on Linux.")).with_hint("Remove it (or set it to `auto`)."));
        }
        Ok((StoreKind::CredentialManager, Arc::new(|| windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>)), None))
    }

    pub fn kernel_users(_prefix: &str) -> Vec<String> {
        Vec::new()
    }

    pub fn probe_kernel_write() -> Result<()> {
        Ok(())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    use super::{KeychainSetting, StoreKind};
    use crate::error::{Error, ErrorCode, Result};
    use crate::keychain::Connect;

    pub fn open(_setting: KeychainSetting) -> Result<(StoreKind, Connect, Option<std::sync::Arc<keyring_core::CredentialStore>>)> {
        Err(Error::new(ErrorCode::KeychainUnavailable, "LakeKey has no keychain support on this operating system."))
    }

    pub fn kernel_users(_prefix: &str) -> Vec<String> {
        Vec::new()
    }

    pub fn probe_kernel_write() -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_finds_chunks_by_their_target_names() {
        assert_eq!(windows_chunk_pattern("eu.prod"), r"^eu\.prod#.*\.lakekey$");
    }

    #[test]
    fn the_setting_names_a_keychain_or_says_which_exist() {
        assert_eq!(KeychainSetting::parse("kernel").unwrap(), KeychainSetting::Kernel);
        assert_eq!(KeychainSetting::parse("secret-service").unwrap(), KeychainSetting::SecretService);
        assert_eq!(KeychainSetting::parse("").unwrap(), KeychainSetting::Auto);
        let wrong = KeychainSetting::parse("file").unwrap_err();
        assert!(wrong.hint().unwrap().contains("kernel"), "{wrong:?}");
    }

    #[test]
    fn only_the_kernel_keyring_comes_with_a_notice() {
        let notice = StoreKind::Kernel.notice().unwrap();
        assert!(notice.contains("until the machine restarts") && notice.contains("never in a file"), "{notice}");
        assert_eq!(StoreKind::SecretService.notice(), None);
        assert_eq!(StoreKind::Kernel.modifier("p"), None, "the kernel store takes no label");
    }
}
