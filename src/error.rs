//! The engine's one error type.
//!
//! Every failure carries an [`ErrorCode`]: a stable identifier that the CLI maps to an exit code and
//! the desktop app to a UI state. Callers match on the code, never on the message text. Messages
//! are single plain sentences meant for people, and never contain a secret.

use std::fmt;

/// Stable error codes. The `as_str` names are part of the public contract (JSON output, IPC), and
/// the desktop UI gets them as a TypeScript union (ts-rs), so its `switch` on a code is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename_all = "snake_case"))]
pub enum ErrorCode {
    /// A value the user gave is malformed: a URL, a PEM key, a PAT, a profile setting.
    InvalidInput,
    /// The named profile does not exist.
    ProfileNotFound,
    /// The profile file exists but cannot be read as profiles; it is left untouched.
    ConfigCorrupt,
    /// No usable credential: the user has to sign in (again).
    SignInRequired,
    /// The user declined the sign-in at the identity provider.
    AccessDenied,
    /// The device code expired before the user approved it.
    CodeExpired,
    /// Lake answered that the PAT, key or user name is not accepted.
    Rejected,
    /// No OS keychain could be reached (no Secret Service, no session bus).
    KeychainUnavailable,
    /// The keychain is there but locked, or refused access.
    KeychainLocked,
    /// The network failed: refused, timed out, reset, TLS, proxy.
    Network,
    /// A server answered, but not as the protocol says (5xx, HTML, bad JSON, redirects).
    Server,
    /// The caller's time limit (`--time-limit`) ran out before the work could start or finish.
    /// Nothing is lost: a refresh already sent is always saved first.
    Timeout,
    /// The caller cancelled the operation.
    Cancelled,
    /// Anything else: a local I/O failure or a bug.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::InvalidInput,
        ErrorCode::ProfileNotFound,
        ErrorCode::ConfigCorrupt,
        ErrorCode::SignInRequired,
        ErrorCode::AccessDenied,
        ErrorCode::CodeExpired,
        ErrorCode::Rejected,
        ErrorCode::KeychainUnavailable,
        ErrorCode::KeychainLocked,
        ErrorCode::Network,
        ErrorCode::Server,
        ErrorCode::Timeout,
        ErrorCode::Cancelled,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::ProfileNotFound => "profile_not_found",
            ErrorCode::ConfigCorrupt => "config_corrupt",
            ErrorCode::SignInRequired => "sign_in_required",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::Rejected => "rejected",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::KeychainLocked => "keychain_locked",
            ErrorCode::Network => "network",
            ErrorCode::Server => "server",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }

    /// A keychain that cannot be used at all (missing or locked), as opposed to one item.
    pub fn is_keychain(self) -> bool {
        matches!(self, ErrorCode::KeychainUnavailable | ErrorCode::KeychainLocked)
    }

    /// The CLI's exit code for this kind of failure (documented in the README).
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorCode::SignInRequired | ErrorCode::AccessDenied | ErrorCode::CodeExpired => 3,
            ErrorCode::KeychainUnavailable | ErrorCode::KeychainLocked => 4,
            ErrorCode::Network | ErrorCode::Server => 5,
            ErrorCode::InvalidInput
            | ErrorCode::ProfileNotFound
            | ErrorCode::ConfigCorrupt
            | ErrorCode::Rejected => 6,
            ErrorCode::Timeout => 7,
            ErrorCode::Cancelled => 130,
            ErrorCode::Internal => 1,
        }
    }
}

/// As its stable name (`as_str`).
impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the user can do about a failure, for each front end to phrase in its own terms: the CLI
/// names a command, the app a button, the Python package a function. The engine's messages and
/// hints never hold CLI syntax; the action carries the facts (which profile).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Sign in to the profile (again): with a PAT and key for PAT profiles.
    SignIn { profile: Option<String>, pat: bool },
    /// Sign in again (which replaces what cannot be read), or forget the profile's stored items
    /// without revoking them.
    SignInOrForget { profile: Option<String> },
    /// Forget the profile's stored items without revoking them at the identity provider.
    ForgetLocally { profile: String },
    /// Choose one of several profiles, or make one the default.
    ChooseProfile,
    /// See the profiles there are.
    ListProfiles,
    /// Add a profile for a Lake environment.
    AddProfile,
    /// Sign out of profiles no longer used, to free keychain space.
    SignOutUnused,
    /// Run LakeKey outside the container and hand the token in.
    RunOutsideContainer,
}

/// An engine failure: a code, one sentence for people, and optionally what to do about it.
#[derive(Debug)]
pub struct Error {
    code: ErrorCode,
    message: String,
    hint: Option<String>,
    action: Option<Action>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), hint: None, action: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_action(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }

    /// What the user can do, for the front end to phrase.
    pub fn action(&self) -> Option<&Action> {
        self.action.as_ref()
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    pub fn sign_in_required(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::SignInRequired, message).with_hint("Sign in again.").with_action(Action::SignIn { profile: None, pat: false })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_message_or_hint_of_the_engine_holds_cli_syntax() {
        // The CLI phrases actions as commands; the app and Python in their own terms. A hint
        // that named a command would reach a toast. Scans the engine's sources, CLI aside.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if path.file_name().is_some_and(|n| n != "cli") {
                        dirs.push(path);
                    }
                    continue;
                }
                if path.extension().is_none_or(|x| x != "rs") || path.ends_with("main.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Only code outside the file's tests: they may check what the CLI prints.
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (n, line) in code.lines().enumerate() {
                    let line = line.trim_start();
                    if !line.starts_with("//") && (line.contains("`lakekey ") || line.contains("(lakekey ")) {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "CLI syntax in engine text:\n{}", found.join("\n"));
    }

    #[test]
    fn codes_are_unique_and_exit_codes_follow_the_contract() {
        let names: std::collections::HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(ErrorCode::CodeExpired.exit_code(), 3);
        assert_eq!(ErrorCode::KeychainLocked.exit_code(), 4);
        assert_eq!(ErrorCode::Server.exit_code(), 5);
        assert_eq!(ErrorCode::ProfileNotFound.exit_code(), 6);
        assert_eq!(ErrorCode::Internal.exit_code(), 1);
    }
}
