//! The one way the engine talks HTTP: redirects off, bounded time, bounded body, HTTPS checked
//! against the OS trust store (plus an optional extra CA), an optional proxy. Every failure is
//! turned here into one sentence that names the endpoint and the cause.

use crate::error::{Error, ErrorCode, Result};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Larger answers than this are not OAuth or Lake answers; reading stops there.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The bound on one request, from connect to the last body byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// [`REQUEST_TIMEOUT`]; in debug builds `LAKEKEY_HTTP_TIMEOUT` seconds (1 to 300) where set, so
/// fault tests of servers that never answer need not wait 30 s per case. Release builds have no
/// such switch, as they have no crash points.
pub fn request_timeout() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("LAKEKEY_HTTP_TIMEOUT").ok().and_then(|v| v.parse::<u64>().ok()).filter(|s| (1..=300).contains(s)) {
        return Duration::from_secs(secs);
    }
    REQUEST_TIMEOUT
}

/// The endpoints LakeKey calls, so that messages can say which one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Discovery,
    DeviceAuthorization,
    TokenPoll,
    Refresh,
    Revocation,
    LakeValidation,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endpoint::Discovery => "identity provider's discovery endpoint",
            Endpoint::DeviceAuthorization => "identity provider's device authorization endpoint",
            Endpoint::TokenPoll => "identity provider's token endpoint",
            Endpoint::Refresh => "identity provider's token endpoint (refresh)",
            Endpoint::Revocation => "identity provider's revocation endpoint",
            Endpoint::LakeValidation => "Lake control plane",
        })
    }
}

/// Network settings that apply to every request the engine makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkSettings {
    /// An `http://` or `https://` proxy URL for HTTPS traffic. Without it the usual
    /// `HTTPS_PROXY` / `NO_PROXY` environment variables apply.
    pub https_proxy: Option<String>,
    /// A PEM file with extra CA certificates to trust besides the OS store.
    pub extra_ca_file: Option<PathBuf>,
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpClient")
    }
}

impl HttpClient {
    pub fn new(settings: &NetworkSettings) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(request_timeout())
            .user_agent(concat!("lakekey/", env!("CARGO_PKG_VERSION")));
        if let Some(proxy) = settings.https_proxy.as_deref().filter(|p| !p.trim().is_empty()) {
            let proxy = reqwest::Proxy::https(proxy.trim())
                .map_err(|e| Error::invalid(format!("The HTTPS proxy `{proxy}` is not a valid proxy URL ({e}).")))?
                .no_proxy(reqwest::NoProxy::from_env());
            builder = builder.proxy(proxy);
        }
        if let Some(path) = &settings.extra_ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                Error::invalid(format!("Cannot read the CA certificate file {}: {e}.", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::invalid(format!("The CA certificate file {} is not PEM certificates ({e}).", path.display()))
            })?;
            if certs.is_empty() {
                return Err(Error::invalid(format!("The CA certificate file {} holds no certificate.", path.display())));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| Error::internal(format!("The HTTP client could not be set up ({e}).")))?;
        Ok(HttpClient { client })
    }

    /// Sends a request and returns the answer with its body read (up to the cap). Redirects and
    /// 5xx answers are errors here; other statuses are the caller's to interpret.
    pub async fn send(&self, endpoint: Endpoint, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
        let url = request.uri().to_string();
        let host = request.uri().host().unwrap_or_default().to_string();
        let request = reqwest::Request::try_from(request)
            .map_err(|e| Error::internal(format!("The request to the {endpoint} could not be built ({e}).")))?;
        let mut response = self.client.execute(request).await.map_err(|e| transport_error(endpoint, &host, &e))?;
        let status = response.status();
        if status.is_redirection() {
            let target = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| format!(" to {}", redact_query(l)))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorCode::Server,
                format!("The {endpoint} at {host} answered with a redirect{target}; LakeKey does not follow redirects."),
            )
            .with_hint("Check the base URL or issuer URL: use the final https:// address."));
        }
        if status.is_server_error() {
            let retry = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(" (it asks to retry after {v} s)"))
                .unwrap_or_default();
            return Err(Error::new(
                ErrorCode::Server,
                format!("The {endpoint} at {host} failed with HTTP {}{retry}.", status.as_u16()),
            )
            .with_hint("The service has a problem; try again in a minute."));
        }
        let mut builder = http::Response::builder().status(status);
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        // Answers carry tokens: sized from Content-Length, and grown only by zeroed copies.
        let announced = response.content_length().unwrap_or(0).min(MAX_BODY_BYTES as u64) as usize;
        let mut body = zeroize::Zeroizing::new(Vec::with_capacity(announced));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(Error::new(
                            ErrorCode::Server,
                            format!("The {endpoint} at {host} sent an answer larger than {} KiB.", MAX_BODY_BYTES / 1024),
                        ));
                    }
                    crate::secret::extend_zeroized(&mut body, &chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(transport_error(endpoint, &host, &e)),
            }
        }
        tracing::debug!(%endpoint, url = %redact_query(&url), status = status.as_u16(), bytes = body.len(), "http answer");
        builder
            .body(std::mem::take(&mut *body))
            .map_err(|e| Error::internal(format!("The answer from the {endpoint} could not be read ({e}).")))
    }

    /// A form POST (OAuth's request shape).
    pub async fn post_form(&self, endpoint: Endpoint, url: &str, form: &[(&str, &str)]) -> Result<http::Response<Vec<u8>>> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let request = http::Request::post(url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.into_bytes())
            .map_err(|e| Error::invalid(format!("The {endpoint} URL `{url}` is not usable ({e}).")))?;
        self.send(endpoint, request).await
    }

    pub async fn get(&self, endpoint: Endpoint, url: &str, bearer: Option<&str>) -> Result<http::Response<Vec<u8>>> {
        let mut request = http::Request::get(url).header(http::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Vec::new())
            .map_err(|e| Error::invalid(format!("The {endpoint} URL `{url}` is not usable ({e}).")))?;
        self.send(endpoint, request).await
    }
}

/// Parses a JSON answer, naming the endpoint when it is not the expected JSON.
pub fn parse_json<T: serde::de::DeserializeOwned>(endpoint: Endpoint, response: &http::Response<Vec<u8>>) -> Result<T> {
    serde_json::from_slice(response.body()).map_err(|e| {
        let what = if looks_like_html(response.body()) { "an HTML page".to_string() } else { format!("invalid JSON ({e})") };
        Error::new(ErrorCode::Server, format!("The {endpoint} answered HTTP {} with {what}.", response.status().as_u16()))
            .with_hint("Check that the URL points at the identity provider, not a login page or a proxy.")
    })
}

/// A success answer with no body or a JSON one. An HTML page or broken JSON with status 200 is a
/// proxy, portal or broken server speaking, not the endpoint.
pub fn is_empty_or_json(body: &[u8]) -> bool {
    body.trim_ascii().is_empty() || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    head.trim_start().starts_with('<')
}

fn transport_error(endpoint: Endpoint, host: &str, e: &reqwest::Error) -> Error {
    let cause = if e.is_timeout() {
        format!("no answer within {} s", request_timeout().as_secs())
    } else if e.is_connect() {
        let chain = error_chain(e);
        if chain.contains("certificate") || chain.contains("Certificate") || chain.contains("tls") || chain.contains("TLS") {
            format!("the TLS connection failed ({})", last_cause(e))
        } else {
            format!("the connection failed ({})", last_cause(e))
        }
    } else if e.is_body() || e.is_decode() {
        format!("the connection broke while reading the answer ({})", last_cause(e))
    } else {
        last_cause(e)
    };
    Error::new(ErrorCode::Network, format!("Could not reach the {endpoint} at {host}: {cause}."))
        .with_hint("Check the network, VPN or proxy settings (HTTPS_PROXY, NO_PROXY, extra CA file), then try again.")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn last_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// Query strings can carry codes; logs and messages show URLs without them.
pub fn redact_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_for_the_message() {
        let response = http::Response::builder().status(502).body(b"  <!DOCTYPE html><html>".to_vec()).unwrap();
        let err = parse_json::<serde_json::Value>(Endpoint::Discovery, &response).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Server);
        assert!(err.message().contains("an HTML page"), "{}", err.message());
    }

    #[test]
    fn queries_are_redacted() {
        assert_eq!(redact_query("https://x/cb?code=abc"), "https://x/cb?…");
        assert_eq!(redact_query("https://x/cb"), "https://x/cb");
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_network_error_naming_the_endpoint() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = HttpClient::new(&NetworkSettings::default()).unwrap();
        let err = client.get(Endpoint::Discovery, &format!("http://127.0.0.1:{port}/x"), None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Network);
        assert!(err.message().contains("discovery endpoint at 127.0.0.1"), "{}", err.message());
    }
}
