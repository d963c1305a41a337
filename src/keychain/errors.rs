//! What a keychain failure means for the user, told apart by the error values the stores return
//! (keyring-core's variants, and beneath them the Secret Service client's and the kernel key
//! calls' own error types), never by message text. Each cause gets a stable code and a hint that
//! names a command that works in that state.

use crate::error::{Action, Error, ErrorCode};

/// Why a keychain call failed. (Some causes exist only on Linux's stores.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) enum Cause {
    /// The keychain (or the item's collection) is locked.
    Locked,
    /// The user dismissed the unlock prompt (or it went away).
    PromptDismissed,
    /// The Secret Service has no default collection to create items in.
    NoDefaultCollection,
    /// This item cannot be read: it does not decrypt, is not text, or several items answer to
    /// its name. The keychain itself works.
    Unreadable(&'static str),
    /// No keychain answers: no session bus, no Secret Service on it, no store for this OS.
    Unavailable,
    /// The kernel refuses its key calls to this process (a container's seccomp profile).
    KernelBlocked,
    /// The kernel keyring's quota for this user is used up.
    QuotaFull,
    /// The connection failed underneath (a restarted keychain daemon); worth one retry.
    Transport,
    /// The secret is larger than the store takes.
    TooLong,
    Other,
}

pub(super) fn classify(e: &keyring_core::Error) -> Cause {
    use keyring_core::Error as E;
    match e {
        E::NoStorageAccess(inner) => platform::no_access(inner.as_ref()).unwrap_or(Cause::Locked),
        E::PlatformFailure(inner) => platform::failure(inner.as_ref()).unwrap_or(Cause::Transport),
        E::BadEncoding(_) => Cause::Unreadable("it is not text"),
        E::BadDataFormat(..) => Cause::Unreadable("its data is malformed"),
        E::Ambiguous(_) => Cause::Unreadable("several keychain items answer to its name"),
        E::TooLong(..) => Cause::TooLong,
        E::NoDefaultStore | E::NotSupportedByStore(_) => Cause::Unavailable,
        _ => Cause::Other,
    }
}

/// A read of one of the profile's items that failed: the item's fault, or the keychain's.
#[derive(Debug)]
pub(super) enum Failure {
    /// The main item is not in LakeKey's format.
    NotOurFormat,
    Keychain(keyring_core::Error),
}

impl From<keyring_core::Error> for Failure {
    fn from(e: keyring_core::Error) -> Self {
        Failure::Keychain(e)
    }
}

impl Failure {
    /// Whether the item is unreadable while the keychain works: replacing or removing it helps.
    pub fn is_unreadable(&self) -> bool {
        match self {
            Failure::NotOurFormat => true,
            Failure::Keychain(e) => matches!(classify(e), Cause::Unreadable(_)),
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Failure::NotOurFormat => "it is not in LakeKey's format",
            Failure::Keychain(e) => match classify(e) {
                Cause::Unreadable(why) => why,
                _ => "the keychain refused",
            },
        }
    }

    pub fn into_error(self, action: &str) -> Error {
        match self {
            Failure::NotOurFormat => Error::sign_in_required("The keychain entry for this profile is not in LakeKey's format."),
            Failure::Keychain(e) => keychain_error(e, action),
        }
    }
}

/// The profile's record cannot be read, while the keychain works.
pub fn unreadable(profile: &str, why: &str) -> Error {
    Error::new(ErrorCode::SignInRequired, format!("The keychain entry for profile `{profile}` cannot be read: {why}."))
        .with_hint("Sign in again: it replaces what cannot be read. Or forget what is stored without revoking it.")
        .with_action(Action::SignInOrForget { profile: Some(profile.to_string()) })
}

/// Maps a keychain failure to a stable code with an explanation and a fix.
pub fn keychain_error(e: keyring_core::Error, action: &str) -> Error {
    let cause = classify(&e);
    let detail = match &e {
        keyring_core::Error::PlatformFailure(inner) | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
        // Never the payload of BadEncoding or BadDataFormat: it may be a secret.
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) | keyring_core::Error::Ambiguous(_) => String::new(),
        other => other.to_string(),
    };
    let because = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
    match cause {
        Cause::Locked => Error::new(ErrorCode::KeychainLocked, format!("The keychain is locked, so LakeKey could not {action} it{because}."))
            .with_hint(platform::LOCKED_HINT),
        Cause::PromptDismissed => Error::new(
            ErrorCode::KeychainLocked,
            format!("The keychain is locked, and its unlock prompt was dismissed or could not be shown, so LakeKey could not {action} it."),
        )
        .with_hint(platform::PROMPT_HINT),
        Cause::NoDefaultCollection => Error::new(
            ErrorCode::KeychainUnavailable,
            format!("The keychain has no default keyring to store new items in, so LakeKey could not {action} it."),
        )
        .with_hint(platform::NO_DEFAULT_HINT),
        Cause::Unreadable(why) => Error::new(ErrorCode::SignInRequired, format!("A keychain item of this profile cannot be read: {why}."))
            .with_hint("Sign in again: it replaces what cannot be read. Or forget what is stored without revoking it.")
            .with_action(Action::SignInOrForget { profile: None }),
        Cause::Unavailable | Cause::Transport => Error::new(
            ErrorCode::KeychainUnavailable,
            format!("The OS keychain is not available, so LakeKey could not {action} it{because}."),
        )
        .with_hint(platform::UNAVAILABLE_HINT),
        Cause::KernelBlocked => Error::new(
            ErrorCode::KeychainUnavailable,
            format!("The kernel keyring is blocked for this process (a container's seccomp profile forbids the key calls), so LakeKey could not {action} it{because}."),
        )
        .with_hint(platform::BLOCKED_HINT)
        .with_action(Action::RunOutsideContainer),
        Cause::QuotaFull => Error::new(
            ErrorCode::KeychainUnavailable,
            format!("The kernel keyring's quota for your user is full, so LakeKey could not {action} it."),
        )
        .with_hint("Each user may keep 20000 bytes of keys by default. Sign out of profiles you no longer use, or raise /proc/sys/kernel/keys/maxbytes (as root).")
        .with_action(Action::SignOutUnused),
        Cause::TooLong => Error::internal(format!("The credential is too large for this keychain, so LakeKey could not {action} it{because}.")),
        Cause::Other => Error::internal(format!("The keychain refused the request to {action} it{because}.")),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use super::Cause;
    use linux_keyutils::KeyError;
    use secret_service::Error as SsError;

    /// The causes behind `NoStorageAccess`: the Secret Service's locked items, dismissed prompts
    /// and missing default collection; the kernel refusing key calls.
    pub fn no_access(inner: &(dyn std::error::Error + 'static)) -> Option<Cause> {
        if let Some(e) = inner.downcast_ref::<SsError>() {
            return Some(match e {
                SsError::Locked => Cause::Locked,
                SsError::Prompt | SsError::PromptDisconnected => Cause::PromptDismissed,
                SsError::NoResult => Cause::NoDefaultCollection,
                _ => Cause::Locked,
            });
        }
        inner.downcast_ref::<KeyError>().map(kernel)
    }

    pub fn failure(inner: &(dyn std::error::Error + 'static)) -> Option<Cause> {
        if let Some(e) = inner.downcast_ref::<SsError>() {
            return Some(match e {
                SsError::Crypto(_) => Cause::Unreadable("it does not decrypt"),
                SsError::Locked => Cause::Locked,
                SsError::Prompt | SsError::PromptDisconnected => Cause::PromptDismissed,
                SsError::NoResult => Cause::NoDefaultCollection,
                SsError::Unavailable => Cause::Unavailable,
                SsError::Zbus(z) => zbus_cause(z),
                SsError::ZbusFdo(f) => fdo_cause(f),
                _ => Cause::Transport,
            });
        }
        inner.downcast_ref::<KeyError>().map(kernel)
    }

    fn zbus_cause(e: &zbus::Error) -> Cause {
        match e {
            zbus::Error::MethodError(name, _, _) => named(name.as_str()),
            zbus::Error::FDO(f) => fdo_cause(f),
            // No bus to connect to at all.
            zbus::Error::Address(_) | zbus::Error::Connection(..) | zbus::Error::Unsupported => Cause::Unavailable,
            _ => Cause::Transport,
        }
    }

    fn fdo_cause(e: &zbus::fdo::Error) -> Cause {
        match e {
            zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_) => Cause::Unavailable,
            _ => Cause::Transport,
        }
    }

    fn named(name: &str) -> Cause {
        match name {
            "org.freedesktop.Secret.Error.IsLocked" => Cause::Locked,
            "org.freedesktop.DBus.Error.ServiceUnknown" | "org.freedesktop.DBus.Error.NameHasNoOwner" => Cause::Unavailable,
            _ => Cause::Transport,
        }
    }

    fn kernel(e: &KeyError) -> Cause {
        match e {
            KeyError::QuotaExceeded => Cause::QuotaFull,
            KeyError::AccessDenied | KeyError::PermissionDenied | KeyError::OperationNotSupported => Cause::KernelBlocked,
            // ENOSYS: the call is filtered out (Podman's default profile does this to add_key).
            KeyError::Unknown(38) => Cause::KernelBlocked,
            _ => Cause::Other,
        }
    }

    pub const LOCKED_HINT: &str = "Unlock your login keyring (log in to the desktop session, or use Seahorse / `gnome-keyring-daemon --unlock`), then try again. Without a desktop session, use the kernel keyring instead: LAKEKEY_KEYCHAIN=kernel (or `keychain = \"kernel\"` in profiles.toml).";
    pub const PROMPT_HINT: &str = "Run the command again and unlock the keychain when it asks. Where no prompt can be shown (no display: SSH, a notebook server), unlock it with `gnome-keyring-daemon --unlock`, or use the kernel keyring: LAKEKEY_KEYCHAIN=kernel.";
    pub const NO_DEFAULT_HINT: &str = "Create a default keyring: in Passwords and Keys (Seahorse), add a keyring and set it as the default; or keep secrets in the kernel keyring: LAKEKEY_KEYCHAIN=kernel.";
    pub const UNAVAILABLE_HINT: &str = "LakeKey keeps secrets only in a keychain, never in a file: a Secret Service (GNOME Keyring, KWallet, KeePassXC) on the D-Bus session bus, or the kernel keyring (LAKEKEY_KEYCHAIN=kernel, or `keychain = \"kernel\"` in profiles.toml).";
    pub const BLOCKED_HINT: &str = "LakeKey keeps secrets only in a keychain, never in a file. Allow the key calls (run the container with a seccomp profile that permits keyctl and add_key, e.g. `--security-opt seccomp=unconfined` or a copy of the default profile with them allowed), or run LakeKey outside the container (on the host) and pass the token in.";
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use super::Cause;

    pub fn no_access(_inner: &(dyn std::error::Error + 'static)) -> Option<Cause> {
        None
    }

    pub fn failure(_inner: &(dyn std::error::Error + 'static)) -> Option<Cause> {
        None
    }

    pub const LOCKED_HINT: &str = "Unlock the keychain and allow LakeKey to use it, then try again.";
    pub const NO_DEFAULT_HINT: &str = "Create a default keychain for your user, then try again.";
    pub const PROMPT_HINT: &str = "Run the command again and unlock the keychain when it asks.";
    pub const UNAVAILABLE_HINT: &str = "LakeKey keeps secrets only in the OS keychain; make sure it is available for your user.";
    pub const BLOCKED_HINT: &str = UNAVAILABLE_HINT;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_and_unavailable_keychains_get_their_own_codes() {
        let locked = keychain_error(keyring_core::Error::NoStorageAccess("collection is locked".into()), "read");
        assert_eq!(locked.code(), ErrorCode::KeychainLocked);
        assert!(locked.message().contains("collection is locked"));
        let gone = keychain_error(keyring_core::Error::NoDefaultStore, "connect to");
        assert_eq!(gone.code(), ErrorCode::KeychainUnavailable);
        assert!(gone.hint().is_some());
        let unreadable = keychain_error(keyring_core::Error::BadEncoding(b"s3cret\xff".to_vec()), "read");
        assert_eq!(unreadable.code(), ErrorCode::SignInRequired);
        assert!(!unreadable.message().contains("s3cret"), "the payload may be a secret: {}", unreadable.message());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn secret_service_failures_are_told_apart_by_their_values() {
        use secret_service::Error as Ss;
        let no_access = |e: Ss| keychain_error(keyring_core::Error::NoStorageAccess(Box::new(e)), "read");
        let failure = |e: Ss| keychain_error(keyring_core::Error::PlatformFailure(Box::new(e)), "read");
        // No default collection is not a locked keychain: unlocking would not help.
        let no_default = no_access(Ss::NoResult);
        assert_eq!(no_default.code(), ErrorCode::KeychainUnavailable);
        assert!(no_default.message().contains("no default keyring"), "{}", no_default.message());
        assert_eq!(no_access(Ss::Locked).code(), ErrorCode::KeychainLocked);
        let dismissed = no_access(Ss::Prompt);
        assert_eq!(dismissed.code(), ErrorCode::KeychainLocked);
        assert!(dismissed.message().contains("dismissed or could not be shown"));
        // An item that does not decrypt is that item's problem, not a missing keychain.
        let crypto = failure(Ss::Crypto("message decryption failed"));
        assert_eq!(crypto.code(), ErrorCode::SignInRequired);
        assert!(!crypto.hint().unwrap().contains("DBUS_SESSION_BUS_ADDRESS"));
        assert_eq!(failure(Ss::Unavailable).code(), ErrorCode::KeychainUnavailable);
        assert_eq!(classify(&keyring_core::Error::PlatformFailure(Box::new(Ss::Unavailable))), Cause::Unavailable);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_keyring_failures_name_the_way_out() {
        use linux_keyutils::KeyError;
        let blocked = keychain_error(keyring_core::Error::NoStorageAccess(Box::new(KeyError::PermissionDenied)), "read");
        assert_eq!(blocked.code(), ErrorCode::KeychainUnavailable);
        assert!(blocked.message().contains("seccomp") && blocked.hint().unwrap().contains("keyctl"), "{blocked:?}");
        let full = keychain_error(keyring_core::Error::PlatformFailure(Box::new(KeyError::QuotaExceeded)), "save");
        assert!(full.message().contains("quota"), "{full:?}");
    }
}
