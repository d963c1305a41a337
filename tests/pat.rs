//! PAT + PEM sign-in end to end: `lakekey pat import` validates against a fake Lake control plane
//! that checks the JWT with Node's crypto (not LakeKey's code), and keeps the key in the keychain.
//! The warning for a key file other users can read is Unix only (Windows ACLs are not read).

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use support::*;

/// Sets a file's Unix mode (a no-op on Windows, where LakeKey does not inspect ACLs).
fn set_mode(path: &std::path::Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

const PAT: &str = "pat-0123456789abcdef";

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// A PAT profile plus a private copy of the test key named `key1.pem` (so kid = key1).
fn setup(idp: &Idp) -> (User, String, tempfile::TempDir) {
    let user = User::new();
    let profile = unique("pat");
    user.run(&["profile", "add", &profile, "--base-url", &idp.base_url, "--method", "pat", "--org-id", "acme"]).ok();
    let files = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("test-key.pem"), files.path().join("key1.pem")).unwrap();
    set_mode(&files.path().join("key1.pem"), 0o600);
    std::fs::write(files.path().join("pat.txt"), format!("  {PAT}\n")).unwrap();
    (user, profile, files)
}

#[test]
fn import_validates_with_lake_and_later_tokens_need_no_file() {
    let idp = Idp::start(&[]);
    idp.register_lake_key("key1", &std::fs::read_to_string(fixture("test-public-key.pem")).unwrap(), PAT, "ANALYST");
    let (user, profile, files) = setup(&idp);
    let pem = files.path().join("key1.pem");
    let pat_file = files.path().join("pat.txt");

    let out = user
        .run(&["pat", "import", "--profile", &profile, "--pat-file", pat_file.to_str().unwrap(), "--pem", pem.to_str().unwrap(), "--username", "ANALYST"])
        .ok();
    assert!(out.stdout.contains("Lake accepted the token"), "{out:?}");
    if store() == Store::Kernel {
        // The kernel keyring forgets the key at the next restart: the file is its lasting copy.
        assert!(out.stdout.contains("Keep the PEM file") && !out.stdout.contains("no longer needs"), "{out:?}");
        assert!(!format!("{}{}", out.stdout, out.stderr).to_lowercase().contains("delete"), "no message says the PEM may be deleted: {out:?}");
        let status = user.run(&["status", "--profile", &profile]).ok();
        assert!(status.stdout.contains("kept until restart"), "{status:?}");
    } else {
        assert!(out.stdout.contains("no longer needs the PEM file"), "{out:?}");
    }
    assert!(!out.stderr.contains("warning"), "a 0600 key gets no warning: {out:?}");
    assert_eq!(idp.stats()["validations"][0]["ok"], true);

    // The key is in the keychain: the file can go.
    std::fs::remove_dir_all(files.path()).unwrap();
    let token = user.run(&["token", "--profile", &profile]).ok().stdout;
    let c = claims(token.trim());
    assert_eq!(c["sub"], "ANALYST");
    assert_eq!(c["org_id"], "acme");
    assert_eq!(c["pat"], PAT);
    assert_eq!(c["iat"], 0);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RS256", "kid": "key1", "typ": "JWT"}));

    let status = user.run(&["status", "--profile", &profile, "--json"]).ok();
    assert!(!status.stdout.contains(PAT) && !status.stderr.contains(PAT), "status never shows the PAT");
    assert_eq!(status.json()["validation"], "accepted");
    assert!(status.json()["claims"].get("pat").is_none());

    // On Linux a credential is one item; at the Windows chunk size (Windows' own, and here through
    // LAKEKEY_KEYCHAIN_CHUNK_BYTES) a PAT JWT plus a 2 KiB PEM key takes several, and reads back
    // the same.
    if cfg!(windows) {
        assert!(keychain_items(&profile).len() >= 3, "{:?}", keychain_items(&profile));
    } else {
        assert_eq!(keychain_items(&profile).len(), 1, "{:?}", keychain_items(&profile));
    }
    let pem = fixture("test-key.pem");
    let windows_size = |args: &[&str]| Run::from(user.cmd(args).env("LAKEKEY_KEYCHAIN_CHUNK_BYTES", "1000").output().unwrap());
    windows_size(&["pat", "import", "--profile", &profile, "--pat", PAT, "--pem", pem.to_str().unwrap(), "--username", "ANALYST"]).ok();
    assert!(keychain_items(&profile).len() >= 3, "{:?}", keychain_items(&profile));
    assert_eq!(claims(user.run(&["token", "--profile", &profile]).ok().stdout.trim())["sub"], "ANALYST", "read back whole");
    user.run(&["logout", "--profile", &profile]).ok();
    assert!(keychain_items(&profile).is_empty());
}

#[test]
fn a_rejected_token_stores_nothing() {
    let idp = Idp::start(&[]);
    idp.register_lake_key("key1", &std::fs::read_to_string(fixture("test-public-key.pem")).unwrap(), "another-pat", "ANALYST");
    let (user, profile, files) = setup(&idp);
    let pem = files.path().join("key1.pem");
    user.run(&["pat", "import", "--profile", &profile, "--pat", PAT, "--pem", pem.to_str().unwrap(), "--username", "ANALYST"])
        .fails_with(6, "Lake rejected the token (HTTP 401)");
    assert!(keychain_items(&profile).is_empty());
    user.run(&["token", "--profile", &profile]).fails_with(3, "not signed in");
}

#[test]
fn no_answer_from_lake_stores_the_token_as_not_validated() {
    let idp = Idp::start(&[]);
    let (user, profile, files) = setup(&idp);
    let pem = files.path().join("key1.pem");
    idp.control(serde_json::json!({ "failNext": [503] }));
    let out = user
        .run(&["pat", "import", "--profile", &profile, "--pat", PAT, "--pem", pem.to_str().unwrap(), "--username", "ANALYST"])
        .ok();
    assert!(out.stdout.contains("NOT validated") && out.stdout.contains("HTTP 503"), "{out:?}");
    assert_eq!(user.run(&["status", "--profile", &profile, "--json"]).ok().json()["validation"], "not_validated");
    user.run(&["token", "--profile", &profile]).ok();
    user.run(&["logout", "--profile", &profile]).ok();
}

#[test]
fn encrypted_keys_kid_override_and_a_world_readable_key_warning() {
    let idp = Idp::start(&[]);
    let (user, profile, files) = setup(&idp);
    let enc = files.path().join("renamed(1).pem");
    std::fs::copy(fixture("test-key-encrypted.pem"), &enc).unwrap();
    set_mode(&enc, 0o644);
    let out = Run::from(
        user.cmd(&[
            "pat", "import", "--profile", &profile, "--pat", PAT, "--pem", enc.to_str().unwrap(), "--username", "ANALYST",
            "--kid", "key1", "--expiration-time", "600", "--valid-from", "1700000000", "--no-validate",
        ])
        .env("LAKEKEY_PEM_PASSPHRASE", "correct horse")
        .output()
        .unwrap(),
    )
    .ok();
    assert_eq!(out.stderr.contains("can be read by other users"), cfg!(unix), "{out:?}");
    if store() == Store::Kernel {
        assert!(!out.stderr.to_lowercase().contains("delete") && out.stderr.contains("keep it"), "never 'delete' where the key is gone at restart: {out:?}");
    }
    assert!(out.stdout.contains("NOT validated") && out.stdout.contains("skipped"), "{out:?}");
    let token = user.run(&["token", "--profile", &profile, "--min-valid", "0"]).ok().stdout;
    let c = claims(token.trim());
    assert_eq!(c["iat"], 1_700_000_000);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["kid"], "key1");
    let exp = c["exp"].as_u64().unwrap();
    // 600 s tokens: asking for more than any has is no reason to sign a new one before half of
    // its life is gone; the current one is handed out with a note on stderr.
    let longer = user.run(&["token", "--profile", &profile, "--min-valid", "900"]).ok();
    assert!(longer.stderr.contains("less than the 900 s asked for"), "{longer:?}");
    assert!(claims(longer.stdout.trim())["exp"].as_u64().unwrap() >= exp);
    user.run(&["logout", "--profile", &profile]).ok();
}

#[test]
fn the_pat_can_come_from_standard_input_and_on_the_command_line_it_is_warned_about() {
    let idp = Idp::start(&[]);
    let (user, profile, files) = setup(&idp);
    let pem = files.path().join("key1.pem");
    let mut child = user
        .cmd(&["pat", "import", "--profile", &profile, "--pat-file", "-", "--pem", pem.to_str().unwrap(), "--username", "ANALYST", "--no-validate"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{PAT}\n").as_bytes()).unwrap();
    let run = Run::from(child.wait_with_output().unwrap()).ok();
    assert!(!run.stderr.contains("warning"), "{run:?}");
    assert_eq!(claims(user.run(&["token", "--profile", &profile]).ok().stdout.trim())["pat"], PAT);

    let run = user
        .run(&["pat", "import", "--profile", &profile, "--pat", PAT, "--pem", pem.to_str().unwrap(), "--username", "ANALYST", "--no-validate"])
        .ok();
    assert!(run.stderr.contains("warning: --pat puts the PAT in the process list"), "{run:?}");
    // Nothing on standard input is a clear error, not an empty PAT.
    user.run(&["pat", "import", "--profile", &profile, "--pat-file", "-", "--pem", pem.to_str().unwrap(), "--username", "ANALYST"])
        .fails_with(6, "PAT");
    user.run(&["logout", "--profile", &profile]).ok();
}
