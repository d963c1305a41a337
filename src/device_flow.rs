//! The OAuth 2.0 device authorization grant (RFC 8628): ask for a code, show it, poll for the token.
//!
//! Polling is done here rather than by oauth2's built-in poller, because that one retries network
//! errors silently and finally reports them as `expired_token`; a dead server must be reported as
//! what it is. The decision after each poll is a pure function ([`next_step`]), tested on its own.

use crate::cancel::Cancel;
use crate::clock::Clock;
use crate::credential::OAuthSession;
use crate::error::{Action, Error, ErrorCode, Result};
use crate::http::{parse_json, Endpoint, HttpClient};
use crate::jwt_info;
use crate::secret::Secret;
use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{DeviceCodeErrorResponse, DeviceCodeErrorResponseType, StandardDeviceAuthorizationResponse, TokenResponse};
use serde::Serialize;
use std::time::Duration;

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Network or server trouble this many polls in a row ends the flow with that error.
pub const MAX_TROUBLE_IN_A_ROW: u32 = 3;
/// Used when a token answer carries no `expires_in` and the token is not a JWT.
pub const ASSUMED_LIFETIME_SECS: u64 = 300;

/// What the user needs to see to approve the sign-in. The device code itself stays private, and
/// neither code appears in `Debug` (logs).
#[derive(Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    pub interval: Duration,
    pub issued_at: u64,
    device_code: Secret,
}

/// Who asks for a sign-in and what the user must check before entering its code, shown with the
/// code in the same words by the CLI, the app and the notebook. RFC 10027 (BCP 247) §6.1.14:
/// against a code relayed by an attacker ("please approve this"), say who started the flow, on
/// which machine and for what, and tell the user to decline a code they did not just ask for.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignInContext {
    /// This computer's name.
    pub host: String,
    /// The Lake environment (its base URL).
    pub environment: String,
    pub profile: String,
    /// The identity provider's host (its issuer's).
    pub idp_host: String,
    /// "LakeKey on HOST asks to sign in to ENVIRONMENT (profile NAME), at IDP_HOST."
    pub asks: String,
    /// Enter the code only if you started this sign-in just now, on this machine.
    pub only_if: String,
    /// Set when the sign-in page is on another host than the identity provider's.
    pub page_host_warning: Option<String>,
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode").field("user_code", &"<redacted>").field("expires_in", &self.expires_in).field("interval", &self.interval).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SignInContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInContext").field("profile", &self.profile).field("idp_host", &self.idp_host).finish_non_exhaustive()
    }
}

/// The sentence that tells the user when to enter a code, and when not to.
pub const ONLY_IF: &str = "Enter this code only if you started this sign-in just now, on this machine. \
If you did not, do not enter it: close the page. LakeKey never asks for a code by mail, chat or phone.";

impl SignInContext {
    /// `page` is the sign-in page the identity provider named (`verification_uri`).
    pub fn new(host: &str, environment: &str, profile: &str, issuer: &str, page: &str) -> Self {
        let host_of = |url: &str| url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default();
        let (idp_host, page_host) = (host_of(issuer), host_of(page));
        SignInContext {
            asks: format!("LakeKey on {host} asks to sign in to {environment} (profile {profile}), at the identity provider {idp_host}."),
            only_if: ONLY_IF.to_string(),
            page_host_warning: (page_host != idp_host).then(|| {
                format!("The sign-in page is on {page_host}, not on the identity provider's host {idp_host}. Enter the code only if you trust {page_host}.")
            }),
            host: host.to_string(),
            environment: environment.to_string(),
            profile: profile.to_string(),
            idp_host,
        }
    }
}

/// This computer's name, as the user knows it.
pub fn this_host() -> String {
    let name = gethostname::gethostname().to_string_lossy().trim().to_string();
    if name.is_empty() { "this computer".to_string() } else { name }
}

/// Progress of a device sign-in, for the CLI's output and the app's screens. Its `Debug` never
/// shows the user code (RFC 10027 §6.1.2: codes stay out of logs).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeviceEvent {
    Code {
        user_code: String,
        verification_uri: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        verification_uri_complete: Option<String>,
        expires_in: u64,
        /// Epoch seconds: when the code expires.
        expires_at: u64,
        interval: u64,
        /// Who asks, and what to check before entering the code.
        context: SignInContext,
    },
    /// The browser sign-in's page was opened: finish there (until `expires_at`).
    Browser { idp_host: String, expires_at: u64 },
    /// A browser sign-in cannot happen here; the device flow takes over (said once).
    Fallback { message: String },
    Pending,
    SlowDown { interval: u64 },
    /// A poll failed for network or server reasons; polling goes on for a while.
    NetworkTrouble { message: String },
    SignedIn { expires_at: u64 },
    Error {
        code: ErrorCode,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
        /// What the user can do (each front end phrases it).
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<Action>,
    },
}

impl std::fmt::Debug for DeviceEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceEvent::Code { expires_in, interval, context, .. } => f
                .debug_struct("Code")
                .field("user_code", &"<redacted>")
                .field("expires_in", expires_in)
                .field("interval", interval)
                .field("context", context)
                .finish_non_exhaustive(),
            DeviceEvent::Browser { idp_host, expires_at } => f.debug_struct("Browser").field("idp_host", idp_host).field("expires_at", expires_at).finish(),
            DeviceEvent::Fallback { message } => f.debug_struct("Fallback").field("message", message).finish(),
            DeviceEvent::Pending => f.write_str("Pending"),
            DeviceEvent::SlowDown { interval } => f.debug_struct("SlowDown").field("interval", interval).finish(),
            DeviceEvent::NetworkTrouble { message } => f.debug_struct("NetworkTrouble").field("message", message).finish(),
            DeviceEvent::SignedIn { expires_at } => f.debug_struct("SignedIn").field("expires_at", expires_at).finish(),
            DeviceEvent::Error { code, message, hint, .. } => f.debug_struct("Error").field("code", code).field("message", message).field("hint", hint).finish(),
        }
    }
}

impl DeviceEvent {
    pub fn code_issued(code: &DeviceCode, context: SignInContext) -> Self {
        DeviceEvent::Code {
            user_code: code.user_code.clone(),
            verification_uri: code.verification_uri.clone(),
            verification_uri_complete: code.verification_uri_complete.clone(),
            expires_in: code.expires_in.as_secs(),
            expires_at: code.issued_at.saturating_add(code.expires_in.as_secs()),
            interval: code.interval.as_secs(),
            context,
        }
    }

    pub fn failed(error: &Error) -> Self {
        DeviceEvent::Error {
            code: error.code(),
            message: error.message().to_string(),
            hint: error.hint().map(str::to_string),
            action: error.action().cloned(),
        }
    }
}

/// Asks the IdP for a device code.
pub async fn request_code(
    http: &HttpClient,
    device_endpoint: &str,
    client_id: &str,
    scope: &str,
    clock: &dyn Clock,
) -> Result<DeviceCode> {
    let response = http
        .post_form(Endpoint::DeviceAuthorization, device_endpoint, &[("client_id", client_id), ("scope", scope)])
        .await?;
    read_device_code(&response, client_id, clock.now())
}

/// Reads the device authorization endpoint's answer (no I/O, so it can be fuzzed on its own).
pub fn read_device_code(response: &http::Response<Vec<u8>>, client_id: &str, issued_at: u64) -> Result<DeviceCode> {
    if !response.status().is_success() {
        let err: BasicErrorResponse = parse_json(Endpoint::DeviceAuthorization, response)?;
        let what = describe(err.error().as_ref(), err.error_description());
        // The errors RFC 6749 defines point at the profile's settings; others at the server.
        if matches!(err.error(), BasicErrorResponseType::Extension(_)) {
            return Err(Error::new(
                ErrorCode::Server,
                format!("The {} answered with an error it should not send: {what}.", Endpoint::DeviceAuthorization),
            ));
        }
        return Err(Error::invalid(format!("The identity provider refused the sign-in request for client id `{client_id}`: {what}."))
            .with_hint("Check the profile's client id and scope."));
    }
    let details: StandardDeviceAuthorizationResponse = parse_json(Endpoint::DeviceAuthorization, response)?;
    let interval = if details.interval().is_zero() { Duration::from_secs(5) } else { details.interval() };
    // These addresses go to the OS's URL handler and into notebook links: only a web page will
    // do (https, or http on loopback), never `file:`, `javascript:` or a program's scheme.
    let verification_uri = sign_in_address(details.verification_uri().as_str())?;
    let verification_uri_complete = details.verification_uri_complete().map(|u| sign_in_address(u.secret())).transpose()?;
    Ok(DeviceCode {
        user_code: details.user_code().secret().clone(),
        verification_uri,
        verification_uri_complete,
        expires_in: details.expires_in(),
        interval,
        issued_at,
        device_code: Secret::new(details.device_code().secret().as_str()),
    })
}

/// What one poll of the token endpoint answered.
#[derive(Debug)]
pub enum PollAnswer {
    Token(BasicTokenResponse),
    Pending,
    SlowDown,
    Denied,
    Expired,
    /// A protocol error that ends the flow (`invalid_client`, `invalid_grant`, ...).
    Refused(Error),
    /// The network or the server failed; worth another try.
    Trouble(Error),
}

/// What to do after a poll.
#[derive(Debug)]
pub enum Step {
    /// Wait this long, then poll again.
    Wait { interval: Duration, event: DeviceEvent },
    Done(Box<BasicTokenResponse>),
    Fail(Error),
}

/// The polling rules: keep the interval on `authorization_pending`, add 5 s on `slow_down` for
/// this and all later polls, stop on denial or expiry, give up after repeated trouble.
pub fn next_step(answer: PollAnswer, interval: Duration, trouble_in_a_row: &mut u32) -> Step {
    if !matches!(answer, PollAnswer::Trouble(_)) {
        *trouble_in_a_row = 0;
    }
    match answer {
        PollAnswer::Token(token) => Step::Done(Box::new(token)),
        PollAnswer::Pending => Step::Wait { interval, event: DeviceEvent::Pending },
        PollAnswer::SlowDown => {
            let interval = interval + SLOW_DOWN_STEP;
            Step::Wait { interval, event: DeviceEvent::SlowDown { interval: interval.as_secs() } }
        }
        PollAnswer::Denied => Step::Fail(
            Error::new(ErrorCode::AccessDenied, "The sign-in was declined at the identity provider.")
                .with_hint("Sign in again and approve the request.")
                .with_action(Action::SignIn { profile: None, pat: false }),
        ),
        PollAnswer::Expired => Step::Fail(code_expired()),
        PollAnswer::Refused(e) => Step::Fail(e),
        PollAnswer::Trouble(e) => {
            *trouble_in_a_row += 1;
            if *trouble_in_a_row >= MAX_TROUBLE_IN_A_ROW {
                Step::Fail(e)
            } else {
                Step::Wait { interval, event: DeviceEvent::NetworkTrouble { message: e.message().to_string() } }
            }
        }
    }
}

/// Polls until the user approves, declines, the code expires, or `cancel` trips.
pub async fn poll_for_token(
    http: &HttpClient,
    token_endpoint: &str,
    client_id: &str,
    code: &DeviceCode,
    clock: &dyn Clock,
    cancel: &Cancel,
    on_event: &mut (dyn FnMut(&DeviceEvent) + Send),
) -> Result<BasicTokenResponse> {
    let deadline = code.issued_at.saturating_add(code.expires_in.as_secs());
    let mut interval = code.interval;
    let mut trouble = 0;
    loop {
        let now = clock.now();
        if now >= deadline {
            return Err(code_expired());
        }
        // Never sleep past the code's expiry just to poll once more.
        let wait = interval.min(Duration::from_secs(deadline - now));
        tokio::select! {
            _ = cancel.cancelled() => return Err(cancelled()),
            _ = clock.sleep(wait) => {}
        }
        if clock.now() >= deadline {
            return Err(code_expired());
        }
        let answer = tokio::select! {
            _ = cancel.cancelled() => return Err(cancelled()),
            answer = poll_once(http, token_endpoint, client_id, code) => answer,
        };
        match next_step(answer, interval, &mut trouble) {
            Step::Wait { interval: next, event } => {
                interval = next;
                on_event(&event);
            }
            Step::Done(token) => return Ok(*token),
            Step::Fail(e) => return Err(e),
        }
    }
}

async fn poll_once(http: &HttpClient, token_endpoint: &str, client_id: &str, code: &DeviceCode) -> PollAnswer {
    let form = [("grant_type", DEVICE_GRANT), ("device_code", code.device_code.expose()), ("client_id", client_id)];
    let response = match http.post_form(Endpoint::TokenPoll, token_endpoint, &form).await {
        Ok(r) => r,
        Err(e) => return PollAnswer::Trouble(e),
    };
    read_poll_answer(&response)
}

/// Reads one answer of the token endpoint during polling (no I/O, so it can be fuzzed on its own).
pub fn read_poll_answer(response: &http::Response<Vec<u8>>) -> PollAnswer {
    if response.status() == http::StatusCode::OK {
        return match parse_json::<BasicTokenResponse>(Endpoint::TokenPoll, response) {
            Ok(token) => PollAnswer::Token(token),
            Err(e) => PollAnswer::Refused(e),
        };
    }
    let err: DeviceCodeErrorResponse = match parse_json(Endpoint::TokenPoll, response) {
        Ok(err) => err,
        Err(e) => return PollAnswer::Refused(e),
    };
    match err.error() {
        DeviceCodeErrorResponseType::AuthorizationPending => PollAnswer::Pending,
        DeviceCodeErrorResponseType::SlowDown => PollAnswer::SlowDown,
        DeviceCodeErrorResponseType::AccessDenied => PollAnswer::Denied,
        DeviceCodeErrorResponseType::ExpiredToken => PollAnswer::Expired,
        DeviceCodeErrorResponseType::Basic(other) => PollAnswer::Refused(
            Error::new(
                ErrorCode::Server,
                format!("The {} refused the device code: {}.", Endpoint::TokenPoll, describe(other.as_ref(), err.error_description())),
            )
            .with_hint("Check the profile's client id; then sign in again.")
            .with_action(Action::SignIn { profile: None, pat: false }),
        ),
    }
}

/// Turns a token answer into the session that is stored.
pub fn session_from_token(
    token: &BasicTokenResponse,
    now: u64,
    token_endpoint: &str,
    revocation_endpoint: Option<&str>,
    client_id: &str,
    previous_refresh: Option<&Secret>,
) -> OAuthSession {
    let access_token = Secret::new(token.access_token().secret().as_str());
    let expires_at = match token.expires_in() {
        // Saturating: expires_in is whatever number the server sent.
        Some(d) => now.saturating_add(d.as_secs()),
        None => jwt_info::expiry(access_token.expose()).unwrap_or(now + ASSUMED_LIFETIME_SECS),
    };
    OAuthSession {
        access_token,
        // A refresh answer without a new refresh token means the old one stays valid.
        refresh_token: token.refresh_token().map(|r| Secret::new(r.secret().as_str())).or_else(|| previous_refresh.cloned()),
        expires_at,
        obtained_at: now,
        token_endpoint: token_endpoint.to_string(),
        revocation_endpoint: revocation_endpoint.map(str::to_string),
        client_id: client_id.to_string(),
    }
}

fn describe(code: &str, description: Option<&String>) -> String {
    match description {
        Some(d) if !d.is_empty() => format!("{code} ({d})"),
        _ => code.to_string(),
    }
}

fn sign_in_address(text: &str) -> Result<String> {
    crate::lake_url::parse_web_url(text, "sign-in address from the identity provider").map(|_| text.to_string()).map_err(|e| {
        Error::new(ErrorCode::Server, format!("The identity provider sent an unsafe sign-in address: {}", e.message()))
            .with_hint("LakeKey opens only https pages (or http on this computer). Check the profile's identity provider settings, or tell its administrator.")
    })
}

fn code_expired() -> Error {
    Error::new(ErrorCode::CodeExpired, "The sign-in code expired before it was approved.")
        .with_hint("Sign in again and approve the new code sooner.")
        .with_action(Action::SignIn { profile: None, pat: false })
}

fn cancelled() -> Error {
    Error::new(ErrorCode::Cancelled, "The sign-in was cancelled.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIVE: Duration = Duration::from_secs(5);

    #[test]
    fn pending_keeps_the_interval_and_slow_down_adds_five_seconds() {
        let mut trouble = 0;
        match next_step(PollAnswer::Pending, FIVE, &mut trouble) {
            Step::Wait { interval, event } => {
                assert_eq!(interval, FIVE);
                assert_eq!(event, DeviceEvent::Pending);
            }
            other => panic!("{other:?}"),
        }
        match next_step(PollAnswer::SlowDown, Duration::from_secs(7), &mut trouble) {
            Step::Wait { interval, event } => {
                assert_eq!(interval, Duration::from_secs(12));
                assert_eq!(event, DeviceEvent::SlowDown { interval: 12 });
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn denial_and_expiry_end_the_flow_with_their_own_codes() {
        let mut trouble = 0;
        let Step::Fail(e) = next_step(PollAnswer::Denied, FIVE, &mut trouble) else { panic!() };
        assert_eq!(e.code(), ErrorCode::AccessDenied);
        let Step::Fail(e) = next_step(PollAnswer::Expired, FIVE, &mut trouble) else { panic!() };
        assert_eq!(e.code(), ErrorCode::CodeExpired);
    }

    #[test]
    fn repeated_network_trouble_is_reported_as_network_trouble_not_expiry() {
        let mut trouble = 0;
        let net = || PollAnswer::Trouble(Error::new(ErrorCode::Network, "Could not reach it."));
        assert!(matches!(next_step(net(), FIVE, &mut trouble), Step::Wait { event: DeviceEvent::NetworkTrouble { .. }, .. }));
        // A good answer in between resets the count.
        assert!(matches!(next_step(PollAnswer::Pending, FIVE, &mut trouble), Step::Wait { .. }));
        for _ in 1..MAX_TROUBLE_IN_A_ROW {
            assert!(matches!(next_step(net(), FIVE, &mut trouble), Step::Wait { .. }));
        }
        let Step::Fail(e) = next_step(net(), FIVE, &mut trouble) else { panic!() };
        assert_eq!(e.code(), ErrorCode::Network);
    }

    #[test]
    fn events_serialise_as_the_cli_contract_says() {
        let json = serde_json::to_string(&DeviceEvent::SlowDown { interval: 10 }).unwrap();
        assert_eq!(json, r#"{"event":"slow_down","interval":10}"#);
        let context = SignInContext::new("laptop", "https://acme.example.com/api/accounts/e1", "prod", "https://idp/realms/r", "https://idp/device");
        let event = DeviceEvent::Code {
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://idp/device".into(),
            verification_uri_complete: None,
            expires_in: 600,
            expires_at: 1600,
            interval: 5,
            context,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event"], "code");
        assert_eq!((json["user_code"].as_str(), json["expires_at"].as_u64(), json["interval"].as_u64()), (Some("ABCD-EFGH"), Some(1600), Some(5)));
        assert_eq!(json["context"]["asks"], "LakeKey on laptop asks to sign in to https://acme.example.com/api/accounts/e1 (profile prod), at the identity provider idp.");
        assert_eq!(json["context"]["page_host_warning"], Value::Null, "the page is on the identity provider's host");
        assert!(!format!("{event:?}").contains("ABCD"), "the user code stays out of Debug (logs)");
    }

    #[tokio::test]
    async fn polling_stops_at_expiry_without_waiting_in_real_time() {
        // Nothing listens on port 9 of loopback: every poll is network trouble, but the 12 s code
        // expires before trouble ends the flow; the fake clock makes this instant.
        let clock = crate::clock::FakeClock::at(1000);
        let code = DeviceCode {
            user_code: "X".into(),
            verification_uri: "http://127.0.0.1:9/device".into(),
            verification_uri_complete: None,
            expires_in: Duration::from_secs(12),
            interval: FIVE,
            issued_at: 1000,
            device_code: Secret::new("dc"),
        };
        let http = HttpClient::new(&Default::default()).unwrap();
        let mut events = Vec::new();
        let err = poll_for_token(&http, "http://127.0.0.1:9/token", "c", &code, &clock, &Cancel::new(), &mut |e| events.push(e.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::CodeExpired);
        assert_eq!(*clock.sleeps.lock().unwrap(), vec![FIVE, FIVE, Duration::from_secs(2)]);
        assert!(matches!(events[0], DeviceEvent::NetworkTrouble { .. }));
    }

    #[test]
    fn a_sign_in_page_elsewhere_is_called_out_naming_both_hosts() {
        let context = SignInContext::new("laptop", "https://acme.example.com/api/accounts/e1", "prod", "https://idp.acme.example.com/realms/r", "https://login.other.example/device");
        let warning = context.page_host_warning.unwrap();
        assert!(warning.contains("login.other.example") && warning.contains("idp.acme.example.com"), "{warning}");
    }

    #[test]
    fn only_web_pages_are_taken_as_sign_in_addresses() {
        for good in ["https://idp.example.com/device", "http://127.0.0.1:9/device?user_code=X", "http://localhost:8080/d"] {
            assert_eq!(sign_in_address(good).unwrap(), good);
        }
        // Each would reach the OS's URL handler, rundll32 or a notebook link as it is.
        for bad in ["http://idp.example.com/device", "file:///etc/passwd", "javascript:alert(1)", "ms-settings:privacy", "calculator://", "https://user:pw@idp/d"] {
            let e = sign_in_address(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Server, "{bad}");
            assert!(e.message().contains("unsafe sign-in address") && e.hint().is_some(), "{bad}: {e:?}");
        }
    }

    #[test]
    fn error_events_carry_the_hint() {
        let event = DeviceEvent::failed(&code_expired());
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["code"], "code_expired");
        assert!(json["hint"].as_str().unwrap().contains("Sign in again"), "{json}");
        assert_eq!(json["action"]["kind"], "sign_in", "{json}");
    }

    #[tokio::test]
    async fn cancel_stops_polling() {
        let cancel = Cancel::new();
        cancel.cancel();
        let code = DeviceCode {
            user_code: "X".into(),
            verification_uri: "http://127.0.0.1:9/device".into(),
            verification_uri_complete: None,
            expires_in: Duration::from_secs(600),
            interval: FIVE,
            issued_at: crate::clock::Clock::now(&crate::clock::SystemClock),
            device_code: Secret::new("dc"),
        };
        let http = HttpClient::new(&Default::default()).unwrap();
        let err = poll_for_token(&http, "http://127.0.0.1:9/token", "c", &code, &crate::clock::SystemClock, &cancel, &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Cancelled);
    }
}
