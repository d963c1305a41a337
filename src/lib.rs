//! LakeKey's engine: signs in to Teradata VantageCloud Lake (device flow, PAT + PEM, or a pasted
//! token), keeps every secret in the OS keychain, and hands out fresh bearer tokens. The
//! `lakekey` CLI and the desktop app are thin layers over [`Engine`].
//!
//! Where things are (docs/ARCHITECTURE.md has the whole map):
//! - URL rules: [`lake_url`]; profiles: [`profile`]
//! - device flow: [`device_flow`] (+ [`discovery`]); browser sign-in: `browser_flow` with its
//!   `loopback` listener; refresh: `oauth_refresh`; sign-out: `revocation`
//! - PAT JWT signing: [`pat_jwt`] with keys from [`pem_key`]; Lake's check: `lake_validation`
//! - secrets: [`keychain`] (storage; which store: [`keychain::stores`]), [`credential`] (what is
//!   stored, and when a token is renewed), [`secret`] (the redacting type)
//! - one refresh at a time: `refresh_lock`; a refresh's save never cut short: [`interrupt`];
//!   HTTP: `http`; errors: `error` ([`Error`], [`ErrorCode`])
//! - the sign-in page: [`browser`] (opening it, WSL included), [`qr_code`] (for a phone)
//!
//! Modules are public only where the CLI, the desktop app, the fuzz targets or the tests use them.

pub mod browser;
mod browser_flow;
mod cancel;
pub mod clock;
pub mod crash_point;
pub mod credential;
pub mod device_flow;
pub mod discovery;
pub mod engine;
mod error;
mod http;
pub mod interrupt;
pub mod jwt_info;
pub mod keychain;
pub mod lake_url;
mod lake_validation;
mod loopback;
mod oauth_refresh;
pub mod pat_jwt;
pub mod pem_key;
pub mod profile;
pub mod qr_code;
mod refresh_lock;
mod revocation;
pub mod secret;

pub use cancel::Cancel;
pub use device_flow::DeviceEvent;
pub use engine::{BearerToken, Browser, Engine, KeyFacts, PatImport, PatImported, SignIn, SignedOut, Status, TokenNote, DEFAULT_MIN_VALID_SECS};
pub use error::{Action, Error, ErrorCode, Result};
pub use profile::{Method, Profile, Resolved};
pub use lake_url::IdpPreset;
pub use secret::Secret;
