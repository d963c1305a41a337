//! Where the kernel refuses its key calls (a container's default seccomp profile blocks `keyctl`
//! and `add_key`; Podman's blocks `add_key` alone) and there is no Secret Service, LakeKey says so
//! and names the ways out, exit 4, and writes nothing anywhere: no key, no file. The filter is a
//! real seccomp filter, installed in the `lakekey` process this test starts.

#![cfg(target_os = "linux")]

mod support;

use seccompiler::{BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule};
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use support::*;

/// A filter that fails `calls` with `errno`, as a container runtime's profile does.
fn filter(calls: &[i64], errno: i32) -> BpfProgram {
    let rules: BTreeMap<i64, Vec<SeccompRule>> = calls.iter().map(|call| (*call, vec![])).collect();
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(errno as u32), std::env::consts::ARCH.try_into().unwrap()).unwrap();
    filter.try_into().unwrap()
}

/// `lakekey ARGS` under `program`, with no D-Bus session: the kernel keyring is the only store.
fn run_filtered(user: &User, program: &BpfProgram, args: &[&str], stdin: &str) -> Run {
    let mut cmd = user.cmd(args);
    cmd.env_remove("DBUS_SESSION_BUS_ADDRESS").env_remove("XDG_RUNTIME_DIR").stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let program = program.clone();
    // SAFETY: between fork and exec the closure only makes the prctl/seccomp system calls that
    // install an already compiled filter; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || seccompiler::apply_filter(&program).map_err(std::io::Error::other));
    }
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    Run::from(child.wait_with_output().unwrap())
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir).into_iter().map(|p| p.strip_prefix(dir).unwrap().display().to_string()).collect();
    names.sort();
    names
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).map_or(vec![], |entries| {
        entries.flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
    })
}

#[test]
fn blocked_key_calls_are_reported_with_the_ways_out_and_nothing_is_written() {
    let user = User::new();
    let profile = unique("blocked");
    user.run(&["profile", "add", &profile, "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "token"]).ok();
    let before = files_in(user.config.path());
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    let token = unsigned_jwt(&format!(r#"{{"sub":"ANALYST","exp":{exp}}}"#));

    // Docker's default profile: keyctl and add_key fail with EPERM.
    let docker = filter(&[libc::SYS_keyctl, libc::SYS_add_key, libc::SYS_request_key], libc::EPERM);
    let out = run_filtered(&user, &docker, &["login", "--profile", &profile], &token).fails_with(4, "seccomp");
    assert!(out.stderr.contains("keyctl") && out.stderr.contains("never in a file"), "the hint names the ways out: {out:?}");
    run_filtered(&user, &docker, &["status", "--profile", &profile], "").fails_with(4, "seccomp");
    run_filtered(&user, &docker, &["token", "--profile", &profile], "").fails_with(4, "seccomp");

    assert_eq!(files_in(user.config.path()), before, "no file was written");
    assert_eq!(kernel_keys(&profile), Vec::<String>::new(), "no key was added to the kernel keyring");
    assert_eq!(keychain_items(&profile).len(), 0, "no item was added to the keychain the tests use");
}

/// A kernel without persistent keyrings (CONFIG_PERSISTENT_KEYRINGS off): KEYCTL_GET_PERSISTENT
/// fails with EOPNOTSUPP, as there.
fn no_persistent_keyrings() -> BpfProgram {
    const KEYCTL_GET_PERSISTENT: u64 = 22;
    let rule = SeccompRule::new(vec![SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, KEYCTL_GET_PERSISTENT).unwrap()]).unwrap();
    let rules = BTreeMap::from([(libc::SYS_keyctl, vec![rule])]);
    SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EOPNOTSUPP as u32), std::env::consts::ARCH.try_into().unwrap()).unwrap().try_into().unwrap()
}

#[test]
fn without_persistent_keyrings_a_sign_in_is_refused_instead_of_lost_when_the_process_ends() {
    // There a key would live in this process's session keyring only: `login` would report
    // success and the next `token` say "not signed in".
    let user = User::new();
    let profile = unique("no-persistent");
    user.run(&["profile", "add", &profile, "--base-url", "https://acme.example.com/api/accounts/e1", "--method", "token"]).ok();
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    let token = unsigned_jwt(&format!(r#"{{"sub":"ANALYST","exp":{exp}}}"#));
    let out = run_filtered(&user, &no_persistent_keyrings(), &["login", "--profile", &profile], &token).fails_with(4, "persistent keyrings");
    assert!(out.stderr.contains("gone when LakeKey exits"), "{out:?}");
    assert_eq!(kernel_keys(&profile), Vec::<String>::new(), "no key was added");
}

#[test]
fn a_keyring_that_takes_no_new_keys_is_found_out_before_anyone_approves_a_sign_in() {
    // Podman's default profile lets keyctl through but fails add_key with ENOSYS: reading works,
    // storing does not. LakeKey tries a write before it asks the IdP for a code.
    let idp = Idp::start(&["--interval", "1"]);
    let user = User::new();
    let profile = unique("blocked-add");
    user.add_device_profile(&profile, &idp);
    let podman = filter(&[libc::SYS_add_key], libc::ENOSYS);
    run_filtered(&user, &podman, &["login", "--profile", &profile, "--no-browser"], "").fails_with(4, "seccomp");
    assert_eq!(idp.stats()["deviceRequests"], 0, "no code was requested");
}
