//! OpenID Connect discovery: where the identity provider's endpoints are.

use crate::error::{Error, ErrorCode, Result};
use crate::http::{parse_json, Endpoint, HttpClient};
use crate::lake_url::parse_web_url;
use serde::Deserialize;

/// The endpoints LakeKey uses, each checked to be HTTPS (or loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpEndpoints {
    pub issuer: String,
    pub token_endpoint: String,
    pub device_authorization_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    /// For the browser sign-in (authorization code with PKCE).
    pub authorization_endpoint: Option<String>,
    /// `code_challenge_methods_supported` (RFC 8414): the browser sign-in needs `S256`.
    pub code_challenge_methods: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207): then every answer to the
    /// redirect must name the issuer.
    pub iss_in_answers: bool,
}

impl IdpEndpoints {
    /// Whether this provider can do the browser sign-in as LakeKey does it: an authorization
    /// endpoint and PKCE with S256 (RFC 7636; `plain` is never used).
    pub fn offers_browser_sign_in(&self) -> bool {
        self.authorization_endpoint.is_some() && self.code_challenge_methods.iter().any(|m| m == "S256")
    }
}

#[derive(Deserialize)]
struct Document {
    issuer: Option<String>,
    token_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    authorization_endpoint: Option<String>,
    #[serde(default)]
    code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

pub async fn discover(http: &HttpClient, issuer: &str) -> Result<IdpEndpoints> {
    let response = http.get(Endpoint::Discovery, &discovery_url(issuer), None).await?;
    read_document(issuer, &response)
}

/// Reads the discovery answer (no I/O, so it can be fuzzed on its own).
pub fn read_document(issuer: &str, response: &http::Response<Vec<u8>>) -> Result<IdpEndpoints> {
    if !response.status().is_success() {
        return Err(Error::new(
            ErrorCode::Server,
            format!("The {} answered HTTP {} for {}.", Endpoint::Discovery, response.status().as_u16(), discovery_url(issuer)),
        )
        .with_hint("Check the identity provider preset, realm or issuer URL of the profile."));
    }
    parse_document(issuer, parse_json(Endpoint::Discovery, response)?)
}

fn parse_document(issuer: &str, doc: Document) -> Result<IdpEndpoints> {
    let checked = |url: Option<String>, what: &str| -> Result<Option<String>> {
        match url {
            // Stored normalised (e.g. `HTTPS://` as `https://`), as every later request sees it.
            Some(u) => parse_web_url(&u, what)
                .map(|url| Some(url.to_string()))
                .map_err(|e| Error::new(ErrorCode::Server, format!("The identity provider's discovery document lists an unusable {what}: {}", e.message()))),
            None => Ok(None),
        }
    };
    let token_endpoint = checked(doc.token_endpoint, "token endpoint")?.ok_or_else(|| {
        Error::new(ErrorCode::Server, "The identity provider's discovery document has no token endpoint.")
    })?;
    Ok(IdpEndpoints {
        issuer: doc.issuer.unwrap_or_else(|| issuer.to_string()),
        token_endpoint,
        device_authorization_endpoint: checked(doc.device_authorization_endpoint, "device authorization endpoint")?,
        revocation_endpoint: checked(doc.revocation_endpoint, "revocation endpoint")?,
        authorization_endpoint: checked(doc.authorization_endpoint, "authorization endpoint")?,
        code_challenge_methods: doc.code_challenge_methods_supported,
        iss_in_answers: doc.authorization_response_iss_parameter_supported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Document {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_the_endpoints_lakekey_needs() {
        let got = parse_document(
            "https://idp.example.com",
            doc(r#"{"issuer":"https://idp.example.com","token_endpoint":"https://idp.example.com/token",
                "device_authorization_endpoint":"https://idp.example.com/device","extra":1}"#),
        )
        .unwrap();
        assert_eq!(got.token_endpoint, "https://idp.example.com/token");
        assert_eq!(got.device_authorization_endpoint.as_deref(), Some("https://idp.example.com/device"));
        assert_eq!(got.revocation_endpoint, None);
        assert!(!got.offers_browser_sign_in(), "no authorization endpoint");
        let browser = parse_document(
            "https://idp.example.com",
            doc(r#"{"token_endpoint":"https://idp.example.com/token","authorization_endpoint":"https://idp.example.com/auth",
                "code_challenge_methods_supported":["plain","S256"],"authorization_response_iss_parameter_supported":true}"#),
        )
        .unwrap();
        assert!(browser.offers_browser_sign_in() && browser.iss_in_answers);
        let plain_only = parse_document(
            "https://idp.example.com",
            doc(r#"{"token_endpoint":"https://idp.example.com/token","authorization_endpoint":"https://idp.example.com/auth","code_challenge_methods_supported":["plain"]}"#),
        )
        .unwrap();
        assert!(!plain_only.offers_browser_sign_in(), "PKCE with S256 or not at all");
        assert_eq!(discovery_url("https://idp.example.com/"), "https://idp.example.com/.well-known/openid-configuration");
    }

    #[test]
    fn refuses_plain_http_endpoints_and_a_missing_token_endpoint() {
        let err = parse_document("https://idp", doc(r#"{"token_endpoint":"http://evil.example.com/token"}"#)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Server);
        assert!(err.message().contains("plain http"), "{}", err.message());
        assert!(parse_document("https://idp", doc("{}")).is_err());
    }
}
