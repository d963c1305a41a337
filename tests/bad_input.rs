//! Every kind of bad input gets one clear sentence and its exit code, and nothing is stored or
//! overwritten. Also: what happens without a keychain, or with a locked one.

mod support;

use std::path::Path;
use support::*;

const EXAMPLE: &str = "https://acme.example.com/api/accounts/e1";

#[test]
fn bad_base_urls_and_profile_names_are_refused() {
    let user = User::new();
    user.run(&["profile", "add", "p", "--base-url", "https://acme.example.com/api/accounts/e1/open-analytics"]).fails_with(6, "service URL");
    user.run(&["profile", "add", "p", "--base-url", "http://acme.example.com/api/accounts/e1"]).fails_with(6, "plain http");
    user.run(&["profile", "add", "p", "--base-url", "https://acme.example.com/"]).fails_with(6, "no environment id");
    user.run(&["profile", "add", "a b", "--base-url", EXAMPLE]).fails_with(6, "not allowed");
    user.run(&["profile", "add", "p", "--base-url", EXAMPLE, "--idp", "custom"]).fails_with(6, "needs an issuer");
    user.run(&["profile", "add", "p", "--base-url", EXAMPLE, "--idp", "nope"]).fails_with(2, "nope");
    assert!(!user.config.path().join("profiles.toml").exists(), "nothing was written");
}

#[test]
fn profiles_are_listed_shown_chosen_and_removed() {
    let user = User::new();
    user.run(&["token"]).fails_with(6, "no profile yet");
    let out = user.run(&["profile", "add", "prod", "--base-url", &format!("{EXAMPLE}/"), "--idp", "keycloak"]).ok();
    assert!(out.stdout.contains("acme-oaf-device") && out.stdout.contains("/sso/realms/teradata"), "{out:?}");
    user.run(&["profile", "add", "dev", "--base-url", "https://globex.example.com/api/accounts/e2", "--default"]).ok();
    let list = user.run(&["profile", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let dev = list.as_array().unwrap().iter().find(|p| p["name"] == "dev").unwrap();
    assert_eq!(dev["default"], true);
    assert_eq!(dev["org_id"], "globex");
    assert_eq!(dev["issuer"], "https://globex.example.com/api/accounts/e2/auth");
    let shown = user.run(&["profile", "show", "prod", "--json"]).ok().json();
    assert_eq!(shown["base_url"], EXAMPLE);
    // `status` shows every profile (like `gh auth status`), one line each, the default marked.
    let all = user.run(&["status"]).ok();
    assert!(all.stdout.contains("* dev") && all.stdout.contains("  prod") && all.stdout.contains("not signed in"), "{all:?}");
    let all = user.run(&["status", "--json"]).ok().json();
    assert_eq!(all.as_array().unwrap().iter().map(|s| s["profile"].as_str().unwrap()).collect::<Vec<_>>(), ["dev", "prod"]);
    assert_eq!(
        Run::from(user.cmd(&["status", "--json"]).env("LAKEKEY_PROFILE", "prod").output().unwrap()).ok().json()["profile"],
        "prod"
    );
    user.run(&["status", "--profile", "nope"]).fails_with(6, "no profile named `nope`");
    // Several profiles, none the default: a command that needs one says how to choose.
    user.run(&["profile", "add", "ci", "--base-url", EXAMPLE]).ok();
    user.run(&["profile", "remove", "dev"]).ok();
    user.run(&["token"]).fails_with(6, "lakekey profile default NAME");
    user.run(&["profile", "remove", "ci"]).ok();
    // With one profile left, it is the one meant.
    assert_eq!(user.run(&["profile", "show", "--json"]).ok().json()["name"], "prod");
}

#[test]
fn a_token_that_cannot_be_delivered_is_a_failure() {
    let user = User::new();
    user.run(&["profile", "add", "p", "--base-url", EXAMPLE, "--method", "token"]).ok();
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    user.paste_token("p", &unsigned_jwt(&format!(r#"{{"exp":{exp}}}"#))).ok();
    // A full disk: a script must not take an empty answer (exit 0) for a token.
    let full = std::fs::File::options().write(true).open("/dev/full").unwrap();
    let out = Run::from(user.cmd(&["token"]).stdout(full).stderr(std::process::Stdio::piped()).output().unwrap());
    out.fails_with(1, "Cannot write to standard output");
    user.run(&["logout", "--local-only"]).ok();
}

#[test]
fn a_corrupt_profile_file_is_reported_and_left_alone() {
    let user = User::new();
    let path = user.config.path().join("profiles.toml");
    std::fs::write(&path, "[profiles.p\nbase_url = ").unwrap();
    user.run(&["profile", "list"]).fails_with(6, "cannot be read");
    user.run(&["profile", "add", "q", "--base-url", EXAMPLE]).fails_with(6, "cannot be read");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[profiles.p\nbase_url = ");
}

#[test]
fn bad_keys_and_pats_are_explained_and_nothing_is_stored() {
    let user = User::new();
    let profile = unique("badpat");
    // Validation is off and the URL is never called: every case fails before any request.
    user.run(&["profile", "add", &profile, "--base-url", "http://127.0.0.1:9/api/accounts/e1", "--method", "pat"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let good = fixture("test-key.pem");
    let empty = write("empty.pem", b"");
    let binary = write("binary.pem", &[0x30, 0x82, 0x04, 0xa4, 0x00, 0xff, 0xfe]);
    let huge = dir.path().join("huge.pem");
    std::fs::File::create(&huge).unwrap().set_len(100 * 1024 * 1024).unwrap();
    let pat_ws = write("pat-ws.txt", b"abc def\n");
    let pat_ctrl = write("pat-ctrl.txt", b"abc\x07def");
    let pat_empty = write("pat-empty.txt", b"\n\n");

    let (ec, public, encrypted, missing) = (fixture("test-ec-key.pem"), fixture("test-public-key.pem"), fixture("test-key-encrypted.pem"), dir.path().join("missing.pem"));
    let cases: Vec<(Vec<&str>, &Path, Option<&str>, &str)> = vec![
        (vec!["--pat", "p"], &empty, None, "is empty"),
        (vec!["--pat", "p"], &binary, None, "binary"),
        (vec!["--pat", "p"], &huge, None, "too large"),
        (vec!["--pat", "p"], &ec, None, "EC (elliptic-curve) key"),
        (vec!["--pat", "p"], &public, None, "public key"),
        (vec!["--pat", "p"], &encrypted, None, "no passphrase"),
        (vec!["--pat", "p"], &encrypted, Some("wrong"), "passphrase is wrong"),
        (vec!["--pat", "p"], &missing, None, "Cannot open"),
        (vec!["--pat", "a b"], &good, None, "spaces, line breaks or control characters"),
        (vec!["--pat-file", pat_ws.to_str().unwrap()], &good, None, "spaces, line breaks or control characters"),
        (vec!["--pat-file", pat_ctrl.to_str().unwrap()], &good, None, "control characters"),
        (vec!["--pat-file", pat_empty.to_str().unwrap()], &good, None, "empty"),
    ];
    for (pat_args, pem, passphrase, needle) in cases {
        let mut args = vec!["pat", "import", "--profile", &profile, "--username", "U", "--no-validate", "--pem", pem.to_str().unwrap()];
        args.extend(pat_args);
        let mut cmd = user.cmd(&args);
        if let Some(p) = passphrase {
            cmd.env("LAKEKEY_PEM_PASSPHRASE", p);
        }
        Run::from(cmd.output().unwrap()).fails_with(6, needle);
    }
    user.run(&["pat", "import", "--profile", &profile, "--pat", "p", "--pem", good.to_str().unwrap(), "--no-validate"])
        .fails_with(6, "user name is missing");
    user.run(&["pat", "import", "--profile", &profile, "--pem", good.to_str().unwrap()]).fails_with(2, "--pat");
    assert!(keychain_items(&profile).is_empty());
}

#[test]
fn pasted_tokens_must_be_jwts() {
    let user = User::new();
    let profile = unique("paste");
    user.run(&["profile", "add", &profile, "--base-url", EXAMPLE, "--method", "token"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("t.txt");
    std::fs::write(&bad, "not-a-jwt").unwrap();
    user.run(&["login", "--profile", &profile, "--token-file", bad.to_str().unwrap()]).fails_with(6, "not a JWT");
    let good = dir.path().join("good.txt");
    let jwt = unsigned_jwt(r#"{"exp":4102444800,"sub":"U","pat":"hidden"}"#);
    std::fs::write(&good, format!("{jwt}\n")).unwrap();
    user.run(&["login", "--profile", &profile, "--token-file", good.to_str().unwrap()]).ok();
    assert_eq!(user.run(&["token", "--profile", &profile]).ok().stdout, format!("{jwt}\n"));
    let status = user.run(&["status", "--profile", &profile, "--json"]).ok().json();
    assert_eq!(status["claims"]["sub"], "U");
    assert!(status["claims"].get("pat").is_none());
    user.run(&["logout", "--profile", &profile]).ok();
}

#[test]
fn without_a_keychain_commands_fail_with_exit_4_and_write_nothing() {
    let user = User::new();
    user.run(&["profile", "add", "p", "--base-url", EXAMPLE, "--method", "token"]).ok();
    let before = std::fs::read_to_string(user.config.path().join("profiles.toml")).unwrap();
    // The Secret Service asked for by name, and nobody answers.
    for args in [vec!["token"], vec!["status"], vec!["logout"]] {
        let out = Run::from(
            user.cmd(&args).env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus").env("LAKEKEY_KEYCHAIN", "secret-service").output().unwrap(),
        );
        let out = out.fails_with(4, "keychain is not available");
        assert!(out.stderr.contains("Secret Service") && out.stderr.contains("LAKEKEY_KEYCHAIN=kernel"), "the hint names the ways out: {out:?}");
    }
    // A setting LakeKey does not know is a clear error, not a fallback.
    Run::from(user.cmd(&["token"]).env("LAKEKEY_KEYCHAIN", "file").output().unwrap()).fails_with(6, "`file` is not a keychain");
    let files: Vec<_> = std::fs::read_dir(user.config.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(files.iter().all(|f| f == "profiles.toml" || f == ".profiles.lock" || f == "locks"), "{files:?}");
    assert_eq!(std::fs::read_to_string(user.config.path().join("profiles.toml")).unwrap(), before);
}

#[test]
fn a_keychain_locked_after_sign_in_is_exit_4_and_keeps_every_record() {
    // Its own D-Bus session and keyring, so locking it does not disturb the other tests.
    let user = User::new();
    let inputs = tempfile::tempdir().unwrap();
    let script = format!(
        r#"set -e
lk={bin}
$lk profile add p --base-url {EXAMPLE} --method pat >/dev/null
$lk pat import --pat-file {pat} --pem {key} --username U --no-validate >/dev/null
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
set +e
for cmd in token status logout; do
  timeout 60 $lk $cmd
  echo "$cmd exit=$?"
done
# A write the keychain refuses: nothing is stored anywhere else instead.
timeout 60 $lk pat import --pat-file {pat2} --pem {key} --username U --no-validate
echo "import exit=$?"
# The record is still in the (locked) collection.
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.SearchItems dict:string:string:service,lakekey,username,p | grep -c 'object path "/org/freedesktop/secrets/collection/login/' | sed 's/^/items=/'
"#,
        bin = env!("CARGO_BIN_EXE_lakekey"),
        key = fixture("test-key.pem").display(),
        pat = write_file(&inputs, "pat.txt", "p-first"),
        pat2 = write_file(&inputs, "pat2.txt", "p-second"),
    );
    let out = std::process::Command::new("dbus-run-session")
        .args(["--", &format!("{ROOT}/scripts/with-keyring"), "sh", "-c", &script])
        .env("LAKEKEY_CONFIG_DIR", user.config.path())
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for cmd in ["token", "status", "logout", "import"] {
        assert!(stdout.contains(&format!("{cmd} exit=4")), "{cmd}: {stdout}\n{stderr}");
    }
    assert!(stdout.contains("items=1"), "logout kept the record it could not read: {stdout}\n{stderr}");
    assert!(stderr.contains("keychain is locked"), "{stderr}");
    // The prompt could not be shown (no display): one attempt per command, not a second prompt.
    assert_eq!(stderr.matches("Activating service name='org.gnome.keyring.SystemPrompter'").count(), 4, "one prompt per command: {stderr}");
    assert!(stderr.contains("--local-only"), "logout says how to forget without revoking: {stderr}");
    let written: String = walk(user.config.path()).iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).collect();
    assert!(!written.contains("p-second") && !written.contains("PRIVATE KEY"), "no fallback to a file");
}

/// A file of the test's inputs (kept apart from the config directory it inspects).
fn write_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() { walk(&path) } else { vec![path] }
        })
        .collect()
}
