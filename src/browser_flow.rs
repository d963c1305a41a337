//! The browser sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636, S256) and a loopback
//! redirect (RFC 8252 §7.3), for identity providers that allow it. No code to compare: the user
//! signs in in their browser, on this machine, and the answer comes back to it. RFC 10027
//! §6.2.1.5 prefers this to the device grant when the browser is on the same device.
//!
//! By the book (RFC 9700 §2.1, §4.7): `state` and PKCE on every request; the redirect to
//! `http://127.0.0.1:PORT/callback` on an ephemeral port bound to loopback only, one request taken,
//! then the listener closed; the issuer checked in the answer when the provider sends it (RFC
//! 9207); the code exchanged once; a time limit; HTTP redirects never followed (crate::http).

use crate::cancel::Cancel;
use crate::discovery::IdpEndpoints;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{Endpoint, HttpClient};
use crate::loopback::{Listener, Redirect};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, HttpRequest, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope, TokenUrl};
use std::time::{Duration, Instant};

/// How long the user has to finish in the browser: what identity providers give a device code.
pub const SIGN_IN_LIMIT: Duration = Duration::from_secs(600);

/// [`SIGN_IN_LIMIT`]; debug builds take `LAKEKEY_TEST_SIGN_IN_LIMIT_SECS`, so the time-limit test
/// need not wait ten minutes.
pub fn sign_in_limit() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("LAKEKEY_TEST_SIGN_IN_LIMIT_SECS").ok().and_then(|v| v.parse::<u64>().ok()) {
        return Duration::from_secs(secs);
    }
    SIGN_IN_LIMIT
}

/// A browser sign-in waiting for its answer: the address to open, and what checks the answer.
pub struct Request {
    pub url: String,
    listener: Listener,
    state: CsrfToken,
    verifier: oauth2::PkceCodeVerifier,
    client_id: String,
    redirect_uri: String,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").field("port", &self.listener.port()).finish_non_exhaustive()
    }
}

fn url_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::Server, format!("The identity provider's {what} is not a URL ({e})."))
}

/// Binds the listener and builds the authorization request: a fresh `state`, and a PKCE verifier
/// whose S256 challenge goes with the request.
pub fn start(endpoints: &IdpEndpoints, client_id: &str, scope: &str) -> Result<Request> {
    let authorization_endpoint = match (&endpoints.authorization_endpoint, endpoints.offers_browser_sign_in()) {
        (Some(endpoint), true) => endpoint,
        _ => {
            return Err(Error::invalid("This identity provider does not offer the browser sign-in LakeKey uses (an authorization endpoint with PKCE S256).")
                .with_hint("Sign in with a code instead (the device flow): set the profile's sign-in method to device."))
        }
    };
    let listener = Listener::bind()?;
    let redirect_uri = listener.redirect_uri();
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::new(authorization_endpoint.clone()).map_err(|e| url_error("authorization endpoint", e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.clone()).map_err(|e| Error::internal(format!("The redirect address is not a URL ({e}).")))?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
    for s in scope.split_whitespace() {
        request = request.add_scope(Scope::new(s.to_string()));
    }
    let (url, state) = request.url();
    Ok(Request { url: url.to_string(), listener, state, verifier, client_id: client_id.to_string(), redirect_uri })
}

/// The pages the browser shows after the redirect: they hold no token, and say the window can go.
const RECEIVED: &str = "<!doctype html><meta charset=utf-8><title>LakeKey</title><p>LakeKey received the sign-in. You can close this window.</p>";
const NOT_FINISHED: &str = "<!doctype html><meta charset=utf-8><title>LakeKey</title><p>The sign-in did not finish. You can close this window; LakeKey says why.</p>";

/// Waits for the redirect, checks it, and exchanges its code (once) for tokens.
pub async fn finish(http: &HttpClient, endpoints: &IdpEndpoints, request: Request, deadline: Instant, cancel: &Cancel) -> Result<BasicTokenResponse> {
    let Request { listener, state, verifier, client_id, redirect_uri, .. } = request;
    let (expected, issuer, iss_required) = (state.secret().clone(), endpoints.issuer.clone(), endpoints.iss_in_answers);
    let page = move |r: &Redirect| if check(r, &expected, &issuer, iss_required).is_ok() { RECEIVED } else { NOT_FINISHED };
    let redirect = listener.one_redirect(deadline, cancel, page).await?;
    let code = check(&redirect, state.secret(), &endpoints.issuer, endpoints.iss_in_answers)?;
    let client = BasicClient::new(ClientId::new(client_id))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(endpoints.token_endpoint.clone()).map_err(|e| url_error("token endpoint", e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri).map_err(|e| Error::internal(format!("The redirect address is not a URL ({e}).")))?);
    let owned = http.clone();
    let send = move |request: HttpRequest| {
        let http = owned.clone();
        async move { http.send(Endpoint::TokenPoll, request).await }
    };
    let answer = client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(verifier).request_async(&send).await;
    answer.map_err(|e| match e {
        RequestTokenError::ServerResponse(e) if *e.error() == BasicErrorResponseType::InvalidGrant => {
            Error::sign_in_required("The identity provider did not accept the sign-in's code (it expired, or was used already).")
                .with_hint("Sign in again.")
        }
        RequestTokenError::ServerResponse(e) => Error::new(ErrorCode::Server, format!("The identity provider refused the sign-in's code: {}.", e.error().as_ref()))
            .with_hint("Check the profile's client id: its client must allow a redirect to http://127.0.0.1 (any port)."),
        RequestTokenError::Request(e) => e,
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => Error::new(ErrorCode::Server, "The identity provider answered the sign-in with something that is not a token."),
    })
}

/// The checks on the redirect, in the order a forged or mixed-up answer fails them; returns the
/// code to exchange.
fn check(redirect: &Redirect, state: &str, issuer: &str, iss_required: bool) -> Result<String> {
    let not_ours = |why: &str| {
        Error::sign_in_required(format!("The answer that reached LakeKey {why}, so LakeKey did not use it and stored nothing."))
            .with_hint("Sign in again. If this happens again, another program may be answering in your browser's place.")
    };
    // RFC 6749 §10.12: the answer must belong to this request.
    if redirect.state.as_deref() != Some(state) {
        return Err(not_ours("does not belong to this sign-in (its state differs)"));
    }
    // RFC 9207: an answer naming another issuer comes from another identity provider (mix-up).
    match redirect.iss.as_deref() {
        Some(iss) if iss.trim_end_matches('/') != issuer.trim_end_matches('/') => {
            return Err(not_ours(&format!("names another identity provider ({iss}) than this profile's ({issuer})")))
        }
        None if iss_required => return Err(not_ours("does not name its identity provider, which this one always does")),
        _ => {}
    }
    if let Some(error) = &redirect.error {
        let described = match redirect.error_description.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => format!("{error} ({d})"),
            None => error.clone(),
        };
        return Err(if error == "access_denied" {
            Error::new(ErrorCode::AccessDenied, "The sign-in was declined at the identity provider.").with_hint("Sign in again and approve the request.")
        } else {
            Error::new(ErrorCode::Server, format!("The identity provider ended the sign-in: {described}."))
                .with_hint("Check the profile's client id and scope; its client must allow a redirect to http://127.0.0.1 (any port).")
        });
    }
    match redirect.code.as_deref() {
        Some(code) if !code.is_empty() => Ok(code.to_string()),
        _ => Err(not_ours("carries no code")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(query: &str) -> Redirect {
        Redirect::from_target(&format!("/callback?{query}"))
    }

    const ISSUER: &str = "https://idp.example.com/realms/lake";

    #[test]
    fn only_an_answer_to_this_request_from_this_provider_is_used() {
        let ok = answer("code=c1&state=s1&iss=https%3A%2F%2Fidp.example.com%2Frealms%2Flake");
        assert_eq!(check(&ok, "s1", ISSUER, true).unwrap(), "c1");
        assert_eq!(check(&answer("code=c1&state=s1"), "s1", ISSUER, false).unwrap(), "c1", "iss is optional where the provider does not send it");
        for (query, required, why) in [
            ("code=c1&state=other", false, "state differs"),
            ("code=c1", false, "state differs"),
            ("code=c1&state=s1&iss=https%3A%2F%2Fevil.example.com", false, "another identity provider"),
            ("code=c1&state=s1", true, "does not name its identity provider"),
            ("state=s1", false, "carries no code"),
        ] {
            let e = check(&answer(query), "s1", ISSUER, required).unwrap_err();
            assert_eq!(e.code(), ErrorCode::SignInRequired, "{query}");
            assert!(e.message().contains(why) && e.message().contains("stored nothing"), "{query}: {}", e.message());
        }
        let denied = check(&answer("error=access_denied&state=s1"), "s1", ISSUER, false).unwrap_err();
        assert_eq!(denied.code(), ErrorCode::AccessDenied);
        let other = check(&answer("error=invalid_scope&error_description=no&state=s1"), "s1", ISSUER, false).unwrap_err();
        assert!(other.message().contains("invalid_scope (no)"), "{}", other.message());
        // A forged error is not believed either: the state is checked first.
        assert_eq!(check(&answer("error=access_denied&state=x"), "s1", ISSUER, false).unwrap_err().code(), ErrorCode::SignInRequired);
    }

    #[test]
    fn the_request_carries_state_and_an_s256_challenge_to_a_loopback_redirect() {
        let endpoints = IdpEndpoints {
            issuer: ISSUER.into(),
            token_endpoint: format!("{ISSUER}/token"),
            device_authorization_endpoint: None,
            revocation_endpoint: None,
            authorization_endpoint: Some(format!("{ISSUER}/auth")),
            code_challenge_methods: vec!["S256".into()],
            iss_in_answers: true,
        };
        let request = start(&endpoints, "lakekey", "openid profile").unwrap();
        let url = url::Url::parse(&request.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43, "base64url of a SHA-256");
        assert_eq!(q["state"], *request.state.secret());
        assert_eq!(q["scope"], "openid profile");
        assert_eq!(q["redirect_uri"], format!("http://127.0.0.1:{}/callback", request.listener.port()));
        let none = IdpEndpoints { code_challenge_methods: vec!["plain".into()], ..endpoints };
        assert_eq!(start(&none, "lakekey", "openid").unwrap_err().code(), ErrorCode::InvalidInput);
    }
}
