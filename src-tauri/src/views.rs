//! What the webview may see: profile settings, derived values, sign-in state, masked previews.
//! No type here can hold a token, a refresh token, a PAT or a key.

use lakekey::credential::Validation;
use lakekey::device_flow::DeviceEvent;
use lakekey::profile::{Profile, Resolved};
use lakekey::Status;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What LakeKey derives from a base URL, shown while the user types.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Derived {
    /// A name for a new profile of this organisation that no profile has yet (the engine's rule).
    pub suggested_name: String,
    pub base_url: String,
    pub org_id: String,
    pub env_id: String,
    pub issuer: String,
    pub client_id: String,
    pub scope: String,
}

impl From<&Resolved> for Derived {
    fn from(r: &Resolved) -> Self {
        Derived {
            suggested_name: r.name.clone(),
            base_url: r.base_url.clone(),
            org_id: r.org_id.clone(),
            env_id: r.env_id.clone(),
            issuer: r.issuer.clone(),
            client_id: r.client_id.clone(),
            scope: r.scope.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SignInState {
    SignedIn,
    NeedsSignIn,
    Expired,
    RefreshFailing,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub is_default: bool,
    pub demo: bool,
    /// Its settings, as profiles.toml and the add/edit form have them.
    pub input: Profile,
    pub derived: Option<Derived>,
    pub state: SignInState,
    pub expires_at: Option<u64>,
    pub can_refresh: bool,
    pub validation: Option<Validation>,
    pub token_preview: Option<String>,
    /// Why the last background refresh failed, if it did.
    pub problem: Option<String>,
    /// Why the profile cannot be used (e.g. a hand-edited URL no longer parses).
    pub error: Option<String>,
}

impl ProfileView {
    pub fn state_of(status: &Status, now: u64, problem: Option<&str>) -> SignInState {
        if status.credential.is_none() {
            return SignInState::NeedsSignIn;
        }
        if problem.is_some() {
            return SignInState::RefreshFailing;
        }
        match status.expires_at {
            Some(exp) if exp <= now && !status.can_refresh => SignInState::Expired,
            _ => SignInState::SignedIn,
        }
    }
}

/// Decoded token for the details view: never the `pat` claim, never the signature.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
    pub header: Map<String, Value>,
    #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
    pub claims: Map<String, Value>,
    pub valid_from: Option<u64>,
    pub expires_at: Option<u64>,
    pub preview: Option<String>,
    /// Where the secrets are kept, in a few words.
    pub store: String,
    /// What a user should know about that store (the CLI's note), when it is not a desktop keychain.
    pub store_notice: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub demo_running: bool,
    pub config_dir: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DeviceEventPayload {
    pub profile: String,
    pub event: DeviceEvent,
    /// A QR code (SVG data URL) of the complete verification URL, with the `code` event.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub qr: Option<String>,
    /// With `signed_in`: where the secrets are kept (when not a desktop keychain) and every
    /// warning the sign-in produced, for the user to read.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pat,
    Pem,
    Ca,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub encrypted: bool,
    pub kid: Option<String>,
    pub warning: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase")]
pub struct PatForm {
    pub pat_file: Option<String>,
    pub pat: Option<String>,
    pub pem_file: String,
    pub passphrase: Option<String>,
    pub username: String,
    pub kid: Option<String>,
    pub expiration_time: Option<u64>,
    pub validate: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    pub device_profile: String,
    pub pat_profile: String,
    pub pat_file: String,
    pub pem_file: String,
    pub username: String,
}

