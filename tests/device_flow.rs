//! The device flow end to end: the `lakekey` binary against a real OpenID provider (oidc-provider)
//! and the real keychain (gnome-keyring), as a user would run it.

mod support;

use serde_json::Value;
use std::time::Duration;
use support::*;

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

    let out = user.run(&["exec", "--profile", &profile, "--", "sh", "-c", "printf '%s %s' \"$LAKEKEY_TOKEN\" \"$LAKEKEY_BASE_URL\""]).ok();
    assert_eq!(out.stdout, format!("{} {}", token.trim(), idp.base_url));

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

    // 30 s left is less than the 60 s asked for: a refresh, which rotates the refresh token.
    idp.control(serde_json::json!({ "accessTtl": 3600 }));
    let second = user.run(&["token", "--profile", &profile]).ok().stdout;
    assert_ne!(first, second);
    // Asking for more than the hour left forces another refresh, with the rotated token: had
    // the old one been reused, the provider would have revoked the whole grant.
    idp.control(serde_json::json!({ "accessTtl": 7200 }));
    let third = user.run(&["token", "--profile", &profile, "--min-valid", "3700"]).ok().stdout;
    assert_ne!(second, third);
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert_eq!(refreshes.len(), 2);
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no reuse of an old refresh token: {refreshes:?}");
    // Asking for more than any token gives: a refresh, and the new token is handed out with a
    // note on stderr, since nothing fresher can be had.
    let longest = user.run(&["token", "--profile", &profile, "--min-valid", "99999"]).ok();
    assert!(longest.stderr.contains("less than the 99999 s asked for") && longest.stderr.contains("live 7200 s"), "{longest:?}");
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), 3);
    assert_eq!(user.run(&["token", "--profile", &profile, "--min-valid", "0"]).ok().stdout, longest.stdout);
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
        if round > 0 {
            // Ask for more than the current token has left, so this round needs a refresh too,
            // and make the new token long enough to satisfy everyone who waited for it.
            idp.control(serde_json::json!({ "accessTtl": (round + 1) * 7200 }));
        }
        let min_valid = (60 + round * 7200).to_string();
        let children: Vec<_> = (0..10)
            .map(|_| user.cmd(&["token", "--profile", &profile, "--min-valid", &min_valid]).stdout(std::process::Stdio::piped()).spawn().unwrap())
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
fn an_identity_provider_issuing_10_second_tokens_still_gives_tokens() {
    // No token can be valid for the default 60 s: each one asked for is the freshest there is.
    let (idp, user, profile) = signed_in(&["--interval", "1", "--access-ttl", "10"], "short");
    let run = user.run(&["token", "--profile", &profile]).ok();
    assert_eq!(run.stdout.lines().count(), 1, "just the token on stdout: {run:?}");
    assert!(run.stderr.contains("less than the 60 s asked for") && run.stderr.contains("live 10 s"), "{run:?}");
    assert_eq!(idp.stats()["refreshes"].as_array().unwrap().len(), 1, "it refreshed first");
    let out = user.run(&["exec", "--profile", &profile, "--", "sh", "-c", "printf %s \"$LAKEKEY_TOKEN\""]).ok();
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out.stderr.contains("less than the 60 s asked for"), "{out:?}");

    // Processes asking at once each get an unexpired token, and none reuses a spent refresh
    // token: the ones that waited for another's refresh hand out its token.
    let children: Vec<_> = (0..5)
        .map(|_| user.cmd(&["token", "--profile", &profile, "--min-valid", "30"]).stdout(std::process::Stdio::piped()).spawn().unwrap())
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).lines().count() == 1, "{out:?}");
    }
    let refreshes = idp.stats()["refreshes"].as_array().unwrap().clone();
    assert!(refreshes.iter().all(|r| r["status"] == 200), "no refresh token was reused: {refreshes:?}");
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
    let (_idp, user, profile) = setup(&["--interval", "1", "--device-ttl", "3"], "deny");

    let (run, events) = user.login(&profile, Approval::Deny);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(events.last().unwrap()["code"], "access_denied");

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
