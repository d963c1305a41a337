//! The demo environment's set-up: starts the built-in demo server (`demo`) once, writes its PAT
//! and key where the file pickers find them, and adds its two profiles.

use crate::app_state::AppState;
use crate::demo;
use crate::ipc_error::{IpcError, IpcResult};
use crate::views::DemoInfo;
use lakekey::{ErrorCode, Method, Profile};

pub fn setup_demo(state: &AppState) -> IpcResult<DemoInfo> {
    let base_url = {
        let mut demo = state.demo.lock().unwrap_or_else(|p| p.into_inner());
        if demo.is_none() {
            *demo = Some(demo::start().map_err(|e| IpcError::new(ErrorCode::Internal, format!("The demo environment could not start ({e}).")))?);
        }
        demo.as_ref().expect("started").base_url.clone()
    };
    // The demo key and PAT are written where the file pickers can find them.
    let files = state.config_dir().join("demo");
    std::fs::create_dir_all(&files).map_err(|e| IpcError::new(ErrorCode::Internal, format!("Cannot write the demo files: {e}.")))?;
    let (pat_file, pem_file) = (files.join("demo-pat.txt"), files.join("demo-key.pem"));
    write_private(&pat_file, demo::PAT)?;
    write_private(&pem_file, demo::KEY_PEM)?;
    let engine = state.engine();
    let first = engine.config()?.profiles.is_empty();
    let device = Profile { base_url: base_url.clone(), method: Method::Device, org_id: Some(demo::ORG_ID.into()), ..Default::default() };
    engine.add_profile("demo-device", device, first)?;
    let pat = Profile { base_url, method: Method::Pat, org_id: Some(demo::ORG_ID.into()), username: Some(demo::USERNAME.into()), ..Default::default() };
    engine.add_profile("demo-pat", pat, false)?;
    Ok(DemoInfo {
        device_profile: "demo-device".into(),
        pat_profile: "demo-pat".into(),
        pat_file: pat_file.display().to_string(),
        pem_file: pem_file.display().to_string(),
        username: demo::USERNAME.into(),
    })
}

fn write_private(path: &std::path::Path, text: &str) -> IpcResult<()> {
    let write = || -> std::io::Result<()> {
        std::fs::write(path, text)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    };
    write().map_err(|e| IpcError::new(ErrorCode::Internal, format!("Cannot write {}: {e}.", path.display())))
}
