//! The Tauri commands: each one calls the engine and maps its result for the webview. No auth
//! logic, URL rule or JWT code lives here. Tokens never cross to the webview: copying happens here.
//! The command list is declared once, in [`handler`], so a missing command fails to compile.

use crate::app_state::AppState;
use crate::clipboard::CopyFormat;
use crate::copying::{copy_to_clipboard, Copied};
use crate::listing::{profile_views, profiles_changed};
use crate::ipc_error::{IpcError, IpcResult};
use crate::settings::Settings;
use crate::views::{AppInfo, DemoInfo, Derived, DeviceEventPayload, FileKind, KeyInfo, PatForm, ProfileView, TokenDetails};
use lakekey::device_flow::DeviceEvent;
use lakekey::engine::{PatImport, PatImported};
use lakekey::profile::{check_name, NetworkConfig, Profile};
use lakekey::{ErrorCode, Secret};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// Every command the webview may call, in one place.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_info,
        list_profiles,
        preview_profile,
        save_profile,
        remove_profile,
        set_default_profile,
        start_device_login,
        cancel_device_login,
        pick_file,
        inspect_key,
        import_pat,
        import_token,
        copy,
        token_details,
        sign_out,
        get_settings,
        save_settings,
        start_demo,
        open_url,
        open_log_folder,
    ]
}

/// Sign-in progress, sent by [`start_device_login`] (the other events are declared beside their
/// senders: `listing::EVENT_PROFILES`, `copying::EVENT_CLIPBOARD`).
pub const EVENT_DEVICE: &str = "device-event";


#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo { version: env!("CARGO_PKG_VERSION"), demo_running: state.demo_base_url().is_some(), config_dir: state.config_dir().display().to_string() }
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileView>> {
    let views = profile_views(&state);
    crate::desktop::startup_probe();
    views
}

#[tauri::command]
pub fn preview_profile(state: State<'_, AppState>, input: Profile) -> IpcResult<Derived> {
    let resolved = input.normalized().resolve("preview")?;
    let suggested_name = state.engine().config()?.suggested_name(&resolved.org_id);
    Ok(Derived { suggested_name, ..Derived::from(&resolved) })
}

#[tauri::command]
pub async fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    input: Profile,
    make_default: bool,
) -> IpcResult<Derived> {
    let name = name.trim().to_string();
    check_name(&name)?;
    let resolved = state.engine().add_profile(&name, input, make_default)?;
    profiles_changed(&app);
    Ok(Derived::from(&resolved))
}

#[tauri::command]
pub async fn remove_profile<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    state.engine().remove_profile(&name).await?;
    state.set_problem(&name, None);
    profiles_changed(&app);
    Ok(())
}

#[tauri::command]
pub async fn set_default_profile<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    state.engine().set_default(&name)?;
    profiles_changed(&app);
    Ok(())
}


/// Starts the profile's sign-in in the background (the browser sign-in for `browser` profiles,
/// else the device flow); progress arrives as `device-event`s.
#[tauri::command]
pub async fn start_device_login<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let cancel = lakekey::Cancel::new();
    if let Some(previous) = state.sign_ins.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), cancel.clone()) {
        previous.cancel();
    }
    let engine = state.engine();
    tauri::async_runtime::spawn(async move {
        let emit = |event: DeviceEvent, qr: Option<String>, notes: Vec<String>| {
            let _ = app.emit(EVENT_DEVICE, DeviceEventPayload { profile: name.clone(), event, qr, notes });
        };
        let mut signed_in = None;
        let mut on_event = |event: &DeviceEvent| {
            // Sent once the engine has returned, with what the user should know about it.
            if let DeviceEvent::SignedIn { expires_at } = event {
                signed_in = Some(*expires_at);
                return;
            }
            let qr = match event {
                DeviceEvent::Code { verification_uri, verification_uri_complete, .. } => {
                    let url = verification_uri_complete.as_deref().unwrap_or(verification_uri);
                    if !crate::test_hooks::no_browser() {
                        use tauri_plugin_opener::OpenerExt;
                        let _ = app.opener().open_url(url, None::<&str>);
                    }
                    qr_svg(url)
                }
                _ => None,
            };
            emit(event.clone(), qr, Vec::new());
        };
        log::info!("sign-in started for profile `{name}`");
        // A `browser` profile signs in through the user's browser on this computer (the one
        // thing that always opens it, test builds included); others with the device flow.
        let opener = app.clone();
        let open = move |url: &str| {
            use tauri_plugin_opener::OpenerExt;
            opener.opener().open_url(url, None::<&str>).map_err(|e| e.to_string())
        };
        let result = engine.login(Some(&name), false, lakekey::Browser::Opener(&open), &cancel, &mut on_event).await;
        match &result {
            Ok(done) => {
                log::info!("sign-in of profile `{name}` succeeded");
                let expires_at = signed_in.or(done.status.expires_at).unwrap_or_default();
                emit(DeviceEvent::SignedIn { expires_at }, None, done.notes());
            }
            Err(e) => {
                log::warn!("sign-in of profile `{name}` ended ({}): {}", e.code(), e.message());
                emit(DeviceEvent::failed(e), None, Vec::new());
            }
        }
        let state = app.state::<AppState>();
        state.sign_ins.lock().unwrap_or_else(|p| p.into_inner()).remove(&name);
        state.set_problem(&name, None);
        state.wake.notify_one();
        profiles_changed(&app);
    });
    Ok(())
}

#[tauri::command]
pub fn cancel_device_login(state: State<'_, AppState>, name: String) {
    if let Some(cancel) = state.sign_ins.lock().unwrap_or_else(|p| p.into_inner()).remove(&name) {
        cancel.cancel();
    }
}

fn qr_svg(url: &str) -> Option<String> {
    use base64::Engine as _;
    let svg = lakekey::qr_code::svg(url)?;
    Some(format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg)))
}


/// A native file picker. Only the chosen path reaches the webview, never the file's content.
/// (In test builds, [`crate::test_hooks::picked_file`] may answer instead of the dialog.)
#[tauri::command]
pub async fn pick_file<R: Runtime>(app: AppHandle<R>, kind: FileKind) -> IpcResult<Option<String>> {
    let name = match kind {
        FileKind::Pat => "pat",
        FileKind::Pem => "pem",
        FileKind::Ca => "ca",
    };
    if let Some(path) = crate::test_hooks::picked_file(name) {
        return Ok(Some(path));
    }
    use tauri_plugin_dialog::DialogExt;
    let (title, filter, exts): (&str, &str, &[&str]) = match kind {
        FileKind::Pat => ("Choose the PAT file", "Text", &["txt", "pat", "token"]),
        FileKind::Pem => ("Choose the PEM private key", "PEM key", &["pem", "key"]),
        FileKind::Ca => ("Choose a CA certificate file", "PEM certificate", &["pem", "crt", "cer"]),
    };
    let picked = app.dialog().file().set_title(title).add_filter(filter, exts).add_filter("All files", &["*"]).blocking_pick_file();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}


/// What the PAT form needs to know about a chosen key file before the import.
#[tauri::command]
pub fn inspect_key(state: State<'_, AppState>, path: String) -> IpcResult<KeyInfo> {
    let facts = state.engine().inspect_key(&PathBuf::from(path))?;
    Ok(KeyInfo { encrypted: facts.encrypted, kid: facts.kid, warning: facts.warning })
}


#[tauri::command]
pub async fn import_pat<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, form: PatForm) -> IpcResult<PatImported> {
    let nonempty = |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let import = PatImport {
        pat: form.pat.filter(|p| !p.trim().is_empty()).map(Secret::from),
        pat_file: nonempty(form.pat_file).map(PathBuf::from),
        pem_file: PathBuf::from(form.pem_file),
        passphrase: form.passphrase.filter(|p| !p.is_empty()).map(Secret::from),
        username: nonempty(Some(form.username)),
        kid: nonempty(form.kid),
        expiration_time: form.expiration_time,
        valid_from: None,
        validate: form.validate,
    };
    let imported = state.engine().import_pat(Some(&name), import).await.inspect_err(|e| {
        log::warn!("PAT sign-in of profile `{name}` failed ({}): {}", e.code(), e.message());
    })?;
    log::info!("PAT sign-in of profile `{name}` as {} (key id {}): {:?}", imported.username, imported.kid, imported.validation);
    state.set_problem(&name, None);
    profiles_changed(&app);
    Ok(imported)
}

#[tauri::command]
pub async fn import_token<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, token: String) -> IpcResult<Vec<String>> {
    let signed_in = state.engine().import_token(Some(&name), Secret::from(token)).await?;
    profiles_changed(&app);
    // Where the secrets are kept, and every warning: for the user to read.
    Ok(signed_in.notes())
}

/// Copies a fresh token (as token, header or teradataml snippet) and schedules the clear.
#[tauri::command]
pub async fn copy<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, format: CopyFormat) -> IpcResult<Copied> {
    copy_to_clipboard(&app, &state, &name, format).await
}

#[tauri::command]
pub async fn token_details(state: State<'_, AppState>, name: String) -> IpcResult<TokenDetails> {
    let status = state.engine().status(Some(&name))?;
    if status.credential.is_none() {
        return Err(IpcError::new(ErrorCode::SignInRequired, format!("Profile `{name}` is not signed in.")));
    }
    let claims = status.claims.unwrap_or_default();
    let valid_from = claims.get("nbf").or_else(|| claims.get("iat")).and_then(|v| v.as_u64());
    Ok(TokenDetails {
        header: status.header.unwrap_or_default(),
        claims,
        valid_from,
        expires_at: status.expires_at,
        preview: status.token_preview,
        store: status.store.describe().to_string(),
        store_notice: status.store.notice(),
    })
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, local_only: bool) -> IpcResult<bool> {
    let revoked = state
        .engine()
        .logout(Some(&name), local_only)
        .await
        .inspect_err(|e| log::warn!("sign-out of profile `{name}` failed ({}): {}", e.code(), e.message()))?
        .revoked;
    log::info!("signed out of profile `{name}` (revoked at the IdP: {revoked})");
    state.set_problem(&name, None);
    profiles_changed(&app);
    Ok(revoked)
}

#[tauri::command]
pub fn get_settings<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<Settings> {
    let mut settings = state.settings();
    let network = state.engine().config()?.network;
    settings.https_proxy = network.https_proxy;
    settings.extra_ca_file = network.extra_ca_file;
    settings.autostart_problem = crate::autostart::autostart_problem(&app, settings.start_at_login);
    settings.log_dir = app.path().app_log_dir().ok();
    Ok(settings)
}


#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    settings.check()?;
    let network = NetworkConfig {
        https_proxy: settings.https_proxy.clone().filter(|p| !p.trim().is_empty()),
        extra_ca_file: settings.extra_ca_file.clone().filter(|p| !p.as_os_str().is_empty()),
    };
    state.engine().set_network(network)?;
    settings.save(state.config_dir())?;
    *state.settings.write().unwrap_or_else(|p| p.into_inner()) = settings.clone();
    log::set_max_level(crate::settings::log_level(&settings));
    state.reload_engine();
    state.wake.notify_one();
    let mut saved = settings;
    saved.autostart_problem = crate::autostart::apply_autostart(&app, saved.start_at_login).err();
    saved.log_dir = app.path().app_log_dir().ok();
    log::info!("settings saved (log level {}, start at login {})", saved.log_level, saved.start_at_login);
    Ok(saved)
}


/// Opens the folder of the app's log files in the file manager.
#[tauri::command]
pub fn open_log_folder<R: Runtime>(app: AppHandle<R>) -> IpcResult<String> {
    use tauri_plugin_opener::OpenerExt;
    let dir = app.path().app_log_dir().map_err(|e| IpcError::new(ErrorCode::Internal, format!("The log folder is unknown ({e}).")))?;
    std::fs::create_dir_all(&dir).map_err(|e| IpcError::new(ErrorCode::Internal, format!("Cannot create {}: {e}.", dir.display())))?;
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not open {} ({e}).", dir.display())))?;
    Ok(dir.display().to_string())
}


/// Starts the built-in demo environment (once) and adds its two profiles.
#[tauri::command]
pub async fn start_demo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<DemoInfo> {
    let info = crate::demo_setup::setup_demo(&state)?;
    profiles_changed(&app);
    Ok(info)
}



/// Opens the IdP's verification page in the default browser (only http(s) URLs).
#[tauri::command]
pub fn open_url<R: Runtime>(app: AppHandle<R>, url: String) -> IpcResult<()> {
    if !(url.starts_with("https://") || url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost")) {
        return Err(IpcError::new(ErrorCode::InvalidInput, "Only https:// (or loopback) addresses are opened."));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(&url, None::<&str>)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not open a browser ({e}); open the address yourself.")))
}
