//! The desktop app's own settings (`desktop.toml` next to the profiles). Network settings (proxy,
//! extra CA) belong to the engine and live in the profile file, so the CLI uses them too.

use lakekey::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE: &str = "desktop.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Seconds until a copied token is cleared from the clipboard (if it is still there).
    pub clipboard_clear_secs: u64,
    /// Tokens are refreshed or re-signed when less than this is left.
    pub refresh_margin_secs: u64,
    pub https_proxy: Option<String>,
    pub extra_ca_file: Option<PathBuf>,
    pub start_at_login: bool,
    /// How much goes into the app's log file: `error`, `warn`, `info`, `debug` or `trace`
    /// (`LAKEKEY_LOG` overrides it for a run).
    pub log_level: String,
    /// Why start-at-login is not in the state asked for, if it is not (read from the OS, never
    /// saved).
    #[serde(skip_deserializing)]
    pub autostart_problem: Option<String>,
    /// Where the log files are (never saved).
    #[serde(skip_deserializing)]
    pub log_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clipboard_clear_secs: 45,
            refresh_margin_secs: 120,
            https_proxy: None,
            extra_ca_file: None,
            start_at_login: false,
            log_level: "info".into(),
            autostart_problem: None,
            log_dir: None,
        }
    }
}

/// The levels the log accepts, from least to most detailed.
pub const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

/// The level from `LAKEKEY_LOG` (a level name) if set, else the settings'.
pub fn log_level(settings: &Settings) -> log::LevelFilter {
    let chosen = std::env::var("LAKEKEY_LOG").ok().filter(|v| LOG_LEVELS.contains(&v.as_str())).unwrap_or_else(|| settings.log_level.clone());
    chosen.parse().unwrap_or(log::LevelFilter::Info)
}

impl Settings {
    pub fn check(&self) -> Result<(), Error> {
        if !(5..=3600).contains(&self.clipboard_clear_secs) {
            return Err(Error::new(ErrorCode::InvalidInput, "The clipboard clear time must be between 5 seconds and 1 hour."));
        }
        if !(30..=3600).contains(&self.refresh_margin_secs) {
            return Err(Error::new(ErrorCode::InvalidInput, "The refresh margin must be between 30 seconds and 1 hour."));
        }
        if !LOG_LEVELS.contains(&self.log_level.as_str()) {
            return Err(Error::new(ErrorCode::InvalidInput, format!("The log level must be one of {}.", LOG_LEVELS.join(", "))));
        }
        Ok(())
    }

    /// Reads the file; a missing file means defaults, an unreadable one is reported, not replaced.
    pub fn load(dir: &Path) -> Result<Settings, Error> {
        match std::fs::read_to_string(dir.join(FILE)) {
            Ok(text) => toml::from_str::<DesktopFile>(&text).map(|f| f.into_settings()).map_err(|e| {
                Error::new(ErrorCode::ConfigCorrupt, format!("The settings file {} cannot be read: {}.", dir.join(FILE).display(), e.message()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::internal(format!("Cannot read the settings: {e}."))),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::internal(format!("Cannot create {}: {e}.", dir.display())))?;
        let text = toml::to_string_pretty(&DesktopFile::from(self)).map_err(|e| Error::internal(e.to_string()))?;
        let tmp = dir.join(format!(".{FILE}.tmp"));
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, dir.join(FILE)))
            .map_err(|e| Error::internal(format!("Cannot save the settings: {e}.")))
    }
}

/// The on-disk part: proxy and CA are kept in the engine's profile file instead.
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct DesktopFile {
    clipboard_clear_secs: Option<u64>,
    refresh_margin_secs: Option<u64>,
    start_at_login: bool,
    log_level: Option<String>,
}

impl DesktopFile {
    fn into_settings(self) -> Settings {
        let d = Settings::default();
        Settings {
            clipboard_clear_secs: self.clipboard_clear_secs.unwrap_or(d.clipboard_clear_secs),
            refresh_margin_secs: self.refresh_margin_secs.unwrap_or(d.refresh_margin_secs),
            start_at_login: self.start_at_login,
            log_level: self.log_level.filter(|l| LOG_LEVELS.contains(&l.as_str())).unwrap_or(d.log_level.clone()),
            ..d
        }
    }
}

impl From<&Settings> for DesktopFile {
    fn from(s: &Settings) -> Self {
        DesktopFile {
            clipboard_clear_secs: Some(s.clipboard_clear_secs),
            refresh_margin_secs: Some(s.refresh_margin_secs),
            start_at_login: s.start_at_login,
            log_level: Some(s.log_level.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_limits_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let s = Settings { clipboard_clear_secs: 20, start_at_login: true, log_level: "debug".into(), ..Default::default() };
        s.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), s);
        assert!(Settings { clipboard_clear_secs: 1, ..Default::default() }.check().is_err());
        assert!(Settings { log_level: "loud".into(), ..Default::default() }.check().is_err());
        std::fs::write(dir.path().join(FILE), "clipboard_clear_secs = \"x\"").unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap_err().code(), ErrorCode::ConfigCorrupt);
    }
}
