//! The engine's front door: what the CLI and the desktop app call. Each method is one user-level
//! action; the protocol work lives in the modules named for it.

use crate::cancel::Cancel;
use crate::clock::{Clock, SystemClock};
use crate::credential::{Credential, PastedToken, PatCredential, Renewal, Validation};
use crate::device_flow::{self, DeviceEvent};
use crate::crash_point;
use crate::browser_flow;
use crate::discovery::{self, IdpEndpoints};
use crate::error::{Action, Error, ErrorCode, Result};
use crate::http::HttpClient;
use crate::jwt_info::{self, JwtInfo};
use crate::keychain::{Keychain, KeychainSetting, StoreKind};
use crate::lake_validation;
use crate::oauth_refresh::{self, RefreshFailure};
use crate::pat_jwt::{self, PatClaims};
use crate::pem_key::{read_text_file, RsaKey};
use crate::profile::{check_name, Config, Method, Profile, ProfileStore, Resolved};
use crate::refresh_lock::RefreshLock;
use crate::revocation;
use crate::secret::Secret;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What [`Engine::inspect_key`] found out about a key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    pub encrypted: bool,
    pub kid: Option<String>,
    pub warning: Option<String>,
}

/// How a browser sign-in reaches the user's browser.
pub enum Browser<'a> {
    /// Opens a page in the user's browser, or says why it could not.
    Opener(&'a (dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync)),
    /// No browser can be shown here (an SSH session, a notebook kernel, no display), and why.
    Unavailable(String),
}

/// The default "valid for at least" margin of [`Engine::token`].
pub const DEFAULT_MIN_VALID_SECS: u64 = 60;
const MAX_PAT_FILE_BYTES: u64 = 64 * 1024;

pub struct Engine {
    profiles: ProfileStore,
    /// The store new sign-ins go to (the `keychain` setting), or the test store.
    keychain: OnceLock<Keychain>,
    /// Other stores opened for profiles whose secrets were kept there.
    opened: Mutex<HashMap<StoreKind, Keychain>>,
    http: OnceLock<HttpClient>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config_dir", &self.profiles.dir()).finish()
    }
}

/// What a PAT import needs. The PEM is read from a file, as the user keeps it.
#[derive(Debug, Default)]
pub struct PatImport {
    pub pat: Option<Secret>,
    pub pat_file: Option<PathBuf>,
    pub pem_file: PathBuf,
    pub passphrase: Option<Secret>,
    pub username: Option<String>,
    pub kid: Option<String>,
    pub expiration_time: Option<u64>,
    pub valid_from: Option<u64>,
    pub validate: bool,
}

/// The result of a PAT import.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PatImported {
    pub validation: Validation,
    pub kid: String,
    pub username: String,
    /// Why the token is not validated, when it is not.
    pub not_validated_because: Option<String>,
    /// Things the user should know (e.g. the key file is readable by others).
    pub warnings: Vec<String>,
    /// Where the PAT and key are kept.
    pub store: StoreKind,
    /// What a user should know about that store (the CLI's note), when it is not a desktop keychain.
    pub store_notice: Option<String>,
    /// Whether the user must keep the PEM file: where the store forgets at restart, it is the
    /// only lasting copy of the key.
    pub key_file_needed: bool,
}

/// A token handed out by [`Engine::token`], with what the caller needs to say how long it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerToken {
    pub secret: Secret,
    /// Epoch seconds; `None` for a pasted token without `exp`.
    pub expires_at: Option<u64>,
    /// How long tokens of this kind live (the IdP's last `expires_in`, or the PAT JWT's
    /// expiration time); `None` when unknown (a pasted token).
    pub lifetime: Option<u64>,
    /// How a new token can be had.
    pub renewal: Renewal,
    /// A renewal was due but failed for network or server reasons: this is the current token,
    /// still unexpired, and this says why no newer one could be had.
    pub renewal_failed: Option<String>,
}

/// What a caller should tell the user about a token it was handed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenNote {
    /// It lasts less than asked for, and why.
    ShortLived(String),
    /// A renewal failed and the current, still valid token was handed out.
    RenewalFailed(String),
}

impl BearerToken {
    fn of(credential: &Credential) -> Self {
        BearerToken {
            secret: credential.bearer().clone(),
            expires_at: credential.expires_at(),
            lifetime: credential.lifetime(),
            renewal: credential.renewal(),
            renewal_failed: None,
        }
    }

    /// Whether LakeKey can get a new token when this one runs out, without the user.
    pub fn renewable(&self) -> bool {
        self.renewal.is_possible()
    }

    /// When a holder that wants `min_valid` seconds of validity should ask for a new token
    /// (`None`: never, as far as LakeKey knows). The rule of [`crate::credential::renewal_margin`].
    pub fn renew_at(&self, min_valid: u64) -> Option<u64> {
        self.expires_at.map(|e| crate::credential::renew_at(e, self.lifetime, min_valid))
    }

    /// Seconds left at `now` (`None`: no expiry).
    pub fn valid_for(&self, now: u64) -> Option<u64> {
        self.expires_at.map(|e| e.saturating_sub(now))
    }

    /// When the token lasts less than `min_valid` seconds from `now`: a sentence saying so and
    /// why, for stderr or a toast. `None` when it lasts long enough.
    pub fn is_short_of(&self, min_valid: u64, now: u64) -> Option<String> {
        let left = self.valid_for(now)?;
        if left >= min_valid {
            return None;
        }
        let lifetime = self.lifetime.unwrap_or_default();
        let why = match self.renewal {
            // A renewable token whose tokens could last long enough: not the provider's doing
            // (another process's renewal, a slow clock); no cause to name.
            Renewal::Refresh | Renewal::Resign if lifetime >= min_valid => {
                return Some(format!("This token is valid for {left} s, less than the {min_valid} s asked for."))
            }
            Renewal::Refresh => format!("the identity provider issues tokens that live only {lifetime} s (LakeKey renews each once half of its life is gone)"),
            Renewal::Resign => format!(
                "this profile's PAT tokens live {lifetime} s, the expiration time they were imported with (importing the PAT again with a longer expiration time gives longer-lived ones)"
            ),
            Renewal::NoRefreshToken => "the identity provider gave this sign-in no refresh token, so LakeKey cannot renew the token: sign in again when it expires (some providers issue refresh tokens only with the `offline_access` scope)".to_string(),
            Renewal::Pasted => "a pasted token cannot be renewed: paste a new one to get a longer-lived token".to_string(),
        };
        Some(format!("This token is valid for {left} s, less than the {min_valid} s asked for: {why}."))
    }

    /// Everything the user should know about this token, for stderr or a toast.
    pub fn notes(&self, min_valid: u64, now: u64) -> Vec<TokenNote> {
        match &self.renewal_failed {
            Some(why) => {
                let left = self.valid_for(now).map_or(String::new(), |s| format!(", valid for {s} s more"));
                vec![TokenNote::RenewalFailed(format!("LakeKey could not renew the token ({why}); this is the current one{left}."))]
            }
            None => self.is_short_of(min_valid, now).map(TokenNote::ShortLived).into_iter().collect(),
        }
    }
}

impl SignIn {
    /// What the user should be told once the sign-in is stored: where its secrets are kept when
    /// that is not a desktop keychain (the same sentence as the CLI's note), then every warning.
    pub fn notes(&self) -> Vec<String> {
        self.status.store.notice().into_iter().chain(self.warnings.iter().cloned()).collect()
    }
}

/// A sign-in that was stored, and anything the user should know about it.
#[derive(Debug)]
pub struct SignIn {
    pub status: Status,
    /// E.g. that an unreadable keychain item was replaced.
    pub warnings: Vec<String>,
}

/// What `logout` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedOut {
    /// The sign-in was revoked at the identity provider.
    pub revoked: bool,
    /// Keychain items removed (a credential may be several chunks).
    pub removed: usize,
    /// Of those, how many could not be read.
    pub unreadable: usize,
}

/// Where LakeKey keeps its files for the current user.
#[derive(Debug, Clone, Serialize)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub profiles_file: PathBuf,
    pub locks_dir: PathBuf,
}

/// A profile's sign-in state, safe to show anywhere: no token, no PAT.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub profile: String,
    pub method: Method,
    pub base_url: String,
    pub signed_in: bool,
    /// What kind of credential is stored (`device`, `pat`, `token`), if any.
    pub credential: Option<&'static str>,
    pub expires_at: Option<u64>,
    pub expires_in: Option<i64>,
    pub can_refresh: bool,
    /// How long tokens of this sign-in live (see [`BearerToken::lifetime`]).
    pub lifetime: Option<u64>,
    pub validation: Option<Validation>,
    pub token_preview: Option<String>,
    pub header: Option<serde_json::Map<String, serde_json::Value>>,
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    /// Where the secrets are kept.
    pub store: StoreKind,
}

impl Status {
    /// When a holder wanting `min_valid` seconds of validity should renew this sign-in's token
    /// (`None`: it cannot be renewed, or has no expiry): the rule of [`crate::credential::renewal_margin`].
    pub fn renew_at(&self, min_valid: u64) -> Option<u64> {
        let expires_at = self.expires_at.filter(|_| self.can_refresh)?;
        Some(crate::credential::renew_at(expires_at, self.lifetime, min_valid))
    }
}

impl Engine {
    /// The engine as users run it: config from `LAKEKEY_CONFIG_DIR` or the platform directory,
    /// secrets in the OS keychain (connected on first use, so profile commands work without it).
    pub fn open() -> Result<Self> {
        Ok(Self::new(ProfileStore::default_dir()?, None, Arc::new(SystemClock)))
    }

    /// An engine with an explicit keychain (a mock store in unit tests) and clock.
    pub fn new(config_dir: impl Into<PathBuf>, keychain: Option<Keychain>, clock: Arc<dyn Clock>) -> Self {
        let cell = OnceLock::new();
        if let Some(k) = keychain {
            let _ = cell.set(k);
        }
        Engine { profiles: ProfileStore::new(config_dir), keychain: cell, opened: Mutex::default(), http: OnceLock::new(), clock }
    }

    pub fn config_dir(&self) -> &Path {
        self.profiles.dir()
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    fn keychain(&self) -> Result<&Keychain> {
        if let Some(k) = self.keychain.get() {
            return Ok(k);
        }
        let setting = match std::env::var("LAKEKEY_KEYCHAIN") {
            Ok(text) if !text.is_empty() => KeychainSetting::parse(&text)?,
            _ => self.profiles.load()?.keychain,
        };
        let k = Keychain::os(setting)?;
        Ok(self.keychain.get_or_init(|| k))
    }

    /// The store that holds `profile`'s secrets: the one recorded at its sign-in, else the one
    /// the setting chooses. A recorded store that cannot be reached is an error that names it,
    /// never a look into another store that would report the profile as not signed in.
    fn keychain_of(&self, profile: &Resolved) -> Result<Keychain> {
        let configured = match self.keychain.get() {
            Some(k) if k.kind() == StoreKind::Test => return Ok(k.clone()),
            other => other,
        };
        match profile.store {
            None => Ok(self.keychain()?.clone()),
            Some(kind) if configured.is_some_and(|k| k.kind() == kind) => Ok(self.keychain()?.clone()),
            Some(kind) => self.open_store(kind).map_err(|e| store_unreachable(profile, kind, e)),
        }
    }

    fn open_store(&self, kind: StoreKind) -> Result<Keychain> {
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = opened.get(&kind) {
            return Ok(k.clone());
        }
        let k = Keychain::os(kind.setting())?;
        if k.kind() != kind {
            return Err(Error::new(ErrorCode::KeychainUnavailable, format!("{} is not available on this system.", kind.describe())));
        }
        opened.insert(kind, k.clone());
        Ok(k)
    }

    /// After a sign-in: records where its secrets are, and removes what an earlier sign-in of
    /// the profile left in another store. Returns a warning when that store cannot be reached.
    fn record_store(&self, profile: &Resolved, kind: StoreKind) -> Result<Option<String>> {
        if kind == StoreKind::Test || profile.store == Some(kind) {
            return Ok(None);
        }
        self.profiles.update(|config| {
            if let Some(p) = config.profiles.get_mut(&profile.name) {
                p.store = Some(kind);
            }
            Ok(())
        })?;
        let Some(old) = profile.store else { return Ok(None) };
        Ok(match self.open_store(old).and_then(|k| k.purge(&profile.name)) {
            Ok(_) => None,
            Err(e) => Some(format!(
                "An earlier sign-in of `{}` is still kept in {}, which cannot be reached here ({}). Signing out where it can be reached removes it.",
                profile.name,
                old.describe(),
                e.message()
            )),
        })
    }

    /// Removes the profile's items from every other store that answers (a sign-in kept there
    /// before its store was recorded, or by an older LakeKey). Stores that cannot be reached
    /// are skipped: they are not where this profile's sign-in is recorded.
    fn purge_elsewhere(&self, name: &str, used: StoreKind) -> usize {
        used.others()
            .into_iter()
            .filter_map(|kind| self.open_store(kind).ok())
            .filter_map(|k| k.purge(name).ok())
            .map(|purged| purged.removed)
            .sum()
    }

    fn forget_store(&self, name: &str) -> Result<()> {
        self.profiles.update(|config| {
            if let Some(p) = config.profiles.get_mut(name) {
                p.store = None;
            }
            Ok(())
        })
    }

    fn http(&self) -> Result<&HttpClient> {
        if let Some(h) = self.http.get() {
            return Ok(h);
        }
        let settings = self.profiles.load()?.network.settings();
        let h = HttpClient::new(&settings)?;
        Ok(self.http.get_or_init(|| h))
    }

    // ---- profiles -------------------------------------------------------------------------

    pub fn config(&self) -> Result<Config> {
        self.profiles.load()
    }

    /// Adds or replaces a profile after checking that it resolves (URL rules, preset, issuer).
    pub fn add_profile(&self, name: &str, profile: Profile, make_default: bool) -> Result<Resolved> {
        check_name(name)?;
        let profile = profile.normalized();
        let resolved = profile.resolve(name)?;
        self.profiles.update(|config| {
            // Windows' Credential Manager does not tell `Prod` from `prod`: one would overwrite
            // the other's secrets there, so no OS allows names that differ only in case.
            if let Some(other) = config.profiles.keys().find(|n| n.as_str() != name && n.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid(format!("A profile `{other}` already exists; names may not differ only in letter case."))
                    .with_hint(format!("Use `{other}`, or choose another name.")));
            }
            // Where the secrets are is recorded by sign-in alone: editing a profile's settings
            // does not move them, and no caller (the app's form, an IPC message) can point a
            // profile at a store its secrets are not in.
            let store = config.profiles.get(name).and_then(|old| old.store);
            config.profiles.insert(name.to_string(), Profile { store, ..profile });
            if make_default {
                config.default = Some(name.to_string());
            }
            Ok(())
        })?;
        Ok(resolved)
    }

    /// Removes a profile and its secrets from the keychain (without contacting the IdP).
    pub async fn remove_profile(&self, name: &str) -> Result<()> {
        let profile = self.resolve(Some(name))?;
        let _lock = self.lock(name).await?;
        let keychain = self.keychain_of(&profile)?;
        keychain.purge(name)?;
        self.purge_elsewhere(name, keychain.kind());
        self.profiles.update(|config| {
            config.profiles.remove(name);
            if config.default.as_deref() == Some(name) {
                config.default = None;
            }
            Ok(())
        })
    }

    /// Changes the proxy and extra CA used for every request, after checking they work.
    pub fn set_network(&self, network: crate::profile::NetworkConfig) -> Result<()> {
        HttpClient::new(&network.settings())?;
        self.profiles.update(|config| {
            config.network = network;
            Ok(())
        })
    }

    pub fn set_default(&self, name: &str) -> Result<()> {
        self.profiles.update(|config| {
            config.get(name)?;
            config.default = Some(name.to_string());
            Ok(())
        })
    }

    /// The profile for signing in to `base_url` (Python's `login(base_url=...)`, `lakekey login
    /// --base-url`): `name`, or one named after the URL's organisation, created with Lake's
    /// defaults when it does not exist. An existing profile is used only when it already is
    /// exactly that (the same environment, the device flow, the default identity provider and
    /// client): a sign-in never rewrites a profile, and a PAT profile never loses its PAT.
    pub fn profile_for_url(&self, name: Option<&str>, base_url: &str) -> Result<Resolved> {
        let wanted = Profile { base_url: base_url.trim().to_string(), ..Default::default() };
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => crate::profile::name_for_org(crate::lake_url::LakeUrl::parse(&wanted.base_url)?.org_id()),
        };
        let fresh = wanted.resolve(&name)?;
        let config = self.config()?;
        let Some(existing) = config.profiles.get(&name) else {
            return self.add_profile(&name, wanted, config.default.is_none());
        };
        let existing = existing.resolve(&name)?;
        let mut differ = Vec::new();
        if existing.base_url != fresh.base_url {
            differ.push(format!("base URL {}", existing.base_url));
        }
        if existing.method != fresh.method {
            differ.push(format!("sign-in method {}", existing.method.as_str()));
        }
        if existing.idp != fresh.idp || existing.issuer != fresh.issuer {
            differ.push(format!("identity provider {}", existing.issuer));
        }
        if existing.client_id != fresh.client_id || existing.scope != fresh.scope {
            differ.push(format!("client {}", existing.client_id));
        }
        if differ.is_empty() {
            return Ok(existing);
        }
        Err(Error::invalid(format!(
            "Profile `{name}` already exists with other settings ({}); signing in does not change a profile.",
            differ.join(", ")
        ))
        .with_hint(format!("Sign in to `{name}` as it is (without a base URL), choose another profile name, or change the profile itself first.")))
    }

    /// The profile a command means (see [`Config::select`]), resolved.
    pub fn resolve(&self, name: Option<&str>) -> Result<Resolved> {
        let config = self.config()?;
        let name = config.select(name)?;
        config.get(&name)?.resolve(&name)
    }

    // ---- sign in --------------------------------------------------------------------------

    /// Signs in by the profile's method: the browser sign-in for `browser` profiles (unless
    /// `force_device`, or no browser can open here, which is said once with a `fallback` event),
    /// else the device flow. Events report progress.
    pub async fn login(
        &self,
        name: Option<&str>,
        force_device: bool,
        browser: Browser<'_>,
        cancel: &Cancel,
        on_event: &mut (dyn FnMut(&DeviceEvent) + Send),
    ) -> Result<SignIn> {
        let profile = self.resolve(name)?;
        if profile.method != Method::Browser || force_device {
            return self.device_login(Some(&profile.name), cancel, on_event).await;
        }
        match browser {
            Browser::Opener(open) => self.browser_login(&profile, open, cancel, on_event).await,
            Browser::Unavailable(why) => {
                on_event(&DeviceEvent::Fallback { message: format!("{why}: signing in with a code instead (the device flow).") });
                self.device_login(Some(&profile.name), cancel, on_event).await
            }
        }
    }

    /// What a sign-in needs before it asks the user anything: a keychain that takes the result
    /// (checked now, not after the approval) and the identity provider's endpoints.
    async fn prepare_sign_in(&self, profile: &Resolved, cancel: &Cancel) -> Result<(Keychain, IdpEndpoints)> {
        let keychain = self.keychain()?.clone();
        keychain.check_writable()?;
        let endpoints = tokio::select! {
            _ = cancel.cancelled() => return Err(Error::new(ErrorCode::Cancelled, "The sign-in was cancelled.")),
            found = discovery::discover(self.http()?, &profile.issuer) => found?,
        };
        Ok((keychain, endpoints))
    }

    /// Stores what a sign-in's token answer gave, under the profile's lock like every write (a
    /// logout or refresh in progress finishes first, and then this sign-in is what stays).
    async fn store_sign_in(
        &self,
        profile: &Resolved,
        keychain: &Keychain,
        endpoints: &IdpEndpoints,
        token: &oauth2::basic::BasicTokenResponse,
        on_event: &mut (dyn FnMut(&DeviceEvent) + Send),
    ) -> Result<SignIn> {
        let session = device_flow::session_from_token(
            token,
            self.clock.now(),
            &endpoints.token_endpoint,
            endpoints.revocation_endpoint.as_deref(),
            &profile.client_id,
            None,
        );
        let expires_at = session.expires_at;
        let (saved, elsewhere) = {
            let _lock = self.lock(&profile.name).await?;
            let saved = keychain.save(&profile.name, &Credential::OAuth(session))?;
            (saved, self.record_store(profile, keychain.kind())?)
        };
        on_event(&DeviceEvent::SignedIn { expires_at });
        Ok(SignIn { status: self.status(Some(&profile.name))?, warnings: saved.replaced.into_iter().chain(elsewhere).collect() })
    }

    /// The device flow for a profile: events report progress (the first is the code to show).
    pub async fn device_login(
        &self,
        name: Option<&str>,
        cancel: &Cancel,
        on_event: &mut (dyn FnMut(&DeviceEvent) + Send),
    ) -> Result<SignIn> {
        let profile = self.resolve(name)?;
        let (keychain, endpoints) = self.prepare_sign_in(&profile, cancel).await?;
        let http = self.http()?;
        let device_endpoint = endpoints.device_authorization_endpoint.as_deref().ok_or_else(|| {
            Error::new(ErrorCode::Server, "The identity provider does not offer the device sign-in flow (no device authorization endpoint).")
                .with_hint("Check the profile's identity provider preset or issuer; or sign in with a PAT and its key.")
        })?;
        let code = device_flow::request_code(http, device_endpoint, &profile.client_id, &profile.scope, self.clock.as_ref()).await?;
        let context = device_flow::SignInContext::new(&device_flow::this_host(), &profile.base_url, &profile.name, &profile.issuer, &code.verification_uri);
        on_event(&DeviceEvent::code_issued(&code, context));
        let token = device_flow::poll_for_token(http, &endpoints.token_endpoint, &profile.client_id, &code, self.clock.as_ref(), cancel, on_event).await?;
        self.store_sign_in(&profile, &keychain, &endpoints, &token, on_event).await
    }

    /// The browser sign-in (authorization code with PKCE and a loopback redirect): `open` shows
    /// the identity provider's page in the user's browser; the answer comes back to this
    /// machine. Where the browser cannot be opened, the device flow takes over, said once.
    async fn browser_login(
        &self,
        profile: &Resolved,
        open: &(dyn Fn(&str) -> std::result::Result<(), String> + Send + Sync),
        cancel: &Cancel,
        on_event: &mut (dyn FnMut(&DeviceEvent) + Send),
    ) -> Result<SignIn> {
        let (keychain, endpoints) = self.prepare_sign_in(profile, cancel).await?;
        let request = browser_flow::start(&endpoints, &profile.client_id, &profile.scope)?;
        if let Err(why) = open(&request.url) {
            drop(request);
            on_event(&DeviceEvent::Fallback { message: format!("No browser could be opened ({why}): signing in with a code instead (the device flow).") });
            return self.device_login(Some(&profile.name), cancel, on_event).await;
        }
        let limit = browser_flow::sign_in_limit();
        let idp_host = url::Url::parse(&profile.issuer).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        on_event(&DeviceEvent::Browser { idp_host, expires_at: self.clock.now().saturating_add(limit.as_secs()) });
        let token = browser_flow::finish(self.http()?, &endpoints, request, std::time::Instant::now() + limit, cancel).await?;
        self.store_sign_in(profile, &keychain, &endpoints, &token, on_event).await
    }

    /// Signs a PAT JWT from a PAT and PEM key, validates it with Lake (unless told not to), and
    /// keeps the PAT and key in the keychain so new JWTs can be signed without the file.
    pub async fn import_pat(&self, name: Option<&str>, import: PatImport) -> Result<PatImported> {
        let profile = self.resolve(name)?;
        let pat = match (&import.pat, &import.pat_file) {
            (Some(pat), None) => pat_jwt::clean_pat(pat.expose())?,
            (None, Some(path)) => pat_jwt::clean_pat(&read_text_file(path, MAX_PAT_FILE_BYTES, "PAT")?)?,
            (Some(_), Some(_)) => return Err(Error::invalid("Give the PAT either as text or as a file, not both.")),
            (None, None) => return Err(Error::invalid("No PAT was given.").with_hint("Give it with --pat-file FILE (or --pat TOKEN).")),
        };
        let keychain = self.keychain()?;
        let mut warnings = Vec::new();
        if let Some(w) = readable_by_others(&import.pem_file, Some(keychain.kind())) {
            warnings.push(w);
        }
        let key = RsaKey::read_pem_file(&import.pem_file, import.passphrase.as_ref())?;
        let username = import.username.clone().or(profile.username.clone()).ok_or_else(|| {
            Error::invalid("The database user name is missing.")
                .with_hint("Give it with --username (Lake signs the token for this database user).")
        })?;
        let username = pat_jwt::clean_username(&username)?;
        let kid = match import.kid.clone().or(profile.kid.clone()) {
            Some(kid) => kid,
            None => pat_jwt::kid_from_path(&import.pem_file)
                .ok_or_else(|| Error::invalid("The key id (kid) cannot be taken from the file name; give it with --kid."))?,
        };
        let expiration_secs = import.expiration_time.unwrap_or(profile.expiration_time);
        let valid_from = import.valid_from.unwrap_or(profile.valid_from);
        if expiration_secs == 0 {
            return Err(Error::invalid("The expiration time must be at least 1 second."));
        }
        let now = self.clock.now();
        keychain.check_writable()?;
        let jwt = pat_jwt::sign(&key, &PatClaims { kid: &kid, org_id: &profile.org_id, pat: &pat, username: &username, now, expiration_secs, valid_from })?;
        crash_point::reached("pat.signed");
        let (validation, why) = if import.validate {
            lake_validation::validate(self.http()?, &profile.lake.validation_url(), jwt.expose()).await?
        } else {
            (Validation::NotValidated, None)
        };
        crash_point::reached("pat.validated");
        let credential = Credential::Pat(PatCredential {
            pat,
            key_pkcs8: key.pkcs8_der().clone(),
            kid: kid.clone(),
            username: username.clone(),
            org_id: profile.org_id.clone(),
            expiration_secs,
            valid_from,
            jwt,
            jwt_expires_at: now.saturating_add(expiration_secs),
            validation,
        });
        let _lock = self.lock(&profile.name).await?;
        warnings.extend(keychain.save(&profile.name, &credential)?.replaced);
        crash_point::reached("saved");
        warnings.extend(self.record_store(&profile, keychain.kind())?);
        // Remember the non-secret settings so later re-signing and `status` use them.
        self.profiles.update(|config| {
            let p = config.profiles.get_mut(&profile.name).ok_or_else(|| Error::internal("The profile vanished during the import."))?;
            p.method = Method::Pat;
            p.username = Some(username.clone());
            p.kid = Some(kid.clone());
            Ok(())
        })?;
        Ok(PatImported {
            validation,
            kid,
            username,
            not_validated_because: why.map(|e| e.message().to_string()).or_else(|| (!import.validate).then(|| "validation was skipped".to_string())),
            warnings,
            store: keychain.kind(),
            store_notice: keychain.kind().notice(),
            key_file_needed: !keychain.kind().survives_restart(),
        })
    }

    /// Stores a JWT the user already has.
    pub async fn import_token(&self, name: Option<&str>, token: Secret) -> Result<SignIn> {
        let profile = self.resolve(name)?;
        let jwt = token.expose().trim().trim_start_matches("Bearer ").trim();
        let info = jwt_info::decode(jwt)?;
        if let Some(exp) = info.expires_at() {
            if exp <= self.clock.now() {
                return Err(Error::invalid("The token has already expired.").with_hint("Get a fresh token and paste it again."));
            }
        }
        let credential = Credential::Token(PastedToken { jwt: Secret::new(jwt), expires_at: info.expires_at() });
        let keychain = self.keychain()?;
        keychain.check_writable()?;
        let (saved, elsewhere) = {
            let _lock = self.lock(&profile.name).await?;
            let saved = keychain.save(&profile.name, &credential)?;
            (saved, self.record_store(&profile, keychain.kind())?)
        };
        Ok(SignIn { status: self.status(Some(&profile.name))?, warnings: saved.replaced.into_iter().chain(elsewhere).collect() })
    }

    // ---- tokens ---------------------------------------------------------------------------

    /// A bearer token valid for at least `min_valid` seconds: the stored one, or a refreshed or
    /// re-signed one. Only one refresh per profile runs at a time across processes; the others
    /// wait and use its result.
    ///
    /// Some identity providers issue tokens that live less than `min_valid` (10 s, say). Then no
    /// token can meet the margin, and LakeKey hands out the freshest it can get instead of
    /// failing: the one it has just renewed, or the one another process renewed while this one
    /// waited. [`BearerToken::is_short_of`] says so. It fails only when no unexpired token can
    /// be had.
    pub async fn token(&self, name: Option<&str>, min_valid: u64) -> Result<BearerToken> {
        let profile = self.resolve(name)?;
        let keychain = self.keychain_of(&profile)?;
        let stored = keychain.load(&profile.name)?.ok_or_else(|| not_signed_in(&profile))?;
        if !stored.needs_renewal(min_valid, self.clock.now()) {
            return Ok(BearerToken::of(&stored));
        }
        let _lock = self.lock(&profile.name).await?;
        // Someone else may have renewed while we waited: then theirs is as fresh as it gets.
        let current = keychain.load(&profile.name)?.ok_or_else(|| not_signed_in(&profile))?;
        let now = self.clock.now();
        if !current.needs_renewal(min_valid, now) || (current != stored && current.is_unexpired(now)) {
            return Ok(BearerToken::of(&current));
        }
        crash_point::reached("refresh.locked");
        let renewed = match self.renew(&profile, &keychain, &current).await {
            Ok(renewed) => renewed,
            // The network or the provider failed, but the token we have is still valid: it is
            // better than none. The caller says so; the next request tries again.
            Err(e) if matches!(e.code(), ErrorCode::Network | ErrorCode::Server) && current.is_unexpired(self.clock.now()) => {
                tracing::warn!(profile = %profile.name, code = %e.code(), "renewal failed; handing out the current, unexpired token");
                return Ok(BearerToken { renewal_failed: Some(e.message().to_string()), ..BearerToken::of(&current) });
            }
            Err(e) => return Err(e),
        };
        crash_point::reached("saved");
        if !renewed.is_unexpired(self.clock.now()) {
            return Err(Error::new(
                ErrorCode::Server,
                format!("The identity provider issued a token that has already expired (expiry {}).", renewed.expires_at().unwrap_or_default()),
            )
            .with_hint("Check that this computer's clock is right; if it is, the identity provider's is not."));
        }
        Ok(BearerToken::of(&renewed))
    }

    /// Called with the profile's refresh lock held.
    async fn renew(&self, profile: &Resolved, keychain: &Keychain, stored: &Credential) -> Result<Credential> {
        // Open from the refresh request until the save (crate::interrupt).
        let mut critical = None;
        let renewed = match stored {
            // Nothing to renew with: the stored token is as fresh as it gets until it expires.
            Credential::OAuth(session) if session.refresh_token.is_none() && stored.is_unexpired(self.clock.now()) => return Ok(stored.clone()),
            Credential::OAuth(session) => match {
                // The provider may rotate the refresh token as soon as it has the request:
                // from now until the save below, a SIGTERM or time limit waits.
                critical = Some(crate::interrupt::critical());
                oauth_refresh::refresh(self.http()?, session, self.clock.now()).await
            } {
                Ok(new_session) => {
                    // From here until the keychain switch, the IdP has rotated the refresh token
                    // and only this process knows the new one (RELIABILITY.md: residual window).
                    crash_point::reached("refresh.answered");
                    Credential::OAuth(new_session)
                }
                Err(RefreshFailure::Other(e)) => return Err(e),
                Err(RefreshFailure::InvalidGrant) => {
                    // Before saying "sign in again": did a process outside our lock discipline
                    // (an older LakeKey, a restore) store a newer session meanwhile?
                    if let Some(current) = keychain.load(&profile.name)? {
                        if &current != stored && current.is_unexpired(self.clock.now()) {
                            return Ok(current);
                        }
                    }
                    return Err(Error::sign_in_required(format!(
                        "The sign-in for profile `{}` has expired or was revoked at the identity provider.",
                        profile.name
                    )));
                }
            },
            Credential::Pat(pat) => {
                let key = RsaKey::from_pkcs8_der(pat.key_pkcs8.clone())?;
                let now = self.clock.now();
                let jwt = pat_jwt::sign(&key, &PatClaims {
                    kid: &pat.kid,
                    org_id: &pat.org_id,
                    pat: &pat.pat,
                    username: &pat.username,
                    now,
                    expiration_secs: pat.expiration_secs,
                    valid_from: pat.valid_from,
                })?;
                Credential::Pat(PatCredential { jwt, jwt_expires_at: now.saturating_add(pat.expiration_secs), ..pat.clone() })
            }
            Credential::Token(_) if stored.is_unexpired(self.clock.now()) => return Ok(stored.clone()),
            Credential::Token(_) => {
                return Err(Error::sign_in_required(format!("The pasted token of profile `{}` has expired.", profile.name))
                    .with_hint("Paste a new token.")
                    .with_action(Action::SignIn { profile: Some(profile.name.clone()), pat: false }))
            }
        };
        // The rotated refresh token is stored before the new access token is handed out.
        keychain.save(&profile.name, &renewed)?;
        drop(critical);
        Ok(renewed)
    }

    // ---- status and sign out --------------------------------------------------------------

    pub fn status(&self, name: Option<&str>) -> Result<Status> {
        let profile = self.resolve(name)?;
        let keychain = self.keychain_of(&profile)?;
        let stored = keychain.load(&profile.name)?;
        let now = self.clock.now() as i64;
        let mut status = Status {
            profile: profile.name.clone(),
            method: profile.method,
            base_url: profile.base_url.clone(),
            signed_in: false,
            credential: None,
            expires_at: None,
            expires_in: None,
            can_refresh: false,
            lifetime: None,
            validation: None,
            token_preview: None,
            header: None,
            claims: None,
            store: keychain.kind(),
        };
        if let Some(credential) = stored {
            let info: Option<JwtInfo> = jwt_info::decode(credential.bearer().expose()).ok();
            status.credential = Some(credential.kind());
            status.expires_at = credential.expires_at();
            status.expires_in = credential.expires_at().map(|e| i64::try_from(e).unwrap_or(i64::MAX).saturating_sub(now));
            status.can_refresh = credential.renewal().is_possible();
            status.lifetime = credential.lifetime();
            status.signed_in = status.can_refresh || status.expires_in.is_none_or(|left| left > 0);
            status.validation = match &credential {
                Credential::Pat(p) => Some(p.validation),
                _ => None,
            };
            status.token_preview = Some(credential.bearer().masked());
            if let Some(info) = info {
                status.header = Some(info.header);
                status.claims = Some(info.claims);
            }
        }
        Ok(status)
    }

    /// Revokes at the IdP where it can, then removes the profile's secrets. Nothing is forgotten
    /// that could not be revoked: if revocation fails, or the stored credential cannot be read
    /// (a locked keychain, a transport or decryption failure, an unreadable record), the secrets
    /// are kept and the error returned. With `local_only` nothing is revoked and every LakeKey
    /// item of the profile is removed, whatever state it is in (unreadable, duplicated, torn).
    /// It holds the profile's lock throughout, as every write does, so what it removes is what it
    /// revoked: a sign-in finishing meanwhile is saved after it, and stays.
    pub async fn logout(&self, name: Option<&str>, local_only: bool) -> Result<SignedOut> {
        let profile = self.resolve(name)?;
        let keychain = self.keychain_of(&profile)?;
        let _lock = self.lock(&profile.name).await?;
        let kept = "The credentials are still stored. Try again later, or forget them here without revoking them.";
        let forget = Action::ForgetLocally { profile: profile.name.clone() };
        let revoked = if local_only {
            false
        } else {
            match keychain.load(&profile.name) {
                Ok(Some(Credential::OAuth(session))) => revocation::revoke(self.http()?, &session)
                    .await
                    .map_err(|e| Error::new(e.code(), e.message()).with_hint(kept).with_action(forget.clone()))?,
                // A PAT or pasted token has nothing to revoke at an IdP.
                Ok(_) => false,
                Err(e) => {
                    let message = format!("LakeKey could not read what is stored for `{}`, so it cannot revoke it: {}", profile.name, e.message());
                    let hint = match e.hint() {
                        Some(h) if e.code().is_keychain() => format!("{h} {kept}"),
                        _ => kept.to_string(),
                    };
                    return Err(Error::new(e.code(), message).with_hint(hint).with_action(forget));
                }
            }
        };
        let purged = keychain.purge(&profile.name)?;
        let elsewhere = self.purge_elsewhere(&profile.name, keychain.kind());
        self.forget_store(&profile.name)?;
        Ok(SignedOut { revoked, removed: purged.removed + elsewhere, unreadable: purged.unreadable })
    }

    /// Every profile's status, in name order; one that cannot be read carries its error.
    pub fn statuses(&self) -> Result<Vec<(String, Result<Status>)>> {
        let config = self.config()?;
        Ok(config.profiles.keys().map(|name| (name.clone(), self.status(Some(name)))).collect())
    }

    /// Which store holds the secrets (connecting to it if needed).
    pub fn store(&self) -> Result<StoreKind> {
        Ok(self.keychain()?.kind())
    }

    /// What a user signing in should know about where the secrets go, when that is not the
    /// desktop keychain (the kernel keyring's lifetime and reach); `None` for the OS keychain.
    pub fn store_notice(&self) -> Result<Option<String>> {
        Ok(self.store()?.notice())
    }

    /// What a PAT import needs to know of a key file before it starts: whether it asks for a
    /// passphrase, the key id its name gives, and a warning when others can read it.
    pub fn inspect_key(&self, path: &Path) -> Result<KeyFacts> {
        let text = read_text_file(path, crate::pem_key::MAX_PEM_BYTES, "PEM key")?;
        Ok(KeyFacts {
            encrypted: text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            kid: pat_jwt::kid_from_path(path),
            warning: readable_by_others(path, self.store().ok()),
        })
    }

    /// The files LakeKey uses for this user.
    pub fn paths(&self) -> Paths {
        let dir = self.profiles.dir().to_path_buf();
        Paths { profiles_file: self.profiles.path(), locks_dir: crate::refresh_lock::dir(&dir), config_dir: dir }
    }

    /// The profile's lock, which every write of its credential holds (see [`RefreshLock`]).
    async fn lock(&self, profile: &str) -> Result<RefreshLock> {
        RefreshLock::acquire(self.profiles.dir(), profile).await
    }
}

fn store_unreachable(profile: &Resolved, kind: StoreKind, e: Error) -> Error {
    let code = if e.code().is_keychain() { e.code() } else { ErrorCode::KeychainUnavailable };
    Error::new(
        code,
        format!("Profile `{}` was signed in with its secrets kept in {}, which cannot be reached from here: {}", profile.name, kind.describe(), e.message()),
    )
    .with_hint(match kind {
        StoreKind::SecretService => {
            "Run LakeKey in the desktop session that signed in (with its session bus), or sign in again here: the new sign-in is kept where this process can reach it."
        }
        _ => "Sign in again here: the new sign-in is kept where this process can reach it.",
    })
    .with_action(Action::SignIn { profile: Some(profile.name.clone()), pat: profile.method == Method::Pat })
}

fn not_signed_in(profile: &Resolved) -> Error {
    let how = match profile.method {
        Method::Device | Method::Browser => "Sign in.",
        Method::Pat => "Sign in with your PAT and its key.",
        Method::Token => "Paste a token.",
    };
    Error::new(ErrorCode::SignInRequired, format!("Profile `{}` is not signed in.", profile.name))
        .with_hint(how)
        .with_action(Action::SignIn { profile: Some(profile.name.clone()), pat: profile.method == Method::Pat })
}

/// A warning when a private key file can be read by other users.
#[cfg(unix)]
pub fn readable_by_others(path: &Path, store: Option<StoreKind>) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    // Where the keychain forgets the key at restart, the file is the only lasting copy: never
    // suggest deleting it.
    let advice = match store.map(StoreKind::survives_restart) {
        Some(true) => "Once the key is in your keychain you may delete the file; until then, restrict it with chmod 600.",
        Some(false) => "Restrict it with chmod 600, and keep it: the kernel keyring forgets the key when the machine restarts.",
        None => "Restrict it with chmod 600.",
    };
    (mode & 0o077 != 0).then(|| format!("The key file {} can be read by other users (mode {:o}). {advice}", path.display(), mode & 0o777))
}

#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path, _store: Option<StoreKind>) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::credential::OAuthSession;

    struct Fixture {
        _dir: tempfile::TempDir,
        engine: Engine,
        clock: Arc<FakeClock>,
        store: Arc<keyring_core::mock::Store>,
    }

    impl Fixture {
        /// Makes the next keychain call for the profile's main item fail with `error`.
        fn fail_next_keychain_call(&self, error: keyring_core::Error) {
            let entry = keyring_core::api::CredentialStoreApi::build(self.store.as_ref(), crate::keychain::SERVICE, "p", None).unwrap();
            entry.as_any().downcast_ref::<keyring_core::mock::Cred>().unwrap().set_error(error);
        }
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FakeClock::at(1_800_000_000));
        let store = keyring_core::mock::Store::new().unwrap();
        let keychain = Keychain::with_store(store.clone(), None);
        let engine = Engine::new(dir.path(), Some(keychain), clock.clone());
        engine
            .add_profile("p", Profile { base_url: "https://acme.example.com/api/accounts/e1".into(), ..Default::default() }, true)
            .unwrap();
        Fixture { _dir: dir, engine, clock, store }
    }

    fn session(expires_at: u64) -> Credential {
        Credential::OAuth(OAuthSession {
            access_token: Secret::new("access-1"),
            refresh_token: Some(Secret::new("refresh-1")),
            expires_at,
            obtained_at: expires_at - 600,
            // Nothing listens on port 9: a refresh attempt is a network error.
            token_endpoint: "http://127.0.0.1:9/token".into(),
            revocation_endpoint: Some("http://127.0.0.1:9/revoke".into()),
            client_id: "acme-oaf-device".into(),
        })
    }

    #[test]
    fn profile_names_differing_only_in_case_are_refused() {
        let f = fixture();
        let profile = Profile { base_url: "https://acme.example.com/api/accounts/e1".into(), ..Default::default() };
        let err = f.engine.add_profile("P", profile.clone(), false).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.message().contains("letter case"), "{}", err.message());
        f.engine.add_profile("p", profile, false).expect("the same name again is an update");
    }

    #[test]
    fn editing_a_profile_keeps_the_store_its_sign_in_recorded() {
        let f = fixture();
        let url = "https://acme.example.com/api/accounts/e1";
        f.engine.profiles.update(|c| Ok(c.profiles.get_mut("p").unwrap().store = Some(StoreKind::Kernel))).unwrap();
        // The form sends no store; a forged one is ignored as well.
        for sent in [None, Some(StoreKind::SecretService)] {
            let edited = Profile { base_url: url.into(), scope: Some("openid lake".into()), store: sent, ..Default::default() };
            f.engine.add_profile("p", edited, false).unwrap();
            let kept = &f.engine.config().unwrap().profiles["p"];
            assert_eq!((kept.store, kept.scope.as_deref()), (Some(StoreKind::Kernel), Some("openid lake")));
        }
        // A new profile has no secrets yet, so nowhere to record.
        let new = Profile { base_url: url.into(), store: Some(StoreKind::Kernel), ..Default::default() };
        f.engine.add_profile("q", new, false).unwrap();
        assert_eq!(f.engine.config().unwrap().profiles["q"].store, None);
    }

    #[tokio::test]
    async fn a_fresh_token_is_returned_without_any_request() {
        let f = fixture();
        let now = f.engine.now();
        f.engine.keychain().unwrap().save("p", &session(now + 600)).unwrap();
        assert_eq!(f.engine.token(None, 60).await.unwrap().secret.expose(), "access-1");
    }

    #[tokio::test]
    async fn tokens_shorter_than_asked_for_are_renewed_at_half_life_and_handed_out_not_refused() {
        // PAT JWTs of 30 s; the caller asks for 60 s of validity, which no JWT can give.
        let f = fixture();
        let dir = tempfile::tempdir().unwrap();
        f.engine.import_pat(None, pat_import(&dir, 30)).await.unwrap();
        let first = f.engine.token(None, 60).await.unwrap();
        // Less than half its life gone: handed out as it is, not renewed on every request.
        f.clock.advance(14);
        assert_eq!(f.engine.token(None, 60).await.unwrap(), first);
        f.clock.advance(1);
        let now = f.engine.now();
        let token = f.engine.token(None, 60).await.unwrap();
        assert_ne!(token.secret, first.secret, "re-signed once half its life was gone");
        assert_eq!((token.valid_for(now), token.lifetime), (Some(30), Some(30)));
        let note = token.is_short_of(60, now).unwrap();
        assert!(note.contains("valid for 30 s") && note.contains("PAT tokens live 30 s") && note.contains("longer expiration time"), "{note}");
        assert_eq!(token.is_short_of(30, now), None);
        assert_eq!(token.notes(60, now), vec![TokenNote::ShortLived(note)]);
    }

    #[tokio::test]
    async fn a_sign_in_without_refresh_token_is_not_called_short_lived_by_its_provider() {
        let f = fixture();
        let now = f.engine.now();
        let Credential::OAuth(mut session) = session(now + 30) else { unreachable!() };
        session.refresh_token = None;
        f.engine.keychain().unwrap().save("p", &Credential::OAuth(session)).unwrap();
        let token = f.engine.token(None, 60).await.unwrap();
        assert!(!token.renewable());
        let note = token.is_short_of(60, now).unwrap();
        assert!(note.contains("no refresh token") && note.contains("sign in again"), "{note}");
    }

    #[tokio::test]
    async fn a_failed_renewal_hands_out_the_current_token_while_it_is_valid() {
        let f = fixture();
        let now = f.engine.now();
        f.engine.keychain().unwrap().save("p", &session(now + 30)).unwrap();
        // Due (30 s left, 60 asked), the IdP unreachable: the current token, and why no newer.
        let token = f.engine.token(None, 60).await.unwrap();
        assert_eq!(token.secret.expose(), "access-1");
        assert!(token.renewal_failed.is_some(), "the failure is reported");
        assert!(matches!(token.notes(60, now).as_slice(), [TokenNote::RenewalFailed(n)] if n.contains("valid for 30 s more")));
        assert_eq!(f.engine.keychain().unwrap().load("p").unwrap(), Some(session(now + 30)), "nothing lost");
        // Once it has expired there is nothing to hand out: the network error itself.
        f.clock.advance(30);
        assert_eq!(f.engine.token(None, 60).await.unwrap_err().code(), ErrorCode::Network);
        assert_eq!(f.engine.keychain().unwrap().load("p").unwrap(), Some(session(now + 30)));
    }

    /// A PAT import of JWTs living `expiration_secs`, with the test key as `key1.pem` in `dir`.
    fn pat_import(dir: &tempfile::TempDir, expiration_secs: u64) -> PatImport {
        let pem = dir.path().join("key1.pem");
        std::fs::copy(format!("{}/tests/fixtures/test-key.pem", env!("CARGO_MANIFEST_DIR")), &pem).unwrap();
        PatImport {
            pat: Some(Secret::new(" pat-1 \n")),
            pem_file: pem,
            username: Some("ALICE".into()),
            expiration_time: Some(expiration_secs),
            validate: false,
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn pat_profiles_re_sign_near_expiry_and_validate_nothing_twice() {
        let f = fixture();
        let dir = tempfile::tempdir().unwrap();
        let imported = f.engine.import_pat(None, pat_import(&dir, 3600)).await.unwrap();
        assert_eq!(imported.kid, "key1");
        assert_eq!(imported.validation, Validation::NotValidated);
        let first = f.engine.token(None, 60).await.unwrap();
        assert_eq!(f.engine.token(None, 60).await.unwrap(), first);
        f.clock.advance(3600 - 30);
        let second = f.engine.token(None, 60).await.unwrap();
        assert_ne!(second, first);
        let claims = jwt_info::decode(second.secret.expose()).unwrap().claims;
        assert_eq!(claims["exp"], f.engine.now() + 3600);
        assert_eq!(claims["sub"], "ALICE");
        let status = f.engine.status(None).unwrap();
        assert_eq!(status.method, Method::Pat);
        assert!(!status.claims.unwrap().contains_key("pat"));
    }

    #[tokio::test]
    async fn pasted_tokens_are_checked_and_expire_into_sign_in_required() {
        use base64::Engine as _;
        let f = fixture();
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let exp = f.engine.now() + 120;
        let jwt = format!("{}.{}.sig", b64(r#"{"alg":"none"}"#), b64(&format!(r#"{{"exp":{exp}}}"#)));
        assert_eq!(f.engine.import_token(None, Secret::new("not a jwt")).await.unwrap_err().code(), ErrorCode::InvalidInput);
        f.engine.import_token(None, Secret::new(format!("Bearer {jwt}"))).await.unwrap();
        assert_eq!(f.engine.token(None, 60).await.unwrap().secret.expose(), jwt);
        // Too short for the 60 s asked for, but unexpired and not renewable: handed out, and said so.
        f.clock.advance(100);
        let short = f.engine.token(None, 60).await.unwrap();
        assert_eq!(short.secret.expose(), jwt);
        assert!(short.is_short_of(60, f.engine.now()).unwrap().contains("pasted token cannot be renewed"));
        f.clock.advance(20);
        assert_eq!(f.engine.token(None, 60).await.unwrap_err().code(), ErrorCode::SignInRequired);
        assert!(f.engine.keychain().unwrap().load("p").unwrap().is_some(), "nothing is deleted");
    }

    #[tokio::test]
    async fn logout_keeps_secrets_when_revocation_fails_unless_local_only() {
        let f = fixture();
        let now = f.engine.now();
        f.engine.keychain().unwrap().save("p", &session(now + 600)).unwrap();
        assert_eq!(f.engine.logout(None, false).await.unwrap_err().code(), ErrorCode::Network);
        assert!(f.engine.keychain().unwrap().load("p").unwrap().is_some());
        assert_eq!(f.engine.logout(None, true).await.unwrap(), SignedOut { revoked: false, removed: 1, unreadable: 0 });
        assert!(f.engine.keychain().unwrap().load("p").unwrap().is_none());
        assert_eq!(f.engine.token(None, 60).await.unwrap_err().code(), ErrorCode::SignInRequired);
    }

    #[tokio::test]
    async fn logout_never_forgets_a_credential_it_could_not_read() {
        let f = fixture();
        let now = f.engine.now();
        f.engine.keychain().unwrap().save("p", &session(now + 600)).unwrap();

        // A locked keychain, then one failing underneath: the matching code, and nothing removed.
        f.fail_next_keychain_call(keyring_core::Error::NoStorageAccess("collection is locked".into()));
        let locked = f.engine.logout(None, false).await.unwrap_err();
        assert_eq!(locked.code(), ErrorCode::KeychainLocked);
        assert_eq!(locked.action(), Some(&Action::ForgetLocally { profile: "p".into() }), "{:?}", locked.hint());
        f.fail_next_keychain_call(keyring_core::Error::PlatformFailure("the connection broke".into()));
        assert_eq!(f.engine.logout(None, false).await.unwrap_err().code(), ErrorCode::KeychainUnavailable);
        assert_eq!(f.engine.keychain().unwrap().load("p").unwrap(), Some(session(now + 600)));

        // An unreadable record is kept too; --local-only is the explicit way to forget it.
        f.engine.keychain().unwrap().call("p", |e| e.set_password("lakekey-v1 abc 1\n{not json")).unwrap();
        let unreadable = f.engine.logout(None, false).await.unwrap_err();
        assert_eq!(unreadable.code(), ErrorCode::SignInRequired);
        assert!(unreadable.message().contains("cannot revoke"), "{}", unreadable.message());
        assert!(f.engine.keychain().unwrap().call("p", |e| e.get_password()).is_ok(), "the record is still there");
        assert_eq!(unreadable.action(), Some(&Action::ForgetLocally { profile: "p".into() }), "the way out: forget without revoking");
        assert_eq!(f.engine.logout(None, true).await.unwrap(), SignedOut { revoked: false, removed: 1, unreadable: 0 });
        assert_eq!(f.engine.keychain().unwrap().load("p").unwrap(), None);
    }
}
