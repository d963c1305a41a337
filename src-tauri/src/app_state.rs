//! The desktop app's shared state: the engine, settings, running sign-ins, refresh problems,
//! the clipboard, and the demo server when it runs.

use crate::clipboard::SecretClipboard;
use crate::demo::DemoServer;
use crate::settings::Settings;
use lakekey::clock::SystemClock;
use lakekey::keychain::Keychain;
use lakekey::{Cancel, Engine};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::Notify;

pub struct AppState {
    config_dir: PathBuf,
    keychain: Option<Keychain>,
    engine: RwLock<Arc<Engine>>,
    pub settings: RwLock<Settings>,
    pub sign_ins: Mutex<HashMap<String, Cancel>>,
    /// Why the last background refresh of a profile failed.
    pub problems: Mutex<HashMap<String, String>>,
    pub clipboard: SecretClipboard,
    pub demo: Mutex<Option<DemoServer>>,
    /// Wakes the background refresher early (a sign-in, a setting changed).
    pub wake: Notify,
    /// What the refresher's last pass saw of each profile (kind of credential, expiry): a
    /// difference means something changed outside the app, such as a sign-in with the CLI.
    pub seen: Mutex<HashMap<String, (Option<&'static str>, Option<u64>)>>,
}

impl AppState {
    /// `keychain` is None for the OS keychain; tests pass a mock store.
    pub fn new(config_dir: PathBuf, keychain: Option<Keychain>) -> Self {
        let settings = Settings::load(&config_dir).unwrap_or_default();
        let engine = Arc::new(Engine::new(config_dir.clone(), keychain.clone(), Arc::new(SystemClock)));
        AppState {
            config_dir,
            keychain,
            engine: RwLock::new(engine),
            settings: RwLock::new(settings),
            sign_ins: Mutex::default(),
            problems: Mutex::default(),
            clipboard: SecretClipboard::default(),
            demo: Mutex::new(None),
            wake: Notify::new(),
            seen: Mutex::default(),
        }
    }

    pub fn engine(&self) -> Arc<Engine> {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A fresh engine, so changed network settings take effect for the next request.
    pub fn reload_engine(&self) {
        let engine = Arc::new(Engine::new(self.config_dir.clone(), self.keychain.clone(), Arc::new(SystemClock)));
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = engine;
    }

    pub fn config_dir(&self) -> &PathBuf {
        &self.config_dir
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn problem(&self, profile: &str) -> Option<String> {
        self.problems.lock().unwrap_or_else(|p| p.into_inner()).get(profile).cloned()
    }

    pub fn set_problem(&self, profile: &str, problem: Option<String>) {
        let mut problems = self.problems.lock().unwrap_or_else(|p| p.into_inner());
        match problem {
            Some(p) => problems.insert(profile.to_string(), p),
            None => problems.remove(profile),
        };
    }

    pub fn demo_base_url(&self) -> Option<String> {
        self.demo.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|d| d.base_url.clone())
    }
}
