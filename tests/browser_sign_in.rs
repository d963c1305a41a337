//! The browser sign-in (authorization code with PKCE and a loopback redirect) against the real
//! test identity provider (oidc-provider, a native client allowed `http://127.0.0.1/callback` on
//! any port). A stand-in browser (tests/idp/browser.mjs), put where the OS looks up its URL
//! handler (`xdg-open` first on PATH), drives the provider's real login and consent pages and
//! follows the redirect. Each way an answer can be wrong ends with a clear error and nothing
//! stored.

#![cfg(target_os = "linux")]

mod support;

use serde_json::Value;
use support::*;

struct Browser {
    dir: tempfile::TempDir,
}

impl Browser {
    /// An `xdg-open` that starts the stand-in browser in the background, as a desktop would.
    fn new() -> Browser {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("xdg-open");
        let script = format!("#!/bin/sh\nnode '{}' \"$1\" >>\"$LAKEKEY_TEST_BROWSER_LOG.out\" 2>&1 &\n", host_path("tests/idp/browser.mjs").display());
        std::fs::write(&shim, script).unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        Browser { dir }
    }

    fn log(&self) -> std::path::PathBuf {
        self.dir.path().join("seen.jsonl")
    }

    /// `lakekey ARGS` on a desktop whose browser is the stand-in, acting as `mode` says.
    fn cmd(&self, user: &User, mode: &str, args: &[&str]) -> std::process::Command {
        let path = format!("{}:{}", self.dir.path().display(), std::env::var("PATH").unwrap_or_default());
        let mut cmd = user.cmd(args);
        cmd.env("PATH", path)
            .env("DISPLAY", ":0") // a desktop: a browser can be shown
            .env_remove("SSH_CONNECTION")
            .env_remove("SSH_TTY")
            .env("LAKEKEY_TEST_BROWSER", mode)
            .env("LAKEKEY_TEST_BROWSER_LOG", self.log());
        cmd
    }

    fn lakekey(&self, user: &User, mode: &str, args: &[&str]) -> Run {
        Run::from(self.cmd(user, mode, args).output().unwrap())
    }

    /// What the stand-in saw, once it has finished.
    fn seen(&self) -> Value {
        assert!(wait_until(std::time::Duration::from_secs(30), || std::fs::read_to_string(self.log()).is_ok_and(|t| !t.is_empty())), "the browser ran: {}", std::fs::read_to_string(self.log().with_extension("jsonl.out")).unwrap_or_default());
        let text = std::fs::read_to_string(self.log()).unwrap();
        std::fs::remove_file(self.log()).unwrap();
        serde_json::from_str(text.lines().last().unwrap()).unwrap()
    }
}

fn browser_profile(user: &User, idp: &Idp, name: &str) {
    user.run(&["profile", "add", name, "--base-url", &idp.base_url, "--org-id", "acme", "--idp", "custom", "--issuer", &idp.issuer, "--client-id", "lakekey-browser", "--method", "browser"]).ok();
}

#[test]
fn one_click_signs_in_by_the_book_and_the_token_renews_like_a_device_sign_in() {
    let idp = Idp::start(&["--access-ttl", "600"]);
    let (user, browser) = (User::new(), Browser::new());
    let profile = unique("browser");
    browser_profile(&user, &idp, &profile);
    let out = browser.lakekey(&user, "approve", &["login", "--profile", &profile]).ok();
    assert!(out.stdout.contains("Your browser opened 127.0.0.1 to sign in"), "{out:?}");
    let seen = browser.seen();
    let request: std::collections::HashMap<String, String> = url::Url::parse(seen["url"].as_str().unwrap()).unwrap().query_pairs().into_owned().collect();
    assert_eq!(request["code_challenge_method"], "S256");
    assert!(request["state"].len() >= 16 && request["code_challenge"].len() == 43, "{request:?}");
    assert!(request["redirect_uri"].starts_with("http://127.0.0.1:") && request["redirect_uri"].ends_with("/callback"));
    // Bound to loopback only, as the OS reports the listening socket.
    let listening = seen["listening"].as_str().unwrap();
    let port = url::Url::parse(&request["redirect_uri"]).unwrap().port().unwrap();
    let local: Vec<&str> = listening.lines().filter_map(|l| l.split_whitespace().nth(3)).collect();
    assert_eq!(local, vec![format!("127.0.0.1:{port}")], "one socket, on loopback only: {listening}");
    // The provider sent its issuer (RFC 9207), and the page holds no token.
    assert!(seen["answer_had"].as_array().unwrap().iter().any(|k| k == "iss"), "{seen}");
    let page = seen["callback_page"].as_str().unwrap();
    assert!(page.contains("You can close this window") && !page.contains("eyJ"), "{page}");
    assert_eq!(idp.stats()["codeExchanges"].as_array().unwrap().len(), 1, "the code is exchanged once");
    assert_eq!(idp.stats()["deviceRequests"], 0, "no device code: this was not a cross-device flow");

    // Stored and renewed like any sign-in: the provider accepts the token, and the refresh works.
    let token = user.run(&["token", "--profile", &profile]).ok().stdout.trim().to_string();
    assert!(idp.stats()["refreshes"].as_array().unwrap().is_empty());
    let renewed = user.run_later(590, &["token", "--profile", &profile]).ok().stdout.trim().to_string();
    assert_ne!(token, renewed);
    assert_eq!(idp.stats()["refreshes"][0]["status"], 200);
    let status = user.run(&["status", "--profile", &profile, "--json"]).ok().json();
    assert_eq!((status["method"].as_str(), status["signed_in"].as_bool()), (Some("browser"), Some(true)));
    user.run(&["logout", "--profile", &profile]).ok();
}

#[test]
fn a_wrong_or_incomplete_answer_ends_the_sign_in_and_nothing_is_stored() {
    let idp = Idp::start(&[]);
    let (user, browser) = (User::new(), Browser::new());
    for (mode, exit, says) in [
        ("wrong-state", 3, "does not belong to this sign-in"),
        ("no-code", 3, "carries no code"),
        ("other-iss", 3, "names another identity provider"),
        ("deny", 3, "declined"),
    ] {
        let profile = unique(mode);
        browser_profile(&user, &idp, &profile);
        let out = browser.lakekey(&user, mode, &["login", "--profile", &profile]).fails_with(exit, says);
        assert!(out.stderr.contains("stored nothing") || mode == "deny", "{mode}: {out:?}");
        let seen = browser.seen();
        assert!(seen["callback_page"].as_str().unwrap().contains("did not finish"), "{mode}: {seen}");
        assert_eq!(keychain_items(&profile), Vec::<String>::new(), "{mode}: nothing stored");
    }
    assert!(idp.stats()["codeExchanges"].as_array().unwrap().is_empty(), "no code was exchanged for an answer that failed its checks");
}

#[test]
fn the_listener_takes_one_request_and_closes() {
    let idp = Idp::start(&[]);
    let (user, browser) = (User::new(), Browser::new());
    let profile = unique("second");
    browser_profile(&user, &idp, &profile);
    browser.lakekey(&user, "second", &["login", "--profile", &profile]).ok();
    let seen = browser.seen();
    assert!(seen["second"].as_str().unwrap().starts_with("not answered"), "{seen}");
    assert_eq!(idp.stats()["codeExchanges"].as_array().unwrap().len(), 1);
}

#[test]
fn the_time_limit_ends_a_sign_in_nobody_finishes() {
    let idp = Idp::start(&[]);
    let (user, browser) = (User::new(), Browser::new());
    let profile = unique("walked-away");
    browser_profile(&user, &idp, &profile);
    let mut cmd = browser.cmd(&user, "never", &["login", "--profile", &profile]);
    cmd.env("LAKEKEY_TEST_SIGN_IN_LIMIT_SECS", "2");
    Run::from(cmd.output().unwrap()).fails_with(3, "not finished in time");
    assert_eq!(keychain_items(&profile), Vec::<String>::new());
}

#[test]
fn where_no_browser_can_open_the_device_flow_signs_in_and_says_so_once() {
    let idp = Idp::start(&["--interval", "1"]);
    let user = User::new();
    let profile = unique("no-display");
    // Its client (the IdP's default, acme-oaf-device) may use the device grant, for this fallback.
    user.run(&["profile", "add", &profile, "--base-url", &idp.base_url, "--org-id", "acme", "--idp", "custom", "--issuer", &idp.issuer, "--method", "browser"]).ok();
    let mut cmd = user.cmd(&["login", "--profile", &profile, "--json"]);
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").env("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22");
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut events = Vec::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap())) {
        let event: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if event["event"] == "code" {
            approve_code(event["verification_uri_complete"].as_str().unwrap(), false);
        }
        events.push(event);
    }
    assert!(child.wait().unwrap().success(), "{events:?}");
    let fallbacks: Vec<_> = events.iter().filter(|e| e["event"] == "fallback").collect();
    assert_eq!(fallbacks.len(), 1, "said once: {events:?}");
    assert!(fallbacks[0]["message"].as_str().unwrap().contains("SSH session"), "{events:?}");
    assert_eq!(events[1]["event"], "code");
    user.run(&["logout", "--profile", &profile]).ok();
}

#[test]
fn lakes_own_identity_provider_keeps_the_device_flow() {
    let user = User::new();
    user.run(&["profile", "add", "lake", "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "browser"]).fails_with(6, "device flow");
}

#[test]
fn ctrl_c_stops_a_browser_sign_in_cleanly() {
    let idp = Idp::start(&[]);
    let (user, browser) = (User::new(), Browser::new());
    let profile = unique("browser-cancel");
    browser_profile(&user, &idp, &profile);
    let mut child = browser.cmd(&user, "never", &["login", "--profile", &profile, "--json"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["event"], "browser", "{first}");
    let port = url::Url::parse(browser.seen()["redirect_uri"].as_str().unwrap()).unwrap().port().unwrap();
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let rest: Vec<Value> = lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(rest.last().unwrap()["code"], "cancelled", "{rest:?}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the listener is gone");
    assert_eq!(keychain_items(&profile), Vec::<String>::new());
}
