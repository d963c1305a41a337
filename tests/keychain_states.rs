//! Keychain states no LakeKey save leaves behind, but other programs (or damage) can: an item that
//! is not in LakeKey's format, one whose secret is not text, and a second item under the same
//! service and user (Python's `keyring.set_password("lakekey", NAME, ...)` makes exactly that).
//! Each is made on the real keychain from outside LakeKey (`secret-tool`, or `keyctl` for the
//! kernel keyring); then every command behaves: `token` says what is wrong and names commands that
//! work, `logout` keeps what it cannot revoke, `logout --local-only` removes every item and says
//! so, and a new sign-in replaces what it cannot read, after saying so.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use support::*;

/// Stores `secret` under the profile's name as another program would.
fn foreign_item(profile: &str, secret: &[u8], extra_attribute: bool) {
    #[cfg(windows)]
    {
        // Another program's credential at the target name LakeKey uses: `{profile}.lakekey`.
        let _ = extra_attribute;
        use keyring_core::api::CredentialStoreApi;
        let store = windows_native_keyring_store::Store::new().unwrap();
        store.build("lakekey", profile, None).unwrap().set_secret(secret).unwrap();
        return;
    }
    #[allow(unreachable_code)]
    let mut cmd = match store() {
        Store::SecretService => {
            let mut c = Command::new("secret-tool");
            c.args(["store", "--label", "not LakeKey's", "service", "lakekey", "username", profile]);
            if extra_attribute {
                // Python's keyring library adds this attribute: a second item, not a replacement.
                c.args(["application", "Python keyring library"]);
            }
            c
        }
        Store::Kernel => {
            let mut c = Command::new("keyctl");
            c.args(["padd", "user", &format!("keyring:{profile}@lakekey"), "@s"]);
            c
        }
        Store::CredentialManager => unreachable!("written through the store above"),
    };
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(secret).unwrap();
    assert!(child.wait().unwrap().success(), "could not store the foreign item");
}

/// A profile for pasted tokens (no identity provider needed), in the given state.
fn profile_in_state(user: &User, state: &str) -> String {
    let profile = unique(&format!("state-{state}"));
    user.run(&["profile", "add", &profile, "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "token"]).ok();
    match state {
        "foreign" => foreign_item(&profile, b"written by some other program", false),
        "binary" => foreign_item(&profile, &[0xff, 0xfe, 0x01], false),
        "duplicate" => {
            user.paste_token(&profile, &valid_token()).ok();
            foreign_item(&profile, b"a second item under the same name", true);
        }
        other => panic!("no state {other}"),
    }
    profile
}

fn valid_token() -> String {
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    unsigned_jwt(&format!(r#"{{"sub":"ANALYST","exp":{exp}}}"#))
}

fn states() -> Vec<&'static str> {
    match store() {
        // One kernel keyring holds one key per description, and Credential Manager one
        // credential per target name: no duplicates there.
        Store::Kernel | Store::CredentialManager => vec!["foreign", "binary"],
        Store::SecretService => vec!["foreign", "binary", "duplicate"],
    }
}

#[test]
fn unreadable_items_are_explained_and_every_command_named_works() {
    let user = User::new();
    for state in states() {
        let profile = profile_in_state(&user, state);
        let read = user.run(&["token", "--profile", &profile]).fails_with(3, "cannot be read");
        let hint = format!("logout --profile {profile} --local-only");
        assert!(read.stderr.contains(&hint) && read.stderr.contains(&format!("login --profile {profile}")), "{state}: {read:?}");
        assert!(!read.stderr.contains("DBUS_SESSION_BUS_ADDRESS"), "{state}: the keychain works; the item does not: {read:?}");

        // Nothing is forgotten that could not be revoked...
        user.run(&["logout", "--profile", &profile]).fails_with(3, "cannot revoke");
        assert!(!keychain_items(&profile).is_empty(), "{state}: kept");
        // ... unless asked: then everything goes, and the user is told what.
        let out = user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
        assert!(out.stdout.contains("removed") && out.stdout.contains("unreadable"), "{state}: {out:?}");
        assert_eq!(keychain_items(&profile), Vec::<String>::new(), "{state}: every item is gone");

        // A new sign-in replaces what it cannot read, and says so.
        let profile = profile_in_state(&user, state);
        let token = valid_token();
        let signed_in = user.paste_token(&profile, &token).ok();
        assert!(signed_in.stderr.contains("could not be read") && signed_in.stderr.contains("removed it"), "{state}: {signed_in:?}");
        assert_eq!(user.run(&["token", "--profile", &profile]).ok().stdout.trim(), token);
        assert_eq!(keychain_items(&profile), vec![profile.clone()], "{state}: one item, LakeKey's");
        user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
    }
}

#[test]
fn status_says_where_secrets_are_kept() {
    let user = User::new();
    let profile = unique("state-status");
    user.run(&["profile", "add", &profile, "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "token"]).ok();
    let signed_in = user.paste_token(&profile, &valid_token()).ok();
    let status = user.run(&["status", "--profile", &profile, "--json"]).ok().json();
    let all = user.run(&["status"]).ok();
    match store() {
        Store::Kernel => {
            assert_eq!(status["store"], "kernel");
            assert!(all.stdout.contains("secrets in the Linux kernel keyring (kept until restart)"), "{all:?}");
            // Said when a sign-in is stored there: where, for how long, who can read it.
            assert!(signed_in.stderr.contains("kernel keyring") && signed_in.stderr.contains("until the machine restarts"), "{signed_in:?}");
        }
        Store::SecretService => {
            assert_eq!(status["store"], "secret-service");
            assert!(all.stdout.contains("secrets in the desktop keychain"), "{all:?}");
            assert!(!signed_in.stderr.contains("kernel"), "{signed_in:?}");
        }
        Store::CredentialManager => {
            assert_eq!(status["store"], "credential-manager");
            assert!(all.stdout.contains("secrets in Windows Credential Manager"), "{all:?}");
        }
    }
    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
}
