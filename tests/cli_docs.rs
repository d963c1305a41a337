//! What the CLI generates from its own argument definitions: completion scripts and man pages
//! (the packages install both), and the machine-readable error format.

mod support;

use support::*;

#[test]
fn completions_and_man_pages_come_from_the_argument_definitions() {
    let user = User::new();
    let bash = user.run(&["completions", "bash"]).ok().stdout;
    assert!(bash.contains("_lakekey()") && bash.contains("--min-valid"), "{bash}");
    for shell in ["zsh", "fish", "powershell"] {
        assert!(user.run(&["completions", shell]).ok().stdout.contains("min-valid"), "{shell}");
    }
    user.run(&["completions", "tcsh"]).fails_with(2, "invalid value");

    let dir = tempfile::tempdir().unwrap();
    user.run(&["man", dir.path().to_str().unwrap()]).ok();
    let page = std::fs::read_to_string(dir.path().join("lakekey-token.1")).unwrap();
    assert!(page.contains("\n.TH lakekey-token 1 ") && page.contains("\n.SH NAME\nlakekey\\-token \\- Print a bearer token"), "{page}");
    assert!(page.contains("min\\-valid"), "{page}");
    assert!(dir.path().join("lakekey-pat-import.1").exists());
    assert!(!dir.path().join("lakekey-man.1").exists(), "the hidden generator has no page");
}

#[test]
fn errors_can_be_read_by_programs() {
    let user = User::new();
    let run = user.run(&["--error-format", "json", "token", "--profile", "nowhere"]);
    assert_eq!(run.code, 6);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"]["code"], "profile_not_found");
    assert!(error["error"]["message"].as_str().unwrap().contains("nowhere"));
}
