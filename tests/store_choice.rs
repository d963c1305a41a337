//! Where a profile's secrets go, and that every later process finds them there:
//! - a container that shares the host's user IDs (no user namespace of its own) gets no kernel
//!   keyring, since every other container of the same UID would share it; one with a user
//!   namespace of its own does;
//! - a sign-in kept by the Secret Service is named, never reported absent, from a process that
//!   cannot reach it, and signing out where it can be reached revokes and removes it;
//! - a Secret Service that fails mid-call is an error, never a switch to the kernel keyring.
//! Real namespaces (`unshare`, as root, as CI runs), a real session bus and gnome-keyring.

#![cfg(target_os = "linux")]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use support::*;

fn paste_token() -> String {
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    unsigned_jwt(&format!(r#"{{"sub":"ANALYST","exp":{exp}}}"#))
}

fn add_token_profile(user: &User, profile: &str) {
    user.run(&["profile", "add", profile, "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "token"]).ok();
}

/// Runs `command` with `stdin`, without this session's bus: as SSH, a notebook server or a
/// container would.
fn headless_run(mut command: Command, stdin: &str) -> Run {
    command.env_remove("DBUS_SESSION_BUS_ADDRESS").env_remove("XDG_RUNTIME_DIR").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("starts");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    Run::from(child.wait_with_output().unwrap())
}

/// `lakekey ARGS` in new namespaces made by `unshare FLAGS`.
fn in_namespaces(user: &User, flags: &[&str], args: &[&str], stdin: &str) -> Run {
    let mut command = Command::new("unshare");
    command.args(flags).arg("--").arg(lakekey_bin()).args(args).env("LAKEKEY_CONFIG_DIR", user.config.path()).env_remove("LAKEKEY_PROFILE");
    headless_run(command, stdin)
}

fn recorded_store(user: &User) -> String {
    std::fs::read_to_string(user.config.path().join("profiles.toml")).unwrap().lines().filter(|l| l.starts_with("store")).collect::<Vec<_>>().join("\n")
}

fn assert_root() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "namespaces without a user namespace need root: run the tests as root (scripts/test, as CI does)");
}

/// Mount, PID, network, UTS and IPC namespaces of their own: what Docker or a Kubernetes pod
/// gives a container that runs without user namespaces.
const CONTAINER: [&str; 6] = ["--mount", "--pid", "--fork", "--net", "--uts", "--ipc"];

#[test]
fn a_container_sharing_the_hosts_user_ids_keeps_nothing_in_the_kernel_keyring() {
    assert_root();
    let (tenant_a, tenant_b) = (User::new(), User::new());
    // Two tenants, the same UID, the same profile name (the organisation's, as by default).
    let profile = unique("tenant");
    for user in [&tenant_a, &tenant_b] {
        add_token_profile(user, &profile);
    }
    let auto = in_namespaces(&tenant_a, &CONTAINER, &["login", "--profile", &profile], &paste_token()).fails_with(4, "other container");
    assert!(auto.stderr.contains("user namespace") && auto.stderr.contains("lakekey exec"), "names the ways out: {auto:?}");
    // Asked for by name, the kernel keyring is refused just the same.
    let mut forced = Command::new("unshare");
    forced.args(CONTAINER).arg("--").arg(lakekey_bin()).args(["login", "--profile", &profile]);
    forced.env("LAKEKEY_CONFIG_DIR", tenant_b.config.path()).env("LAKEKEY_KEYCHAIN", "kernel");
    headless_run(forced, &paste_token()).fails_with(4, "other container");
    in_namespaces(&tenant_b, &CONTAINER, &["token", "--profile", &profile], "").fails_with(4, "other container");
    assert_eq!(kernel_keys(&profile), Vec::<String>::new(), "no key was added for either tenant");
    assert_eq!(recorded_store(&tenant_a), "", "no store was recorded");
}

#[test]
fn a_container_with_a_user_namespace_of_its_own_uses_its_own_kernel_keyring() {
    let user = User::new();
    let profile = unique("userns");
    add_token_profile(&user, &profile);
    let token = paste_token();
    // Sign in, read back and sign out in one container (one user namespace), as one pod would.
    let mut pod = Command::new("unshare");
    pod.args(["--user", "--map-root-user"]).args(CONTAINER).arg("--");
    pod.args(["sh", "-c", r#""$0" login --profile "$1" >/dev/null && "$0" status --profile "$1" && "$0" token --profile "$1" && "$0" logout --profile "$1" --local-only"#]);
    pod.arg(lakekey_bin()).arg(&profile).env("LAKEKEY_CONFIG_DIR", user.config.path());
    let inside = headless_run(pod, &token).ok();
    assert!(inside.stdout.contains("kernel keyring (kept until restart)"), "{inside:?}");
    assert!(inside.stdout.contains(&token), "the pod reads its own sign-in back: {inside:?}");
    assert!(inside.stdout.contains("Signed out"), "{inside:?}");
}

#[test]
fn a_sign_in_kept_by_the_secret_service_is_named_from_where_it_cannot_be_reached() {
    if store() != Store::SecretService {
        return; // this test is about the Secret Service; the kernel-keyring run has none
    }
    let idp = Idp::start(&["--interval", "1"]);
    let user = User::new();
    let profile = unique("recorded");
    user.add_device_profile(&profile, &idp);
    let (run, _) = user.login(&profile, Approval::Approve);
    run.ok();
    assert_eq!(recorded_store(&user), r#"store = "secret-service""#);
    let items = keychain_items(&profile);
    assert!(!items.is_empty());

    // An SSH session, a notebook server: no session bus. Named, exit 4, never "not signed in".
    for args in [vec!["token", "--profile", &profile], vec!["status", "--profile", &profile], vec!["status"], vec!["logout", "--profile", &profile]] {
        let out = headless_run(user.cmd(&args), "").fails_with(4, "Secret Service");
        assert!(out.stderr.contains(&profile) && !out.stderr.contains("not signed in"), "{args:?}: {out:?}");
        assert!(!out.stdout.contains("nothing was stored"), "{out:?}");
    }
    assert_eq!(keychain_items(&profile), items, "nothing was removed");
    assert_eq!(idp.stats()["revocations"], 0);

    // Back on the bus: signing out revokes at the IdP and removes the items.
    let out = user.run(&["logout", "--profile", &profile]).ok();
    assert!(out.stdout.contains("revoked"), "{out:?}");
    assert_eq!(idp.stats()["revocations"], 1);
    assert_eq!(keychain_items(&profile), Vec::<String>::new());
    assert_eq!(recorded_store(&user), "", "nothing is recorded once signed out");
}

/// A session bus of the test's own, with nothing on it and nothing it can start.
struct PrivateBus {
    dir: tempfile::TempDir,
    daemon: Child,
    address: String,
}

impl PrivateBus {
    fn start() -> PrivateBus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path={}/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>"#,
                dir.path().display()
            ),
        )
        .unwrap();
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon starts");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
        PrivateBus { dir, daemon, address: address.trim().to_string() }
    }

    fn lakekey(&self, user: &User, args: &[&str], stdin: &str) -> Run {
        let mut command = user.cmd(args);
        command.env_remove("XDG_RUNTIME_DIR").env("DBUS_SESSION_BUS_ADDRESS", &self.address).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        Run::from(child.wait_with_output().unwrap())
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = &self.dir;
    }
}

#[test]
fn a_secret_service_that_fails_mid_call_is_an_error_not_a_switch_to_the_kernel_keyring() {
    let bus = PrivateBus::start();
    let user = User::new();
    let profile = unique("failing-ss");
    add_token_profile(&user, &profile);
    let mut stand_in = Command::new("node")
        .arg(host_path("tests/idp/failing-secret-service.mjs"))
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut ready = String::new();
    BufReader::new(stand_in.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), "ready");

    bus.lakekey(&user, &["login", "--profile", &profile], &paste_token()).fails_with(4, "keychain is not available");
    assert_eq!(kernel_keys(&profile), Vec::<String>::new(), "nothing went to the kernel keyring");
    assert_eq!(recorded_store(&user), "");
    let _ = stand_in.wait();

    // With nobody owning the name (and nothing to start), there is no Secret Service: then the
    // kernel keyring, recorded, and found again by the next process.
    bus.lakekey(&user, &["login", "--profile", &profile], &paste_token()).ok();
    assert_eq!(recorded_store(&user), r#"store = "kernel""#);
    assert_eq!(kernel_keys(&profile).len(), 1);
    let out = user.run(&["status", "--profile", &profile]).ok();
    assert!(out.stdout.contains("kept until restart"), "a process on the desktop bus finds it in the kernel keyring: {out:?}");
    user.run(&["logout", "--profile", &profile]).ok();
    assert_eq!(kernel_keys(&profile), Vec::<String>::new());
}

#[test]
fn one_process_stores_in_the_kernel_keyring_and_the_next_finds_it() {
    // Each in a session keyring of its own, as separate SSH logins, cron jobs or a service's
    // runs: they meet in the user's persistent keyring.
    let user = User::new();
    let profile = unique("next-process");
    add_token_profile(&user, &profile);
    let in_own_session = |args: &[&str], stdin: &str| {
        let mut command = Command::new("keyctl");
        command.args(["session", "-"]).arg(lakekey_bin()).args(args).env("LAKEKEY_CONFIG_DIR", user.config.path());
        headless_run(command, stdin)
    };
    let token = paste_token();
    in_own_session(&["login", "--profile", &profile], &token).ok();
    let next = in_own_session(&["token", "--profile", &profile], "").ok();
    assert!(next.stdout.contains(&token), "the next process found the sign-in: {next:?}");
    in_own_session(&["logout", "--profile", &profile, "--local-only"], "").ok();
    assert_eq!(kernel_keys(&profile), Vec::<String>::new());
}
