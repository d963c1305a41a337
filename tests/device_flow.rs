//! The device flow end to end: the `lakekey` binary against a real OpenID provider (oidc-provider)
//! and the real keychain (gnome-keyring), as a user would run it.

mod support;

use serde_json::Value;
use std::time::Duration;
use support::*;

/// `lakekey exec` running the shell's own command that prints what the command was handed.
fn print_token_and_url(profile: &str) -> Vec<&str> {
    if cfg!(windows) {
        vec!["exec", "--profile", profile, "--", "cmd", "/c", "echo %LAKEKEY_TOKEN% %LAKEKEY_BASE_URL%"]
    } else {
        vec!["exec", "--profile", profile, "--", "sh", "-c", "printf '%s %s' \"$LAKEKEY_TOKEN\" \"$LAKEKEY_BASE_URL\""]
    }
}

fn event_names(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["event"].as_str().unwrap().to_string()).collect()
}

/// A test IdP, a CLI user with their own config, and a device profile for that IdP.
fn setup(idp_args: &[&str], prefix: &str) -> (Idp, User, String) {
    let idp = Idp::start(idp_args);
    let user = User::new();
    let profile = unique(prefix);
    user.add_device_profile(&profile, &idp);
    (idp, user, profile)
}

/// The same, signed in through the device flow.
fn signed_in(idp_args: &[&str], prefix: &str) -> (Idp, User, String) {
    let (idp, user, profile) = setup(idp_args, prefix);
    user.login(&profile, Approval::Approve).0.ok();
    (idp, user, profile)
}

#[test]
fn sign_in_then_token_status_and_sign_out() {
    let (idp, user, profile) = setup(&["--interval", "1"], "device");

    let (run, events) = user.login(&profile, Approval::Approve);
    assert_eq!(run.code, 0, "{run:?} {events:?}");
    let names = event_names(&events);
    assert_eq!(names.first().map(String::as_str), Some("code"));
    assert_eq!(names.last().map(String::as_str), Some("signed_in"));
    assert_eq!(events[0]["interval"], 1);
    assert!(events[0]["user_code"].as_str().unwrap().len() >= 8);

    // The secrets are in the real keychain, under the service name `lakekey`.
    assert!(!keychain_items(&profile).is_empty(), "secret-tool finds the profile's item");
    // ... and not in the config directory.
    let config = std::fs::read_to_string(user.config.path().join("profiles.toml")).unwrap();
    assert!(!config.contains("token"), "{config}");

    let token = user.run(&["token", "--profile", &profile]).ok().stdout;
    assert!(token.ends_with('\n') && token.trim().len() > 20, "{token:?}");
    assert_eq!(token.lines().count(), 1);
    let again = user.run(&["token", "--profile", &profile]).ok().stdout;
    assert_eq!(token, again, "a fresh token is reused");

    let status = user.run(&["status", "--profile", &profile, "--json"]).ok().json();
    assert_eq!(status["signed_in"], true);
    assert_eq!(status["can_refresh"], true);
    assert!(status["expires_in"].as_i64().unwrap() > 500);
    assert!(!status.to_string().contains(token.trim()), "status never shows the token");

    let out = user.run(&print_token_and_url(&profile)).ok();
    assert_eq!(out.stdout.trim_end(), format!("{} {}", token.trim(), idp.base_url));

    let out = user.run(&["logout", "--profile", &profile]).ok();
    assert!(out.stdout.contains("revoked"), "{out:?}");
    assert_eq!(idp.stats()["revocations"], 1);
    assert!(keychain_items(&profile).is_empty(), "sign-out removes every item");
    user.run(&["token", "--profile", &profile]).fails_with(3, "not signed in");
}

#[test]
fn refresh_rotates_the_refresh_token_and_the_session_survives() {
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "30"], "refresh");
    let first = user.run(&["token", "--profile", &profile, "--min-valid", "0"]).ok().stdout;
    // 16 s later 14 s are left: less than half of its 30 s, so the next call refreshes, which
    // rotates the refresh token.
    idp.control(serde_json::json!({ "accessTtl": 3600 }));
    let second = user.run_later(16, &["token", "--profile", &profile]).ok().stdout;
    assert_ne!(first, second);
    // 59 min on, less than the 60 s asked for is left of the hour-long token: another refresh,
    // with the rotated token. Had the old one been reused, the provider would have revoked the
    // whole grant.
    idp.control(serde_json::json!({ "accessTtl": 7200 }));
    let third = user.run_later(16 + 3541, &["token", "--profile", &profile]).ok().stdout;
    assert_ne!(second, third);
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert_eq!(refreshes.len(), 2);
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no reuse of an old refresh token: {refreshes:?}");
    // Asking for more than any token gives is no reason to renew one that was just issued: it is
    // handed out with a note on stderr, since nothing fresher can be had.
    let longest = user.run_later(16 + 3541, &["token", "--profile", &profile, "--min-valid", "99999"]).ok();
    assert!(longest.stderr.contains("less than the 99999 s asked for") && longest.stderr.contains("live only 7200 s"), "{longest:?}");
    assert_eq!(longest.stdout, third);
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), 2, "no refresh for a token that has most of its life left");
}

#[test]
fn concurrent_processes_share_one_refresh() {
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "30"], "race");
    // Later tokens live an hour, so the first refresh satisfies everyone who waited for it. The
    // IdP holds each refresh answer back 300 ms, so every other process arrives while it is in
    // flight (the grant has already rotated then: a second refresh would be a reuse).
    idp.control(serde_json::json!({ "accessTtl": 3600, "refreshDelayMs": 300 }));
    const ROUNDS: u64 = 8;
    for round in 0..ROUNDS {
        // Each round's clock is where the token the round before got has less than 60 s left.
        let later = (16 + round * 3541).to_string();
        let children: Vec<_> = (0..10)
            .map(|_| {
                user.cmd(&["token", "--profile", &profile])
                    .env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", &later)
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<String> = children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                assert!(out.status.success(), "{out:?}");
                String::from_utf8(out.stdout).unwrap()
            })
            .collect();
        assert!(outputs.iter().all(|o| o == &outputs[0]), "every caller gets the same token: {outputs:?}");
        let refreshes = idp.stats()["refreshes"].as_array().unwrap().len() as u64;
        assert_eq!(refreshes, round + 1, "exactly one refresh per round reached the IdP");
    }
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert_eq!(refreshes.len() as u64, ROUNDS, "one refresh per round: {refreshes:?}");
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no refresh token was reused: {refreshes:?}");
    user.run(&["status", "--profile", &profile]).ok();
}

#[test]
fn an_identity_provider_issuing_10_second_tokens_is_asked_once_per_half_lifetime() {
    // No token can be valid for the default 60 s. Each one is renewed once half its life is gone,
    // not on every call: a script calling `lakekey token` in a loop costs the IdP one refresh per
    // 5 s, not one per call.
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "10"], "short");
    let run = user.run(&["token", "--profile", &profile]).ok();
    assert_eq!(run.stdout.lines().count(), 1, "just the token on stdout: {run:?}");
    assert!(run.stderr.contains("less than the 60 s asked for") && run.stderr.contains("live only 10 s"), "{run:?}");
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), 0, "a token just obtained is handed out");

    let started = std::time::Instant::now();
    let mut calls = 0;
    while started.elapsed() < Duration::from_secs(12) {
        let out = user.run(&["token", "--profile", &profile]).ok();
        assert_eq!(out.stdout.lines().count(), 1);
        calls += 1;
    }
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    let bound = 12 / 5 + 1;
    assert!(refreshes.len() <= bound, "{} refreshes for {calls} calls in 12 s: at most one per 5 s ({bound})", refreshes.len());
    assert!(!refreshes.is_empty(), "tokens were renewed");
    assert!(calls > refreshes.len() * 3, "most calls were answered without a refresh ({calls} calls)");

    let out = user.run(&print_token_and_url(&profile)).ok();
    assert_eq!(out.stdout.trim_end().lines().count(), 1);

    // Processes asking at once each get an unexpired token, none reuses a spent refresh token,
    // and they cause at most one refresh between them.
    let before = idp.stats()["refreshes"].as_array().unwrap().len();
    let children: Vec<_> = (0..5)
        .map(|_| user.cmd(&["token", "--profile", &profile, "--min-valid", "30"]).stdout(std::process::Stdio::piped()).spawn().unwrap())
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).lines().count() == 1, "{out:?}");
    }
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert!(refreshes.len() - before <= 1, "five processes at once: at most one refresh ({})", refreshes.len() - before);
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no refresh token was reused: {refreshes:?}");
}

#[test]
fn a_valid_token_is_handed_out_when_its_renewal_fails() {
    let (mut idp, user, profile) = signed_in(&["--interval", "1"], "renewfail");
    let token = user.run(&["token", "--profile", &profile]).ok().stdout;
    idp.stop();
    // 545 s later 55 s of the 600 s token are left: due for the default 60 s, and the IdP is gone.
    // The token in hand is still valid, so it is the answer, with a note saying why no newer one.
    let out = user.run_later(545, &["token", "--profile", &profile]);
    assert_eq!((out.code, out.stdout.as_str()), (0, token.as_str()), "{out:?}");
    assert!(out.stderr.contains("could not renew the token") && out.stderr.contains("valid for"), "{out:?}");
    let json = user.run_later(545, &["--error-format", "json", "token", "--profile", &profile]).ok();
    let note: Value = serde_json::from_str(json.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(note["note"]["kind"], "renewal_failed", "{json:?}");
    // Once it has expired there is nothing to hand out: the network error, exit 5; nothing lost.
    user.run_later(601, &["token", "--profile", &profile]).fails_with(5, "token endpoint");
    assert_eq!(user.run(&["token", "--profile", &profile]).ok().stdout, token, "the sign-in is still stored");
}

#[test]
fn a_sign_in_finishing_while_a_sign_out_revokes_is_the_one_that_stays() {
    // Every write of a profile's credential holds its lock. Here a sign-out is revoking the old
    // sign-in (the IdP holds the answer 3 s) while a new sign-in is approved: the new one waits,
    // is saved after the sign-out removed the old one, and works. Without the lock, the sign-out
    // removed the new sign-in and left its refresh token unrevoked at the IdP.
    let (idp, user, profile) = signed_in(&["--interval", "1"], "race-login");
    let mut login = user.cmd(&["login", "--profile", &profile, "--json", "--no-browser"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(login.stdout.take().unwrap()));
    let code: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    idp.control(serde_json::json!({ "revokeDelayMs": 3000 }));
    let logout = user.cmd(&["logout", "--profile", &profile]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    // The sign-out holds the profile's lock once its revocation reached the IdP.
    assert!(wait_until(Duration::from_secs(20), || idp.stats()["revocations"] == 1), "the sign-out's revocation reached the IdP");
    approve_code(code["verification_uri_complete"].as_str().unwrap(), false);
    // Tokens asked for meanwhile: either the sign-in there is, or "sign in", nothing else.
    for _ in 0..3 {
        let out = user.run(&["token", "--profile", &profile]);
        assert!(out.code == 0 || out.code == 3, "{out:?}");
    }
    let logout = Run::from(logout.wait_with_output().unwrap()).ok();
    assert!(logout.stdout.contains("revoked"), "{logout:?}");
    let events: Vec<Value> = lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    assert!(login.wait().unwrap().success(), "{events:?}");
    assert_eq!(events.last().unwrap()["event"], "signed_in");
    let status = user.run(&["status", "--profile", &profile, "--json"]).ok().json();
    assert_eq!(status["signed_in"], true, "the new sign-in stayed: {status}");
    assert_eq!(idp.stats()["revocations"], 1, "only the old sign-in was revoked");
    // Its refresh token is the live one: a refresh with it succeeds.
    idp.control(serde_json::json!({ "revokeDelayMs": 0 }));
    user.run_later(545, &["token", "--profile", &profile]).ok();
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert!(refreshes.len() == 1 && refreshes[0]["status"] == 200, "{refreshes:?}");
}

#[test]
fn slow_down_adds_five_seconds_and_polls_never_come_early() {
    let (idp, user, profile) = setup(&["--interval", "1"], "slow");
    idp.control(serde_json::json!({ "slowDownPolls": 1 }));
    // Approve only after the slow_down was answered, so it is observed.
    let mut child = user.cmd(&["login", "--profile", &profile, "--json", "--no-browser"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut events = Vec::new();
    for line in std::io::BufRead::lines(stdout) {
        let event: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if event["event"] == "slow_down" {
            let url = events.iter().find_map(|e: &Value| e["verification_uri_complete"].as_str()).unwrap().to_string();
            approve_code(&url, false);
        }
        events.push(event);
    }
    assert!(child.wait().unwrap().success());
    let slow = events.iter().find(|e| e["event"] == "slow_down").expect("a slow_down event");
    assert_eq!(slow["interval"], 6);
    assert_eq!(events.last().unwrap()["event"], "signed_in");

    let polls = idp.stats()["polls"].as_array().unwrap().clone();
    let times: Vec<i64> = polls.iter().map(|p| p["at"].as_i64().unwrap()).collect();
    let slow_at = polls.iter().position(|p| p["error"] == "slow_down").unwrap();
    for (i, pair) in times.windows(2).enumerate() {
        let expected_ms = if i >= slow_at { 6000 } else { 1000 };
        // A lower bound only: the protocol forbids early polls; late ones are fine.
        assert!(pair[1] - pair[0] >= expected_ms - 50, "poll {} came after {} ms, interval {expected_ms} ms", i + 1, pair[1] - pair[0]);
    }
}

#[test]
fn denial_and_expiry_end_with_sign_in_exit_codes() {
    let (idp, user, profile) = setup(&["--interval", "1"], "deny");

    let (run, events) = user.login(&profile, Approval::Deny);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(events.last().unwrap()["code"], "access_denied");

    // Codes that live 3 s from now on: the denial above had all the time it needed.
    idp.control(serde_json::json!({ "deviceTtl": 3 }));
    let (run, events) = user.login(&profile, Approval::Nothing);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(events.last().unwrap()["code"], "code_expired");
    assert!(keychain_items(&profile).is_empty());
}

#[test]
fn a_dead_identity_provider_is_a_network_error_not_an_expired_code() {
    let (mut idp, user, profile) = setup(&["--interval", "1"], "dead");
    let mut child = user.cmd(&["login", "--profile", &profile, "--json", "--no-browser"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["event"], "code");
    idp.stop();
    let events: Vec<Value> = lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5));
    let last = events.last().unwrap();
    assert_eq!(last["code"], "network", "{events:?}");
    assert!(last["message"].as_str().unwrap().contains("token endpoint"), "{last}");
    assert!(events.iter().any(|e| e["event"] == "network_trouble"));
}

#[test]
fn ctrl_c_cancels_cleanly() {
    let (_idp, user, profile) = setup(&["--interval", "1"], "cancel");
    let mut child = user.cmd(&["login", "--profile", &profile, "--json", "--no-browser"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["event"], "code");
    // SIGINT, as Ctrl-C in a terminal sends.
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let events: Vec<Value> = lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(events.last().unwrap()["code"], "cancelled");
}

#[test]
fn a_real_browser_approves_the_code() {
    let (_idp, user, profile) = setup(&["--interval", "1"], "browser");
    let (run, events) = user.login(&profile, Approval::Browser);
    run.ok();
    assert_eq!(events.last().unwrap()["event"], "signed_in");
    assert!(wait_until(Duration::from_secs(5), || !keychain_items(&profile).is_empty()));
}

/// A stand-in program that records its arguments, one per line, in `log`.
#[cfg(unix)]
fn recording_stand_in(dir: &std::path::Path, name: &str, log: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n", log.display())).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `lakekey login` (text, browser allowed) in an environment made of `env`, approved from the
/// address it prints; returns what it printed.
#[cfg(unix)]
fn login_in(user: &User, profile: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = user.cmd(&["login", "--profile", profile]);
    cmd.env_clear().env("LAKEKEY_CONFIG_DIR", user.config.path()).env("HOME", user.config.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Ok(bus) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut printed = String::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap())) {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("(or open ").and_then(|l| l.strip_suffix(" directly)")) {
            approve_code(url, false);
        }
        printed.push_str(&line);
        printed.push('\n');
    }
    let out = child.wait_with_output().unwrap();
    Run { code: out.status.code().unwrap_or(-1), stdout: printed, stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

#[cfg(unix)]
#[test]
fn under_wsl_the_page_opens_in_windows_browser_and_over_ssh_nothing_waits_on_a_browser() {
    // WSL cannot run here: a stand-in `rundll32.exe` on PATH records how LakeKey calls it, with
    // the variable WSL sets for its processes.
    let (_idp, user, profile) = setup(&["--interval", "1"], "wsl");
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls");
    recording_stand_in(bin.path(), "rundll32.exe", &log);
    recording_stand_in(bin.path(), "xdg-open", &log);
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let out = login_in(&user, &profile, &[("PATH", &path), ("WSL_DISTRO_NAME", "Ubuntu")]).ok();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let url = out.stdout.lines().find_map(|l| l.strip_prefix("(or open ")?.strip_suffix(" directly)")).unwrap().to_string();
    assert_eq!(calls.lines().collect::<Vec<_>>(), ["url.dll,FileProtocolHandler", url.as_str()], "Windows' URL handler, given the address whole: {out:?}");
    user.run(&["logout", "--profile", &profile, "--local-only"]).ok();

    // Over SSH with no display: the address and code are printed, no browser is started.
    std::fs::remove_file(&log).ok();
    let out = login_in(&user, &profile, &[("PATH", &path), ("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")]).ok();
    assert!(out.stdout.contains("This is an SSH session with no display: open the address above on any device."), "{out:?}");
    assert!(!log.exists(), "no browser was started: {}", std::fs::read_to_string(&log).unwrap_or_default());
    assert!(out.stdout.contains("Signed in."), "{out:?}");
}

/// After a refresh that was cut short (a time limit, SIGTERM or SIGINT while the IdP held its
/// answer back), the next `token` needs no new sign-in, and the IdP saw no rotated refresh token
/// used twice: the cut-short process saved what the IdP had rotated before it ended.
/// `later`: a clock offset at which the token the cut-short refresh saved has expired.
fn assert_rotation_kept(idp: &Idp, user: &User, profile: &str, later: u64) {
    idp.control(serde_json::json!({ "refreshDelayMs": 0 }));
    let before = idp.stats()["refreshes"].as_array().unwrap().len();
    let after = user.run_later(later, &["token", "--profile", profile]).ok();
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), before + 1, "the saved refresh token was used");
    assert!(!after.stdout.trim().is_empty());
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no refresh token was reused: {refreshes:?}");
}

#[test]
fn a_time_limit_never_cuts_a_refresh_between_the_answer_and_the_save() {
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "600"], "limit-refresh");
    // The IdP rotates at once and answers 5 s later; the caller gave the command 2 s (time
    // enough to send the refresh on a loaded machine, far short of the answer).
    idp.control(serde_json::json!({ "refreshDelayMs": 5000 }));
    let out = user.cmd(&["token", "--profile", &profile, "--time-limit", "2"]).env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", "580").output().unwrap();
    assert!(matches!(out.status.code(), Some(0) | Some(7)), "{out:?}");
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), 1);
    assert_rotation_kept(&idp, &user, &profile, 1200);
    // Waiting for another process's lock is not a refresh: the limit ends it, exit 7, said so.
    let (stdout, stderr) = (std::process::Stdio::piped(), std::process::Stdio::piped());
    idp.control(serde_json::json!({ "refreshDelayMs": 3000 }));
    let before = idp.stats()["refreshes"].as_array().unwrap().len();
    let holder = user.cmd(&["token", "--profile", &profile]).env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", "1780").stdout(stdout).stderr(stderr).spawn().unwrap();
    // The holder has the lock once its refresh reached the IdP.
    assert!(wait_until(Duration::from_secs(20), || idp.stats()["refreshes"].as_array().unwrap().len() > before), "the holder's refresh reached the IdP");
    let waiter = Run::from(user.cmd(&["token", "--profile", &profile, "--time-limit", "1"]).env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", "1780").output().unwrap());
    let waiter = waiter.fails_with(7, "time limit");
    assert!(waiter.stdout.is_empty(), "{waiter:?}");
    assert!(holder.wait_with_output().unwrap().status.success());
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_during_a_refresh_wait_for_its_save() {
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "600"], "term-refresh");
    for (round, signal) in [(1u64, "-TERM"), (2, "-INT")] {
        idp.control(serde_json::json!({ "refreshDelayMs": 2500 }));
        let before = idp.stats()["refreshes"].as_array().unwrap().len();
        let later = (580 + (round - 1) * 1200).to_string();
        let child = user.cmd(&["token", "--profile", &profile]).env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", &later).stdout(std::process::Stdio::piped()).spawn().unwrap();
        assert!(wait_until(Duration::from_secs(20), || idp.stats()["refreshes"].as_array().unwrap().len() > before), "the refresh reached the IdP");
        assert!(std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
        let out = child.wait_with_output().unwrap();
        let expected = if signal == "-TERM" { 143 } else { 130 };
        assert_eq!(out.status.code(), Some(expected), "it ends as the signal says, after the save: {out:?}");
        assert_rotation_kept(&idp, &user, &profile, round * 1200);
    }
}

#[cfg(unix)]
fn this_host() -> String {
    let out = std::process::Command::new("hostname").output().expect("hostname runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[cfg(unix)]
#[test]
fn the_code_comes_with_who_asks_and_when_not_to_enter_it_and_never_reaches_a_log() {
    // RFC 10027 §6.1.14 and §6.1.2, in the CLI's words, with every log at trace level.
    let (idp, user, profile) = setup(&["--interval", "1"], "who-asks");
    let mut child = user
        .cmd(&["login", "--profile", &profile, "--no-browser"])
        .env("LAKEKEY_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut shown = String::new();
    for line in std::io::BufRead::lines(stdout) {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("(or open ").and_then(|l| l.strip_suffix(" directly)")) {
            approve_code(url, false);
        }
        shown.push_str(&line);
        shown.push('\n');
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{shown}");
    let asks = format!("LakeKey on {} asks to sign in to {} (profile {profile}), at the identity provider 127.0.0.1.", this_host(), idp.base_url);
    assert!(shown.contains(&asks), "{shown}");
    assert!(shown.contains("Enter this code only if you started this sign-in just now, on this machine. If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone."), "{shown}");
    assert!(shown.contains("The code expires in"), "{shown}");
    assert!(!shown.contains("Warning:"), "the page is on the identity provider's host: {shown}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "the log ran at trace level: {log}");
    let codes = idp.stats()["deviceCodes"].as_array().unwrap().clone();
    assert_eq!(codes.len(), 1);
    for key in ["user_code", "device_code"] {
        let code = codes[0][key].as_str().unwrap();
        assert!(!log.contains(code), "the {key} is in the trace log");
        assert!(key == "user_code" || !shown.contains(code), "the device code is never shown");
    }
}

#[test]
fn a_sign_in_page_on_another_host_than_the_identity_providers_is_called_out() {
    let (idp, user, profile) = setup(&["--interval", "1"], "page-host");
    idp.control(serde_json::json!({ "verificationHost": "localhost" }));
    let (run, events) = user.login(&profile, Approval::Approve);
    run.ok();
    let warning = events[0]["context"]["page_host_warning"].as_str().unwrap_or_default().to_string();
    assert!(warning.contains("localhost") && warning.contains("127.0.0.1"), "names both hosts: {events:?}");
    assert_eq!(events[0]["context"]["only_if"].as_str().unwrap().split(". ").next(), Some("Enter this code only if you started this sign-in just now, on this machine"));
}
