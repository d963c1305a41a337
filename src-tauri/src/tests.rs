//! The commands through Tauri's mock runtime: no window, a mock keychain, a temporary config
//! directory. These read as examples of the IPC the webview uses.

use crate::app_state::AppState;
use crate::commands;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewUrl, WebviewWindow, WebviewWindowBuilder};

struct Host {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

fn host() -> Host {
    let dir = tempfile::tempdir().unwrap();
    let keychain = lakekey::keychain::Keychain::with_store(keyring_core::mock::Store::new().unwrap(), None);
    let app = mock_builder()
        .manage(AppState::new(dir.path().to_path_buf(), Some(keychain)))
        .invoke_handler(commands::handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    Host { _app: app, window, dir }
}

impl Host {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // The app's own origin, which Tauri allows to call its commands.
                url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }
}

const URL: &str = "https://acme.example.com/api/accounts/env-1";

#[test]
fn preview_shows_what_is_derived_and_errors_carry_codes() {
    let h = host();
    let derived = h.call("preview_profile", json!({ "input": { "base_url": format!("{URL}/") } })).unwrap();
    assert_eq!(derived["orgId"], "acme");
    assert_eq!(derived["envId"], "env-1");
    assert_eq!(derived["issuer"], format!("{URL}/auth"));
    assert_eq!(derived["clientId"], "acme-oaf-device");
    let err = h.call("preview_profile", json!({ "input": { "base_url": format!("{URL}/open-analytics") } })).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert!(err["message"].as_str().unwrap().contains("service URL"));
}

#[test]
fn profiles_are_saved_listed_made_default_and_removed() {
    let h = host();
    assert_eq!(h.call("list_profiles", json!({})).unwrap(), json!([]));
    h.call("save_profile", json!({ "name": "prod", "input": { "base_url": URL }, "makeDefault": false })).unwrap();
    h.call("save_profile", json!({ "name": "dev", "input": { "base_url": URL, "method": "pat", "username": "U" }, "makeDefault": true })).unwrap();
    let list = h.call("list_profiles", json!({})).unwrap();
    let names: Vec<_> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "prod"]);
    assert_eq!(list[0]["isDefault"], true);
    assert_eq!(list[0]["state"], "needs_sign_in");
    h.call("set_default_profile", json!({ "name": "prod" })).unwrap();
    assert_eq!(h.call("list_profiles", json!({})).unwrap()[1]["isDefault"], true);
    h.call("remove_profile", json!({ "name": "dev" })).unwrap();
    assert_eq!(h.call("list_profiles", json!({})).unwrap().as_array().unwrap().len(), 1);
    let err = h.call("save_profile", json!({ "name": "a b", "input": { "base_url": URL }, "makeDefault": false })).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
}

#[test]
fn no_payload_to_the_webview_carries_a_token_or_the_pat() {
    let h = host();
    h.call("save_profile", json!({ "name": "p", "input": { "base_url": URL, "method": "pat" }, "makeDefault": true })).unwrap();
    let key = h.dir.path().join("key1.pem");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/test-key.pem"), &key).unwrap();
    let pat = "PAT-SECRET-0123456789";
    let imported = h
        .call(
            "import_pat",
            json!({ "name": "p", "form": { "pat": pat, "pemFile": key.display().to_string(), "username": "ANALYST", "validate": false } }),
        )
        .unwrap();
    assert_eq!(imported["kid"], "key1");
    let info = h.call("inspect_key", json!({ "path": key.display().to_string() })).unwrap();
    assert_eq!(info["kid"], "key1");
    assert_eq!(info["encrypted"], false);

    let state = h._app.state::<AppState>();
    let token = tauri::async_runtime::block_on(state.engine().token(Some("p"), 60)).unwrap().secret;
    let signature = token.expose().rsplit('.').next().unwrap().to_string();
    let payloads = [
        h.call("list_profiles", json!({})).unwrap(),
        h.call("token_details", json!({ "name": "p" })).unwrap(),
        h.call("app_info", json!({})).unwrap(),
        imported,
    ];
    for payload in payloads {
        let text = payload.to_string();
        assert!(!text.contains(pat), "PAT leaked: {text}");
        assert!(!text.contains(token.expose()), "token leaked: {text}");
        assert!(!text.contains(&signature), "signature leaked: {text}");
    }
    let details = h.call("token_details", json!({ "name": "p" })).unwrap();
    assert_eq!(details["claims"]["sub"], "ANALYST");
    assert!(details["claims"].get("pat").is_none());
    assert_eq!(details["header"]["kid"], "key1");
}

#[test]
fn copying_without_a_sign_in_is_a_typed_error() {
    let h = host();
    h.call("save_profile", json!({ "name": "p", "input": { "base_url": URL }, "makeDefault": true })).unwrap();
    let err = h.call("copy", json!({ "name": "p", "format": "token" })).unwrap_err();
    assert_eq!(err["code"], "sign_in_required");
    let err = h.call("token_details", json!({ "name": "p" })).unwrap_err();
    assert_eq!(err["code"], "sign_in_required");
}

#[test]
fn settings_are_checked_saved_and_network_goes_to_the_engine() {
    let h = host();
    let settings = h.call("get_settings", json!({})).unwrap();
    assert_eq!(settings["clipboardClearSecs"], 45);
    let err = h.call("save_settings", json!({ "settings": { "clipboardClearSecs": 1 } })).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    let err = h.call("save_settings", json!({ "settings": { "httpsProxy": "not a url" } })).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    h.call("save_settings", json!({ "settings": { "clipboardClearSecs": 20, "httpsProxy": "http://127.0.0.1:3128" } })).unwrap();
    let settings = h.call("get_settings", json!({})).unwrap();
    assert_eq!(settings["clipboardClearSecs"], 20);
    assert_eq!(settings["httpsProxy"], "http://127.0.0.1:3128");
    let profiles = std::fs::read_to_string(h.dir.path().join("profiles.toml")).unwrap();
    assert!(profiles.contains("https_proxy"), "{profiles}");
}

#[test]
fn the_demo_adds_two_marked_profiles() {
    let h = host();
    let demo = h.call("start_demo", json!({})).unwrap();
    assert!(std::path::Path::new(demo["pemFile"].as_str().unwrap()).exists());
    let list = h.call("list_profiles", json!({})).unwrap();
    assert!(list.as_array().unwrap().iter().all(|p| p["demo"] == true));
    assert_eq!(h.call("app_info", json!({})).unwrap()["demoRunning"], true);
}

#[test]
fn a_listing_takes_statuses_the_refresher_just_read_instead_of_reading_again() {
    let h = host();
    h.call("save_profile", json!({ "name": "prod", "input": { "base_url": URL }, "makeDefault": true })).unwrap();
    let state = h._app.state::<AppState>();
    // Nothing is stored for `prod`: read from the keychain, it needs a sign-in.
    let read = crate::listing::profile_views(&state).unwrap();
    assert_eq!(serde_json::to_value(read[0].state).unwrap(), "needs_sign_in");
    // Given the status the refresher holds (it just refreshed), the view shows that one.
    let mut status = state.engine().status(Some("prod")).unwrap();
    status.signed_in = true;
    status.credential = Some("device");
    status.expires_at = Some(state.engine().now() + 600);
    let known = std::collections::HashMap::from([("prod".to_string(), status)]);
    let given = crate::listing::profile_views_with(&state, &known).unwrap();
    assert_eq!(serde_json::to_value(given[0].state).unwrap(), "signed_in");
    assert_eq!(given[0].expires_at, known["prod"].expires_at);
}

use tauri::Manager;
