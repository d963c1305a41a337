//! Profiles: the Lake environments a user signs in to, kept as TOML in the config directory.
//! No secret is ever written here; those live in the keychain.

use crate::keychain::{KeychainSetting, StoreKind};
use crate::error::{Action, Error, ErrorCode, Result};
use crate::http::NetworkSettings;
use crate::lake_url::{default_client_id, issuer_for, IdpPreset, LakeUrl};
use crate::pat_jwt::DEFAULT_EXPIRATION_SECS;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const PROFILE_FILE: &str = "profiles.toml";
pub const DEFAULT_SCOPE: &str = "openid";

/// How a profile gets its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The device flow: a code to enter in a browser on any device (RFC 8628).
    #[default]
    Device,
    /// Authorization code with PKCE and a loopback redirect: one click, no code (RFC 8252).
    Browser,
    Pat,
    Token,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Device => "device",
            Method::Browser => "browser",
            Method::Pat => "pat",
            Method::Token => "token",
        }
    }
}

/// One Lake environment: its shape, stated once. Kept in profiles.toml, given by `lakekey
/// profile add`'s options, and sent by the app's add/edit form as it is (the UI's type is
/// generated from this one). Optional fields fall back to what docs/LAKE.md derives.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub base_url: String,
    #[serde(default)]
    pub method: Method,
    #[serde(default)]
    pub idp: IdpPreset,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<u64>,
    /// Which store holds this profile's secrets, recorded at sign-in (no secret): later
    /// processes look there, whatever store they would choose for a new sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreKind>,
}

/// A profile with everything derived: what the engine actually uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub name: String,
    pub base_url: String,
    pub method: Method,
    pub org_id: String,
    pub env_id: String,
    pub control_plane: String,
    pub idp: IdpPreset,
    pub issuer: String,
    pub client_id: String,
    pub scope: String,
    pub username: Option<String>,
    pub kid: Option<String>,
    pub expiration_time: u64,
    pub valid_from: u64,
    pub store: Option<StoreKind>,
    #[serde(skip)]
    pub lake: LakeUrl,
}

impl Profile {
    /// The profile as a person typed it, tidied: surrounding spaces gone, empty fields unset.
    pub fn normalized(self) -> Profile {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Profile {
            base_url: self.base_url.trim().to_string(),
            issuer: clean(self.issuer),
            realm: clean(self.realm),
            client_id: clean(self.client_id),
            scope: clean(self.scope),
            username: clean(self.username),
            org_id: clean(self.org_id),
            kid: clean(self.kid),
            ..self
        }
    }

    /// Validates the profile and derives org id, issuer and client id.
    pub fn resolve(&self, name: &str) -> Result<Resolved> {
        let lake = LakeUrl::parse(&self.base_url)?;
        let org_id = match self.org_id.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(org) if org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => org.to_string(),
            Some(org) => return Err(Error::invalid(format!("The org id `{org}` may only hold letters, digits, `-` and `_`."))),
            None => lake.org_id().to_string(),
        };
        let issuer = issuer_for(&lake, self.idp, self.realm.as_deref(), self.issuer.as_deref())?;
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if self.expiration_time == Some(0) {
            return Err(Error::invalid("The expiration time must be at least 1 second."));
        }
        // Lake's own identity provider offers its device client the device grant only.
        if self.method == Method::Browser && self.idp == IdpPreset::Vcl {
            return Err(Error::invalid("Lake's own identity provider signs in with a code (the device flow) only; the browser sign-in needs the Keycloak, Ping or custom preset.")
                .with_hint("Use the device method with Lake's identity provider, or choose the preset of the identity provider that allows a loopback redirect."));
        }
        Ok(Resolved {
            name: name.to_string(),
            base_url: lake.base_url().to_string(),
            method: self.method,
            env_id: lake.env_id().to_string(),
            control_plane: lake.control_plane().to_string(),
            idp: self.idp,
            issuer,
            client_id: nonempty(&self.client_id).unwrap_or_else(|| default_client_id(&org_id)),
            scope: nonempty(&self.scope).unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
            username: nonempty(&self.username),
            kid: nonempty(&self.kid),
            expiration_time: self.expiration_time.unwrap_or(DEFAULT_EXPIRATION_SECS),
            valid_from: self.valid_from.unwrap_or(0),
            store: self.store,
            org_id,
            lake,
        })
    }
}

/// The whole profile file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Which keychain holds the secrets (`auto`, `secret-service`, `kernel`); `LAKEKEY_KEYCHAIN`
    /// overrides it.
    #[serde(default, skip_serializing_if = "is_auto")]
    pub keychain: KeychainSetting,
    #[serde(default, skip_serializing_if = "network_is_default")]
    pub network: NetworkConfig,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
}

fn is_auto(k: &KeychainSetting) -> bool {
    *k == KeychainSetting::Auto
}

fn network_is_default(n: &NetworkConfig) -> bool {
    *n == NetworkConfig::default()
}

impl NetworkConfig {
    pub fn settings(&self) -> NetworkSettings {
        NetworkSettings { https_proxy: self.https_proxy.clone(), extra_ca_file: self.extra_ca_file.clone() }
    }
}

impl Config {
    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles.get(name).ok_or_else(|| unknown_profile(name, self))
    }

    /// Which profile a command means: the one named, else the default, else the only one.
    pub fn select(&self, name: Option<&str>) -> Result<String> {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            self.get(name)?;
            return Ok(name.to_string());
        }
        if let Some(default) = &self.default {
            if self.profiles.contains_key(default) {
                return Ok(default.clone());
            }
        }
        match self.profiles.len() {
            1 => Ok(self.profiles.keys().next().expect("one").clone()),
            0 => Err(Error::new(ErrorCode::ProfileNotFound, "There is no profile yet.")
                .with_hint("Add one with the base URL of your Lake environment (https://<org>.<domain>/api/accounts/<environment id>).")
                .with_action(Action::AddProfile)),
            _ => Err(Error::new(ErrorCode::ProfileNotFound, "Several profiles exist and none is the default.")
                .with_hint(format!("Choose one of them ({}), or make one the default.", self.names()))
                .with_action(Action::ChooseProfile)),
        }
    }

    /// The profile names for a hint: the first few, and how many more there are.
    fn names(&self) -> String {
        const SHOWN: usize = 8;
        let mut names = self.profiles.keys().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
        if self.profiles.len() > SHOWN {
            names.push_str(&format!(" and {} more", self.profiles.len() - SHOWN));
        }
        names
    }
}

fn unknown_profile(name: &str, config: &Config) -> Error {
    let known = if config.profiles.is_empty() { "none exist yet".to_string() } else { format!("known: {}", config.names()) };
    Error::new(ErrorCode::ProfileNotFound, format!("There is no profile named `{name}` ({known})."))
        .with_hint("Check the name among the profiles there are, or add it.")
        .with_action(Action::ListProfiles)
}

/// The profile name for an organisation's environment: its org id, in the letters a name may
/// hold (lower case), or `lake`.
pub fn name_for_org(org_id: &str) -> String {
    let name: String = org_id.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    let name = name.trim_start_matches(['.', '-']).to_string();
    if name.is_empty() { "lake".to_string() } else { name }
}

impl Config {
    /// A name for a new profile of `org_id` that no profile has yet (`acme`, `acme-2`, ...),
    /// compared without letter case, as names are.
    pub fn suggested_name(&self, org_id: &str) -> String {
        let base = name_for_org(org_id);
        let taken = |n: &str| self.profiles.keys().any(|k| k.eq_ignore_ascii_case(n));
        if !taken(&base) {
            return base;
        }
        (2..).map(|i| format!("{base}-{i}")).find(|n| !taken(n)).expect("some number is free")
    }
}

/// Profile names end up in keychain entries and lock file names, so they are kept plain.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("The profile name `{name}` is not allowed."))
            .with_hint("Use 1 to 64 letters, digits, `-`, `_` or `.` (not starting with `.`)."))
    }
}

/// Reads the text of a profile file; `path` is only named in messages. Pure, so it can be fuzzed.
pub fn parse_config(text: &str, path: &Path) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|e| corrupt(path, e.message()))?;
    if let Some(name) = config.profiles.keys().find(|n| check_name(n).is_err()) {
        return Err(corrupt(path, &format!("the profile name `{name}` is not allowed")));
    }
    Ok(config)
}

/// The profile file and the directory around it.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ProfileStore { dir: dir.into() }
    }

    /// `LAKEKEY_CONFIG_DIR`, else the platform's config directory (`~/.config/lakekey` on Linux).
    pub fn default_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os("LAKEKEY_CONFIG_DIR").filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        directories::ProjectDirs::from("", "", "lakekey")
            .map(|d| d.config_dir().to_path_buf())
            .ok_or_else(|| Error::internal("No home directory was found for the configuration.").with_hint("Set LAKEKEY_CONFIG_DIR."))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(PROFILE_FILE)
    }

    pub fn load(&self) -> Result<Config> {
        let path = self.path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(corrupt(&path, "it is not UTF-8 text")),
            Err(e) => return Err(Error::internal(format!("Cannot read {}: {e}.", path.display()))),
        };
        parse_config(&text, &path)
    }

    /// Read-modify-write under an exclusive lock, so two processes never lose each other's change.
    /// The file is replaced atomically; a file that does not parse is never overwritten.
    pub fn update<T>(&self, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::internal(format!("Cannot create the config directory {}: {e}.", self.dir.display())))?;
        let lock = File::create(self.dir.join(".profiles.lock"))
            .map_err(|e| Error::internal(format!("Cannot create a lock file in {}: {e}.", self.dir.display())))?;
        lock.lock().map_err(|e| Error::internal(format!("Cannot lock the profile file: {e}.")))?;
        let mut config = self.load()?;
        let out = change(&mut config)?;
        let text = toml::to_string_pretty(&config).map_err(|e| Error::internal(format!("Cannot write profiles: {e}.")))?;
        let tmp = self.dir.join(format!(".{PROFILE_FILE}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(b"# LakeKey profiles. No secrets are kept here: they live in the OS keychain.\n")?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, self.path())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::internal(format!("Cannot write {}: {e}.", self.path().display()))
        })?;
        Ok(out)
    }
}

fn corrupt(path: &Path, why: &str) -> Error {
    Error::new(ErrorCode::ConfigCorrupt, format!("The profile file {} cannot be read: {}.", path.display(), why.trim_end_matches('.')))
        .with_hint("Fix or move the file; LakeKey leaves it untouched until then.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(url: &str) -> Profile {
        Profile { base_url: url.into(), ..Default::default() }
    }

    #[test]
    fn hints_list_a_few_names_not_all_of_them() {
        let profile = Profile { base_url: "https://acme.example.com/api/accounts/e1".into(), ..Default::default() };
        let config = Config { profiles: (0..200).map(|i| (format!("p{i:03}"), profile.clone())).collect(), ..Default::default() };
        let hint = config.select(None).unwrap_err().hint().unwrap().to_string();
        assert!(hint.contains("p000, p001") && hint.contains("and 192 more"), "{hint}");
        assert!(!hint.contains("p199"), "{hint}");
        let unknown = config.get("nope").unwrap_err();
        assert!(unknown.message().len() < 300, "{}", unknown.message());
    }

    #[test]
    fn resolve_fills_in_lake_defaults_and_honours_overrides() {
        let r = profile("https://acme.example.com/api/accounts/e1/").resolve("prod").unwrap();
        assert_eq!(r.base_url, "https://acme.example.com/api/accounts/e1");
        assert_eq!(r.issuer, "https://acme.example.com/api/accounts/e1/auth");
        assert_eq!(r.client_id, "acme-oaf-device");
        assert_eq!(r.scope, "openid");
        assert_eq!(r.expiration_time, 31_536_000);
        let r = Profile { org_id: Some("globex".into()), idp: IdpPreset::Keycloak, realm: Some("r1".into()), ..profile("http://127.0.0.1:5/api/accounts/e1") }
            .resolve("t")
            .unwrap();
        assert_eq!(r.org_id, "globex");
        assert_eq!(r.client_id, "globex-oaf-device");
        assert_eq!(r.issuer, "http://127.0.0.1:5/api/accounts/e1/sso/realms/r1");
    }

    #[test]
    fn update_round_trips_and_selection_follows_the_rules() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        assert_eq!(store.load().unwrap(), Config::default());
        assert_eq!(store.load().unwrap().select(None).unwrap_err().code(), ErrorCode::ProfileNotFound);
        store.update(|c| {
            c.profiles.insert("a".into(), profile("https://a.example.com/api/accounts/1"));
            Ok(())
        })
        .unwrap();
        assert_eq!(store.load().unwrap().select(None).unwrap(), "a");
        store.update(|c| {
            c.profiles.insert("b".into(), profile("https://b.example.com/api/accounts/2"));
            Ok(())
        })
        .unwrap();
        let config = store.load().unwrap();
        assert_eq!(config.select(None).unwrap_err().code(), ErrorCode::ProfileNotFound);
        assert_eq!(config.select(Some("b")).unwrap(), "b");
        assert_eq!(config.select(Some("zz")).unwrap_err().code(), ErrorCode::ProfileNotFound);
        store.update(|c| {
            c.default = Some("b".into());
            Ok(())
        })
        .unwrap();
        assert_eq!(store.load().unwrap().select(None).unwrap(), "b");
    }

    #[test]
    fn a_corrupt_file_is_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), "[profiles.a\nbase_url = 1").unwrap();
        let err = store.load().unwrap_err();
        assert_eq!(err.code(), ErrorCode::ConfigCorrupt);
        assert!(store.update(|_| Ok(())).is_err());
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), "[profiles.a\nbase_url = 1");
    }

    #[test]
    fn a_new_profile_is_named_after_its_organisation_and_never_takes_a_name() {
        let mut config = Config::default();
        assert_eq!(config.suggested_name("Acme"), "acme");
        assert_eq!(config.suggested_name(""), "lake");
        for name in ["acme", "ACME-2"] {
            config.profiles.insert(name.to_string(), Profile::default());
        }
        assert_eq!(config.suggested_name("acme"), "acme-3", "names differing only in case are taken too");
        assert!(check_name(&config.suggested_name("a b/c")).is_ok());
    }

    #[test]
    fn a_profile_as_typed_is_tidied() {
        let typed = Profile { base_url: " https://a.example.com/api/accounts/e ".into(), client_id: Some("  ".into()), realm: Some(" r1 ".into()), ..Default::default() };
        let p = typed.normalized();
        assert_eq!(p.base_url, "https://a.example.com/api/accounts/e");
        assert_eq!((p.client_id, p.realm.as_deref()), (None, Some("r1")));
    }

    #[test]
    fn names_are_plain() {
        assert!(check_name("prod-eu_1.x").is_ok());
        for bad in ["", ".hidden", "a/b", "a b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
