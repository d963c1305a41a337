//! The refresh-token grant, through the oauth2 crate over LakeKey's own HTTP client.

use crate::credential::OAuthSession;
use crate::device_flow::session_from_token;
use crate::error::{Error, ErrorCode};
use crate::http::{Endpoint, HttpClient};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{AuthType, ClientId, HttpRequest, RefreshToken, RequestTokenError, TokenUrl};

/// Why a refresh did not give a new session.
#[derive(Debug)]
pub enum RefreshFailure {
    /// `invalid_grant`: the refresh token is expired, revoked, or was already used.
    InvalidGrant,
    Other(Error),
}

/// Exchanges the session's refresh token for a new session (with the rotated refresh token, or
/// the old one when the provider does not rotate).
pub async fn refresh(http: &HttpClient, session: &OAuthSession, now: u64) -> std::result::Result<OAuthSession, RefreshFailure> {
    let Some(refresh_token) = &session.refresh_token else {
        return Err(RefreshFailure::InvalidGrant);
    };
    let token_url = TokenUrl::new(session.token_endpoint.clone())
        .map_err(|e| RefreshFailure::Other(Error::invalid(format!("The stored token endpoint is not a URL ({e})."))))?;
    let client = BasicClient::new(ClientId::new(session.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);
    // The future owns its client (a cheap clone): a borrowed one makes the future's Send bound
    // lifetime-specific, which async runtimes that need `Send` futures (Tauri's) reject.
    let owned = http.clone();
    let send = move |request: HttpRequest| {
        let http = owned.clone();
        async move { http.send(Endpoint::Refresh, request).await }
    };
    let refresh_token = RefreshToken::new(refresh_token.expose().to_string());
    let answer = client.exchange_refresh_token(&refresh_token).request_async(&send).await;
    // oauth2's secret types do not zero themselves; this copy is ours to wipe.
    zeroize::Zeroize::zeroize(&mut refresh_token.into_secret());
    match answer {
        Ok(token) => Ok(session_from_token(
            &token,
            now,
            &session.token_endpoint,
            session.revocation_endpoint.as_deref(),
            &session.client_id,
            session.refresh_token.as_ref(),
        )),
        Err(RequestTokenError::ServerResponse(e)) if *e.error() == BasicErrorResponseType::InvalidGrant => {
            Err(RefreshFailure::InvalidGrant)
        }
        Err(RequestTokenError::ServerResponse(e)) => Err(RefreshFailure::Other(
            Error::new(ErrorCode::Server, format!("The {} refused the refresh: {}.", Endpoint::Refresh, e.error().as_ref()))
                .with_hint("Check the profile's client id, or sign in again.")
                .with_action(crate::error::Action::SignIn { profile: None, pat: false }),
        )),
        Err(RequestTokenError::Request(e)) => Err(RefreshFailure::Other(e)),
        Err(RequestTokenError::Parse(_, body)) => Err(RefreshFailure::Other(Error::new(
            ErrorCode::Server,
            format!(
                "The {} answered with {} instead of a token.",
                Endpoint::Refresh,
                if body.trim_ascii_start().starts_with(b"<") { "an HTML page" } else { "invalid JSON" }
            ),
        ))),
        Err(RequestTokenError::Other(why)) => Err(RefreshFailure::Other(Error::new(
            ErrorCode::Server,
            format!("The {} gave an unusable answer ({why}).", Endpoint::Refresh),
        ))),
    }
}
