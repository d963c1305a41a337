//! LakeKey's keychain (the Secret Service through keyring-rs's zbus store) against the reference
//! client (libsecret's `secret-tool`) on the same gnome-keyring: each reads what the other wrote,
//! so the encrypted transfer and the item attributes (`service`, `username`) follow the standard,
//! and items written by earlier LakeKey versions are still read.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use support::*;

const EXAMPLE: &str = "https://acme.example.com/api/accounts/e1";

fn jwt(subject: &str) -> String {
    unsigned_jwt(&format!(r#"{{"exp":4102444800,"sub":"{subject}"}}"#))
}

fn secret_tool_lookup(profile: &str) -> Option<String> {
    let out = Command::new("secret-tool").args(["lookup", "service", "lakekey", "username", profile]).output().unwrap();
    out.status.success().then(|| String::from_utf8(out.stdout).unwrap())
}

fn secret_tool_store(profile: &str, secret: &str) {
    let mut child = Command::new("secret-tool")
        .args(["store", "--label=written by secret-tool", "service", "lakekey", "username", profile])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(secret.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn libsecret_reads_what_lakekey_stored_and_lakekey_reads_what_libsecret_stored() {
    let user = User::new();
    let (ours, theirs) = (unique("interop-ours"), unique("interop-theirs"));
    for profile in [&ours, &theirs] {
        user.run(&["profile", "add", profile, "--base-url", EXAMPLE, "--method", "token"]).ok();
    }
    user.paste_token(&ours, &jwt("U")).ok();

    // What LakeKey encrypted for the keychain, decrypted by libsecret: the credential in
    // LakeKey's one-item format, holding the token.
    let stored = secret_tool_lookup(&ours).expect("secret-tool finds LakeKey's item");
    assert!(stored.starts_with("lakekey-v1 "), "{stored}");
    assert!(stored.contains(&jwt("U")), "{stored}");

    // The same credential written by libsecret under another profile: LakeKey decrypts it.
    secret_tool_store(&theirs, &stored);
    assert_eq!(user.run(&["token", "--profile", &theirs]).ok().stdout.trim(), jwt("U"));

    // A sign-out removes the item, whoever wrote it.
    for profile in [&ours, &theirs] {
        user.run(&["logout", "--profile", profile, "--local-only"]).ok();
        assert_eq!(secret_tool_lookup(profile), None, "{profile}");
    }
}

#[test]
fn a_token_replaced_through_lakekey_leaves_one_item() {
    let user = User::new();
    let profile = unique("interop-replace");
    user.run(&["profile", "add", &profile, "--base-url", EXAMPLE, "--method", "token"]).ok();
    for subject in ["first", "second"] {
        user.paste_token(&profile, &jwt(subject)).ok();
    }
    assert_eq!(keychain_items(&profile), vec![profile.clone()], "replaced in place, not duplicated");
    assert!(secret_tool_lookup(&profile).unwrap().contains(&jwt("second")));
    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
}

#[test]
fn logout_keeps_a_record_it_cannot_read_until_told_to_forget_it() {
    let user = User::new();
    let profile = unique("interop-unreadable");
    user.run(&["profile", "add", &profile, "--base-url", EXAMPLE]).ok();
    secret_tool_store(&profile, "lakekey-v1 0badc0ffee 1\n{not the JSON LakeKey writes");

    user.run(&["logout", "--profile", &profile]).fails_with(3, "cannot revoke");
    assert!(secret_tool_lookup(&profile).is_some(), "the record is kept");
    user.run(&["status", "--profile", &profile]).fails_with(3, "unreadable");

    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
    assert_eq!(secret_tool_lookup(&profile), None);
}

#[test]
fn items_carry_lakekeys_label() {
    let user = User::new();
    let profile = unique("interop-label");
    user.run(&["profile", "add", &profile, "--base-url", EXAMPLE, "--method", "token"]).ok();
    user.paste_token(&profile, &jwt("U")).ok();
    let out = Command::new("secret-tool").args(["search", "--all", "service", "lakekey", "username", &profile]).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(listing.contains(&format!("label = LakeKey: {profile}")), "{listing}");
    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
}
