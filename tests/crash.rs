//! Crashes: `lakekey` killed with SIGKILL at each named step of a refresh and of a PAT import
//! (`LAKEKEY_CRASH_AT`, src/crash_point.rs). Afterwards the store is never half-written: the next
//! call gives a whole token or says "sign in again" (exit 3), exactly as each step predicts, and a
//! sign-out leaves no item behind, not even chunks of a save that never finished.
//!
//! The window that cannot be closed: the IdP rotated the refresh token but the process died before
//! the keychain switch (`refresh.answered` up to `keychain.chunks_written`). The stored refresh
//! token is then spent; oidc-provider, like real providers, revokes the whole grant when it is used
//! again, so the next call says "sign in again". RELIABILITY.md gives the window's size.
//!
//! Unix only: it kills processes with signals and reads exit signals.

#![cfg(unix)]

mod support;

use std::os::unix::process::ExitStatusExt;
use support::*;

/// (step, exit code of the next call) for a refresh: before the IdP answers nothing has changed;
/// between its answer and the switch the stored refresh token is spent (the residual window);
/// after the switch the new session is in place. A session fits one chunk, so
/// `keychain.first_chunk_written` is never reached here.
const REFRESH_STEPS: [(&str, i32); 5] =
    [("refresh.locked", 0), ("refresh.answered", 3), ("keychain.chunks_written", 3), ("keychain.switched", 0), ("saved", 0)];

/// The same for a PAT import, whose credential (key + JWT) spans several chunks at the Windows
/// size, so every keychain step is reached: nothing is readable until the switch.
const PAT_STEPS: [(&str, i32); 6] = [
    ("pat.signed", 3),
    ("pat.validated", 3),
    ("keychain.first_chunk_written", 3),
    ("keychain.chunks_written", 3),
    ("keychain.switched", 0),
    ("saved", 0),
];

/// Runs `lakekey` until it kills itself at `step`; fails the test if it never got there. Its
/// clock runs 5 s ahead, so a 2 s token is due for renewal.
fn crash_at(user: &User, step: &str, args: &[&str]) {
    // At the Windows chunk size, so a credential spans several items and every keychain step exists.
    let out = user
        .cmd(args)
        .env("LAKEKEY_CRASH_AT", step)
        .env("LAKEKEY_KEYCHAIN_CHUNK_BYTES", "1000")
        .env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(9), "`{step}` was never reached: {:?}", Run::from(out));
}

/// The next `token` call after a crash: 0 with one whole token, or 3 with "sign in".
fn next_token(user: &User, profile: &str) -> i32 {
    let next = user.run(&["token", "--profile", profile, "--min-valid", "0"]);
    match next.code {
        0 => assert_eq!(next.stdout.lines().count(), 1, "a whole token: {next:?}"),
        3 => assert!(next.stderr.contains("sign in") || next.stderr.contains("Sign in"), "{next:?}"),
        _ => panic!("after a crash: {next:?}"),
    }
    next.code
}

#[test]
fn a_refresh_killed_at_each_step_leaves_a_working_or_clearly_expired_sign_in() {
    // Access tokens live 2 s, so each step's follow-up call has to refresh.
    let idp = Idp::start(&["--interval", "1", "--access-ttl", "2"]);
    let user = User::new();
    let profile = unique("crash-refresh");
    user.add_device_profile(&profile, &idp);
    let mut outcomes = Vec::new();
    for (step, want) in REFRESH_STEPS {
        if user.run(&["token", "--profile", &profile, "--min-valid", "0"]).code != 0 {
            user.login(&profile, Approval::Approve).0.ok();
        }
        crash_at(&user, step, &["token", "--profile", &profile]);
        // Whatever is stored has expired by now, so the next call must use the refresh token.
        std::thread::sleep(std::time::Duration::from_secs(3));
        let got = next_token(&user, &profile);
        outcomes.push((step, got));
        assert_eq!(got, want, "next call after a crash at `{step}`");
    }
    eprintln!("refresh killed at (step, next exit code): {outcomes:?}");
    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
    assert_eq!(keychain_items(&profile), Vec::<String>::new(), "sign-out leaves nothing behind");
}

#[test]
fn a_pat_import_killed_at_each_step_leaves_all_or_nothing() {
    let idp = Idp::start(&[]);
    let user = User::new();
    let pem = fixture("test-key.pem");
    for (step, want) in PAT_STEPS {
        let profile = unique("crash-pat");
        user.run(&["profile", "add", &profile, "--base-url", &idp.base_url, "--method", "pat", "--org-id", "acme"]).ok();
        let import = ["pat", "import", "--profile", &profile, "--pat", "pat-crash-0001", "--pem", pem.to_str().unwrap(), "--username", "U", "--no-validate"];
        crash_at(&user, step, &import);
        assert_eq!(next_token(&user, &profile), want, "next call after a crash at `{step}`");
        // Importing again always works, whatever the crash left, and its save sweeps the chunks
        // of the generation that never switched: only the new record's items remain.
        let left = keychain_items(&profile);
        user.cmd(&import).env("LAKEKEY_KEYCHAIN_CHUNK_BYTES", "1000").output().map(Run::from).unwrap().ok();
        assert_eq!(next_token(&user, &profile), 0);
        let now = keychain_items(&profile);
        let generations: std::collections::BTreeSet<&str> =
            now.iter().filter_map(|item| item.split_once('#').map(|(_, rest)| rest.split('.').next().unwrap_or_default())).collect();
        assert!(generations.len() <= 1, "after a crash at `{step}` (left: {left:?}), one generation remains: {now:?}");
        user.run(&["logout", "--profile", &profile, "--local-only"]).ok();
        assert_eq!(keychain_items(&profile), Vec::<String>::new(), "after a crash at `{step}`, sign-out leaves nothing behind");
    }
}

#[test]
fn every_crash_point_is_exercised() {
    // A step added to the engine fails here until one of the tests above kills at it.
    let tested: std::collections::BTreeSet<&str> = REFRESH_STEPS.iter().chain(&PAT_STEPS).map(|(step, _)| *step).collect();
    let all: std::collections::BTreeSet<&str> = lakekey::crash_point::STEPS.into_iter().collect();
    assert_eq!(tested, all);
}
