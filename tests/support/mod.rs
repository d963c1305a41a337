//! Shared pieces of the integration tests: a real OpenID provider (oidc-provider on loopback), the
//! `lakekey` binary with its own config directory, approval of device codes, and a look into the
//! real keychain with `secret-tool`.
//!
//! These tests need the environment `scripts/test` sets up: Node packages in tests/idp and a
//! gnome-keyring Secret Service on a private D-Bus session. With `LAKEKEY_TEST_STORE=kernel`
//! (and no D-Bus session) the same tests run against the Linux kernel keyring instead, the store
//! LakeKey falls back to where no Secret Service answers.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

pub fn fixture(name: &str) -> PathBuf {
    host_path(ROOT).join("tests/fixtures").join(name)
}

/// A path of the machine that built the tests, as this process sees it. Under Wine (the Windows
/// build's tests, scripts/test-windows) the Linux file system is drive Z:.
pub fn host_path(path: &str) -> PathBuf {
    if cfg!(windows) && path.starts_with('/') {
        PathBuf::from(format!("Z:{}", path.replace('/', "\\")))
    } else {
        PathBuf::from(path)
    }
}

/// The `lakekey` binary under test.
pub fn lakekey_bin() -> PathBuf {
    host_path(env!("CARGO_BIN_EXE_lakekey"))
}

/// Under Wine a Windows process cannot start Linux programs (node, chromium): the test host
/// (tests/idp/host.mjs, started by scripts/test-windows) does it, asked over loopback HTTP.
fn test_host() -> Option<(u16, String)> {
    let url = std::env::var("LAKEKEY_TEST_HOST").ok()?;
    let port = url.rsplit(':').next()?.trim_end_matches('/').parse().ok()?;
    Some((port, url))
}

/// The test IdP and fake Lake control plane. Stops when dropped (and by itself if we die).
pub struct Idp {
    /// The server process, or None when the test host runs it (under Wine).
    child: Option<Child>,
    host: Option<u16>,
    pub base_url: String,
    pub issuer: String,
    pub port: u16,
    /// The same server over HTTPS, when started with [`Idp::start_tls`].
    pub tls_port: Option<u16>,
}

impl Idp {
    /// Also serves HTTPS with a certificate from `ca` (trusted only where `ca.ca_pem` is given).
    pub fn start_tls(args: &[&str], ca: &TestCa) -> Idp {
        let (cert, key) = (ca.cert_pem.to_str().unwrap(), ca.key_pem.to_str().unwrap());
        let mut all = args.to_vec();
        all.extend(["--tls-cert", cert, "--tls-key", key]);
        Idp::start(&all)
    }

    pub fn start(args: &[&str]) -> Idp {
        if let Some((host, _)) = test_host() {
            let ready = http_json(host, "POST", "/idp/start", Some(serde_json::json!({ "args": args })));
            return Idp {
                child: None,
                host: Some(host),
                base_url: ready["base_url"].as_str().unwrap().to_string(),
                issuer: ready["issuer"].as_str().unwrap().to_string(),
                port: ready["port"].as_u64().unwrap() as u16,
                tls_port: ready["tls_port"].as_u64().map(|p| p as u16),
            };
        }
        assert!(
            Path::new(ROOT).join("tests/idp/node_modules/oidc-provider").exists(),
            "tests/idp/node_modules is missing: run the tests with scripts/test"
        );
        let mut child = Command::new("node")
            .arg(Path::new(ROOT).join("tests/idp/server.mjs"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).expect("the IdP says where it listens");
        // Keep draining: oidc-provider prints warnings on stdout, and a closed pipe would kill it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let ready: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("IdP start line: {line:?}"));
        Idp {
            child: Some(child),
            host: None,
            base_url: ready["base_url"].as_str().unwrap().to_string(),
            issuer: ready["issuer"].as_str().unwrap().to_string(),
            port: ready["port"].as_u64().unwrap() as u16,
            tls_port: ready["tls_port"].as_u64().map(|p| p as u16),
        }
    }

    pub fn stats(&self) -> Value {
        http_json(self.port, "GET", "/__test/stats", None)
    }

    pub fn control(&self, body: Value) {
        http_json(self.port, "POST", "/__test/control", Some(body));
    }

    /// Tells the fake Lake which public key, PAT and user belong to a kid.
    pub fn register_lake_key(&self, kid: &str, public_key_pem: &str, pat: &str, username: &str) {
        http_json(
            self.port,
            "POST",
            "/__test/lake/keys",
            Some(serde_json::json!({ "kid": kid, "public_key_pem": public_key_pem, "pat": pat, "username": username })),
        );
    }

    pub fn stop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(host) = self.host.take() {
            http_json(host, "POST", "/idp/stop", Some(serde_json::json!({ "port": self.port })));
        }
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A test CA and a server certificate for 127.0.0.1 signed by it, made with `openssl`. Nothing
/// trusts the CA unless a profile names `ca_pem` as its extra CA file.
pub struct TestCa {
    pub ca_pem: PathBuf,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestCa {
    pub fn new() -> TestCa {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(d).output().unwrap();
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        openssl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=LakeKey test CA"]);
        openssl(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1"]);
        std::fs::write(d.join("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
        openssl(&["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext"]);
        TestCa { ca_pem: d.join("ca.pem"), cert_pem: d.join("srv.pem"), key_pem: d.join("srv.key"), _dir: dir }
    }
}

/// A minimal HTTP/1.1 client for the test server's control endpoints.
pub fn http_json(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("test server reachable");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// A user of the CLI: their own config directory, the shared test keychain.
pub struct User {
    pub config: tempfile::TempDir,
}

impl User {
    pub fn new() -> User {
        match store() {
            Store::CredentialManager => {}
            Store::SecretService => assert!(
                std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
                "no D-Bus session: run the tests with scripts/test, which starts gnome-keyring"
            ),
            Store::Kernel => assert!(
                std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none(),
                "LAKEKEY_TEST_STORE=kernel runs where no Secret Service answers: unset DBUS_SESSION_BUS_ADDRESS"
            ),
        }
        User { config: tempfile::tempdir().unwrap() }
    }

    /// `lakekey ARGS` with this process's clock `secs` ahead (debug builds take
    /// LAKEKEY_TEST_CLOCK_OFFSET_SECS): a token becomes due without waiting half its life.
    pub fn run_later(&self, secs: u64, args: &[&str]) -> Run {
        Run::from(self.cmd(args).env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", secs.to_string()).output().expect("lakekey runs"))
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(lakekey_bin());
        cmd.args(args)
            .env("LAKEKEY_CONFIG_DIR", self.config.path())
            .env_remove("LAKEKEY_PROFILE")
            .env_remove("LAKEKEY_PEM_PASSPHRASE")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("lakekey runs"))
    }
}

/// Whatever a test stored, it removes: a test run leaves nothing in the user's own keyrings (the
/// kernel keyring is the user's, not the test session's).
impl Drop for User {
    fn drop(&mut self) {
        let Ok(out) = self.cmd(&["profile", "list", "--json"]).output() else { return };
        let names: Vec<String> = serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        for name in names {
            let _ = self.cmd(&["logout", "--profile", &name, "--local-only"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
    }
}

impl User {
    /// Stores a pasted token for a `--method token` profile: `lakekey login` reading standard input.
    pub fn paste_token(&self, profile: &str, token: &str) -> Run {
        use std::io::Write;
        let mut child = self.cmd(&["login", "--profile", profile]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(token.as_bytes()).unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    /// Adds a device-flow profile for the test IdP (org id `acme`, so client id `acme-oaf-device`).
    pub fn add_device_profile(&self, name: &str, idp: &Idp) {
        self.run(&["profile", "add", name, "--base-url", &idp.base_url, "--org-id", "acme"]).ok();
    }

    /// Runs `lakekey login --json --no-browser`, approving (or denying) the code when it appears.
    pub fn login(&self, profile: &str, approve: Approval) -> (Run, Vec<Value>) {
        let mut child = self
            .cmd(&["login", "--profile", profile, "--json", "--no-browser"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut events = Vec::new();
        let mut approver = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let event: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
            if event["event"] == "code" {
                let url = event["verification_uri_complete"].as_str().unwrap().to_string();
                approver = match approve {
                    Approval::Approve => Some(std::thread::spawn(move || approve_code(&url, false))),
                    Approval::Deny => Some(std::thread::spawn(move || approve_code(&url, true))),
                    Approval::Browser => Some(std::thread::spawn(move || approve_in_browser(&url))),
                    Approval::Nothing => None,
                };
            }
            events.push(event);
        }
        let output = child.wait_with_output().unwrap();
        if let Some(a) = approver {
            a.join().unwrap();
        }
        (Run::from(output), events)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Approve,
    Deny,
    Browser,
    Nothing,
}

/// Approves or declines over plain HTTP with a cookie jar (tests/idp/approve.mjs).
pub fn approve_code(url: &str, deny: bool) {
    if let Some((host, _)) = test_host() {
        let done = http_json(host, "POST", "/approve", Some(serde_json::json!({ "url": url, "deny": deny })));
        assert_eq!(done["ok"], true, "approval failed: {done}");
        return;
    }
    let mut cmd = Command::new("node");
    cmd.arg(Path::new(ROOT).join("tests/idp/approve.mjs")).args(["--url", url]);
    if deny {
        cmd.arg("--deny");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "approval failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Approves in Debian's Chromium driven by playwright-core (tests/idp/approve-browser.mjs).
pub fn approve_in_browser(url: &str) {
    if let Some((host, _)) = test_host() {
        let done = http_json(host, "POST", "/approve-browser", Some(serde_json::json!({ "url": url })));
        assert_eq!(done["ok"], true, "browser approval failed: {done}");
        return;
    }
    let out = Command::new("node").arg(Path::new(ROOT).join("tests/idp/approve-browser.mjs")).args(["--url", url]).output().unwrap();
    assert!(
        out.status.success(),
        "browser approval failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What one `lakekey` run did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self
    }

    #[track_caller]
    pub fn fails_with(self, code: i32, needle: &str) -> Run {
        assert_eq!(self.code, code, "wrong exit code:\n{self:#?}");
        assert!(self.stderr.contains(needle), "stderr should mention {needle:?}:\n{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|_| panic!("not JSON: {}", self.stdout))
    }
}

/// Which keychain the tests run against (`LAKEKEY_TEST_STORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    SecretService,
    Kernel,
    /// Windows' Credential Manager (under Wine in scripts/test-windows).
    CredentialManager,
}

pub fn store() -> Store {
    if cfg!(windows) {
        return Store::CredentialManager;
    }
    match std::env::var("LAKEKEY_TEST_STORE").as_deref() {
        Ok("kernel") => Store::Kernel,
        _ => Store::SecretService,
    }
}

/// The names (user attribute, or the kernel key's user part) of a profile's items in the real
/// keychain, looked up from outside LakeKey: `secret-tool`, or /proc/keys for the kernel keyring.
pub fn keychain_items(profile: &str) -> Vec<String> {
    let mine = |user: &str| user == profile || user.starts_with(&format!("{profile}#"));
    match store() {
        Store::SecretService => secret_service_items().into_iter().filter(|u| mine(u)).collect(),
        Store::Kernel => kernel_items().into_iter().filter(|u| mine(u)).collect(),
        Store::CredentialManager => credential_manager_items(profile),
    }
}

/// The profile's credentials in Credential Manager (`{user}.lakekey` target names), listed with
/// the store crate's search (CredEnumerateW), not through LakeKey.
#[cfg(windows)]
fn credential_manager_items(profile: &str) -> Vec<String> {
    use keyring_core::api::CredentialStoreApi;
    let store = windows_native_keyring_store::Store::new().expect("Credential Manager answers");
    let pattern = format!("^{}(#.*)?\\.lakekey$", profile.replace('.', "\\."));
    let mut users: Vec<String> = store
        .search(&std::collections::HashMap::from([("pattern", pattern.as_str())]))
        .expect("Credential Manager lists its credentials")
        .into_iter()
        .filter_map(|entry| entry.get_specifiers().map(|(_, user)| user))
        .collect();
    users.sort();
    users
}

#[cfg(not(windows))]
fn credential_manager_items(_profile: &str) -> Vec<String> {
    unreachable!("Credential Manager exists only on Windows")
}

fn secret_service_items() -> Vec<String> {
    // secret-tool gives up when an item it found is deleted before it reads it (another test's
    // sign-out, running alongside): then it looks again.
    let mut out = Command::new("secret-tool").args(["search", "--all", "service", "lakekey"]).output().expect("secret-tool runs");
    for _ in 0..10 {
        if out.status.success() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        out = Command::new("secret-tool").args(["search", "--all", "service", "lakekey"]).output().expect("secret-tool runs");
    }
    assert!(out.status.success(), "secret-tool search failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().filter_map(|l| l.strip_prefix("attribute.username = ")).map(str::to_string).collect()
}

/// The profile's live keys in the kernel keyring, whichever store the tests run on.
pub fn kernel_keys(profile: &str) -> Vec<String> {
    kernel_items().into_iter().filter(|u| u == profile || u.starts_with(&format!("{profile}#"))).collect()
}

/// LakeKey's live keys in the kernel, from /proc/keys (every key this user may view, in any
/// keyring): `keyring:{user}@lakekey`, of type `user`, neither invalidated nor dead.
fn kernel_items() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/keys").expect("/proc/keys is readable");
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (flags, kind) = (fields.get(1)?, fields.get(7)?);
            if *kind != "user" || flags.contains('i') || flags.contains('D') || flags.contains('R') {
                return None;
            }
            let description = fields.get(8)?.trim_end_matches(':');
            Some(description.strip_prefix("keyring:")?.strip_suffix("@lakekey")?.to_string())
        })
        .collect()
}

/// A JWT-shaped token with these claims and a dummy signature: what a user might paste.
pub fn unsigned_jwt(claims: &str) -> String {
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s);
    format!("{}.{}.c2ln", b64(r#"{"alg":"RS256","typ":"JWT"}"#), b64(claims))
}

/// A profile name no other test uses (they share one keychain).
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// Waits for a condition for up to `limit` (a bound on hangs, not a timing assertion).
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
