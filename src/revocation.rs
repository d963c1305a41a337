//! Token revocation (RFC 7009) at sign-out. Written by hand because oauth2's revocation request
//! refuses plain-http loopback endpoints, which the tests and the demo use.

use crate::credential::OAuthSession;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{is_empty_or_json, Endpoint, HttpClient};

/// Revokes the refresh token (which ends the grant) or, without one, the access token.
/// Returns false when the provider lists no revocation endpoint.
pub async fn revoke(http: &HttpClient, session: &OAuthSession) -> Result<bool> {
    let Some(endpoint) = &session.revocation_endpoint else { return Ok(false) };
    let (token, hint) = match &session.refresh_token {
        Some(r) => (r.expose(), "refresh_token"),
        None => (session.access_token.expose(), "access_token"),
    };
    let form = [("token", token), ("token_type_hint", hint), ("client_id", session.client_id.as_str())];
    let response = http.post_form(Endpoint::Revocation, endpoint, &form).await?;
    // RFC 7009: 200 for success, including for tokens that were already invalid.
    if response.status().is_success() && is_empty_or_json(response.body()) {
        Ok(true)
    } else if response.status().is_success() {
        Err(Error::new(ErrorCode::Server, format!("The {} answered with something other than a revocation answer (HTML or broken JSON).", Endpoint::Revocation)))
    } else {
        Err(Error::new(
            ErrorCode::Server,
            format!("The {} refused the revocation with HTTP {}.", Endpoint::Revocation, response.status().as_u16()),
        ))
    }
}
