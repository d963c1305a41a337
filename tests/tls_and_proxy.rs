//! HTTPS as users meet it: certificates are checked (a server signed by an unknown CA is refused),
//! an extra CA file makes such a server trusted, and an HTTPS proxy (and NO_PROXY) is honoured.
//! A local TLS server (`openssl s_server`) signed by a test CA made here, and a local CONNECT proxy.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use support::*;

struct Tls {
    server: Child,
    port: u16,
    ca: TestCa,
    _www: tempfile::TempDir,
}

impl Drop for Tls {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A TLS server on 127.0.0.1 with a certificate from a fresh test CA, serving a discovery
/// document whose device endpoint is on a closed port (so a login gets past discovery, then stops).
fn tls_idp() -> Tls {
    let ca = TestCa::new();
    let www = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::create_dir_all(www.path().join(".well-known")).unwrap();
    std::fs::write(
        www.path().join(".well-known/openid-configuration"),
        format!(r#"{{"issuer":"https://127.0.0.1:{port}","token_endpoint":"https://127.0.0.1:9/token","device_authorization_endpoint":"https://127.0.0.1:9/device"}}"#),
    )
    .unwrap();
    let server = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-WWW", "-quiet", "-cert"])
        .arg(&ca.cert_pem)
        .arg("-key")
        .arg(&ca.key_pem)
        .current_dir(www.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(std::time::Duration::from_secs(10), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()), "s_server listens");
    Tls { server, port, ca, _www: www }
}

struct Proxy {
    child: Child,
    port: u16,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proxy() -> Proxy {
    let mut child = Command::new("node")
        .arg(Path::new(ROOT).join("tests/idp/proxy.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = serde_json::from_str::<serde_json::Value>(&line).unwrap()["port"].as_u64().unwrap() as u16;
    Proxy { child, port }
}

impl Proxy {
    fn tunnels(&self) -> Vec<String> {
        http_json(self.port, "GET", "/__stats", None)["tunnels"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
    }
}

fn user_with_profile(tls: &Tls, network: &str) -> User {
    let user = User::new();
    user.run(&["profile", "add", "p", "--base-url", "https://acme.example.com/api/accounts/e1", "--idp", "custom", "--issuer", &format!("https://127.0.0.1:{}", tls.port)])
        .ok();
    if !network.is_empty() {
        let path = user.config.path().join("profiles.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n[network]\n{network}\n")).unwrap();
    }
    user
}

fn login(user: &User, no_proxy: Option<&str>) -> Run {
    let mut cmd = user.cmd(&["login", "--no-browser"]);
    cmd.env_remove("HTTPS_PROXY").env_remove("https_proxy").env_remove("NO_PROXY").env_remove("no_proxy");
    if let Some(hosts) = no_proxy {
        cmd.env("NO_PROXY", hosts);
    }
    Run::from(cmd.output().unwrap())
}

#[test]
fn an_unknown_ca_is_refused_and_an_extra_ca_file_is_trusted() {
    let tls = tls_idp();
    let user = user_with_profile(&tls, "");
    let out = login(&user, None).fails_with(5, "discovery endpoint");
    assert!(out.stderr.contains("TLS") || out.stderr.contains("certificate"), "{out:?}");

    let user = user_with_profile(&tls, &format!("extra_ca_file = {:?}", tls.ca.ca_pem.display().to_string()));
    // Discovery over TLS now works; the next endpoint (a closed port) is what fails.
    login(&user, None).fails_with(5, "device authorization endpoint");
}

#[test]
fn the_https_proxy_is_used_and_no_proxy_is_honoured() {
    let tls = tls_idp();
    let proxy = proxy();
    let network = format!("https_proxy = \"http://127.0.0.1:{}\"\nextra_ca_file = {:?}", proxy.port, tls.ca.ca_pem.display().to_string());
    let user = user_with_profile(&tls, &network);
    login(&user, None).fails_with(5, "device authorization endpoint");
    let target = format!("127.0.0.1:{}", tls.port);
    assert!(proxy.tunnels().contains(&target), "discovery went through the proxy: {:?}", proxy.tunnels());

    let before = proxy.tunnels().len();
    login(&user, Some("127.0.0.1")).fails_with(5, "device authorization endpoint");
    assert_eq!(proxy.tunnels().len(), before, "NO_PROXY hosts bypass the proxy");
}
