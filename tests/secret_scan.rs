//! Secrets stay secret: after full device, PAT and paste cycles with debug logging on, no access
//! token, refresh token, PAT or private key appears in the config directory or in what any command
//! but `token` printed.

mod support;

use support::*;

/// Everything the commands printed (stdout and stderr), except `token`'s stdout.
#[derive(Default)]
struct Transcript(String);

impl Transcript {
    fn run(&mut self, user: &User, args: &[&str]) -> Run {
        self.run_later(user, 0, args)
    }

    /// With the process's clock `secs` ahead, so a token is due for renewal.
    fn run_later(&mut self, user: &User, secs: u64, args: &[&str]) -> Run {
        let out = Run::from(user.cmd(args).env("LAKEKEY_LOG", "trace").env("LAKEKEY_TEST_CLOCK_OFFSET_SECS", secs.to_string()).output().unwrap());
        if args[0] != "token" {
            self.0.push_str(&out.stdout);
        }
        self.0.push_str(&out.stderr);
        out
    }
}

/// The stored credential's JSON as the keychain holds it (the profile's main item).
fn keychain_text(profile: &str) -> String {
    let out = std::process::Command::new("secret-tool").args(["lookup", "service", "lakekey", "username", profile]).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn json_field(text: &str, field: &str) -> Option<String> {
    let start = text.find(&format!("\"{field}\":\""))? + field.len() + 4;
    Some(text[start..start + text[start..].find('"')?].to_string())
}

#[test]
fn no_secret_reaches_files_logs_or_output() {
    let idp = Idp::start(&["--interval", "1", "--access-ttl", "30"]);
    idp.register_lake_key("scan", &std::fs::read_to_string(fixture("test-public-key.pem")).unwrap(), "pat-scan-0123456789", "ANALYST");
    let user = User::new();
    let mut log = Transcript::default();
    let device = unique("scan-device");
    let pat = unique("scan-pat");
    let paste = unique("scan-paste");

    log.run(&user, &["profile", "add", &device, "--base-url", &idp.base_url, "--org-id", "acme"]).ok();
    let (login, _) = user.login(&device, Approval::Approve);
    log.0.push_str(&login.stderr);
    let first_refresh = json_field(&keychain_text(&device), "refresh_token").expect("a refresh token is stored");
    idp.control(serde_json::json!({ "accessTtl": 3600 }));
    let access = log.run_later(&user, 16, &["token", "--profile", &device]).ok().stdout.trim().to_string();
    let rotated_refresh = json_field(&keychain_text(&device), "refresh_token").unwrap();
    assert_ne!(first_refresh, rotated_refresh, "the refresh rotated the refresh token");
    log.run(&user, &["status", "--profile", &device]).ok();
    log.run(&user, &["status", "--profile", &device, "--json"]).ok();
    log.run(&user, &["exec", "--profile", &device, "--", "true"]).ok();

    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("scan.pem");
    std::fs::copy(fixture("test-key.pem"), &pem).unwrap();
    log.run(&user, &["profile", "add", &pat, "--base-url", &idp.base_url, "--method", "pat", "--org-id", "acme"]).ok();
    log.run(&user, &["pat", "import", "--profile", &pat, "--pat", "pat-scan-0123456789", "--pem", pem.to_str().unwrap(), "--username", "ANALYST"]).ok();
    let pat_jwt = log.run(&user, &["token", "--profile", &pat]).ok().stdout.trim().to_string();
    log.run(&user, &["status", "--profile", &pat, "--json"]).ok();

    let pasted = pat_jwt.clone();
    let token_file = dir.path().join("t.jwt");
    std::fs::write(&token_file, &pasted).unwrap();
    log.run(&user, &["profile", "add", &paste, "--base-url", &idp.base_url, "--method", "token"]).ok();
    log.run(&user, &["login", "--profile", &paste, "--token-file", token_file.to_str().unwrap()]).ok();
    log.run(&user, &["status", "--profile", &paste, "--json"]).ok();

    for profile in [&device, &pat, &paste] {
        log.run(&user, &["logout", "--profile", profile]).ok();
    }

    let key_body: String = std::fs::read_to_string(fixture("test-key.pem")).unwrap().lines().filter(|l| !l.starts_with("-----")).collect();
    let secrets = [
        ("access token", access.as_str()),
        ("refresh token", first_refresh.as_str()),
        ("rotated refresh token", rotated_refresh.as_str()),
        ("PAT", "pat-scan-0123456789"),
        ("PAT JWT", pat_jwt.as_str()),
        ("private key", &key_body[200..264]),
    ];
    let mut places = vec![("command output and logs".to_string(), log.0.clone())];
    for entry in walk(user.config.path()) {
        places.push((entry.display().to_string(), String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned()));
    }
    assert!(log.0.contains("DEBUG") || log.0.contains("TRACE"), "debug logging was on");
    for (what, secret) in secrets {
        assert!(secret.len() >= 16, "{what} is long enough to search for");
        for (place, text) in &places {
            assert!(!text.contains(secret), "the {what} leaked into {place}");
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
