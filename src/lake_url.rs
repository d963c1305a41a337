//! Lake's URL rules (docs/LAKE.md): what a base URL may look like and what is derived
//! from it: org id, environment id, control-plane URL, and the identity provider's issuer.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use url::{Host, Url};

/// Service URLs people paste by mistake instead of the environment's base URL.
const SERVICE_SUFFIXES: [&str; 2] = ["open-analytics", "data-insights"];

/// Ping Federate's issuer is the same for every Lake customer.
pub const PING_ISSUER: &str = "https://login.customer.teradata.com";
pub const DEFAULT_KEYCLOAK_REALM: &str = "teradata";

/// A validated Lake environment URL and what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeUrl {
    base_url: String,
    org_id: String,
    env_id: String,
    control_plane: String,
}

impl LakeUrl {
    /// Parses a base URL such as `https://acme.example.com/api/accounts/<env-id>`.
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(Error::invalid("The base URL is empty.")
                .with_hint("Paste the environment URL from the Lake Console, e.g. https://acme.example.com/api/accounts/<environment id>."));
        }
        // The URL parser would silently drop tabs and newlines and encode the rest, so the stored
        // URL would not be what the user sees; such text is a paste accident.
        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::invalid("The base URL contains spaces or control characters.")
                .with_hint("Copy the environment URL from the Lake Console again, as one line."));
        }
        if let Some(suffix) = SERVICE_SUFFIXES.iter().find(|s| trimmed.ends_with(*s)) {
            return Err(Error::invalid(format!(
                "The base URL ends in `{suffix}`, which is a service URL, not the environment URL."
            ))
            .with_hint(format!("Remove `/{suffix}` from the end and try again.")));
        }
        let url = parse_web_url(trimmed, "base URL")?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid("The base URL must not contain `?` or `#` parts.")
                .with_hint("Use the environment URL exactly as the Lake Console shows it."));
        }
        let host = url.host_str().unwrap_or_default();
        let org_id = org_id_from_host(host);
        if org_id.is_empty() {
            return Err(Error::invalid(format!("The base URL's host `{host}` has no organisation name before its first dot."))
                .with_hint("It should look like https://<org>.<domain>/api/accounts/<environment id>."));
        }
        let (env_id, rest) = env_id_from_path(url.path()).ok_or_else(|| {
            Error::invalid(format!("The base URL {trimmed} has no environment id after `/accounts/`."))
                .with_hint("It should look like https://<org>.<domain>/api/accounts/<environment id>.")
        })?;
        // Issuer and service URLs are built by appending to the base URL, so anything after the
        // environment id would send every request to the wrong place.
        if !rest.is_empty() {
            return Err(Error::invalid(format!("The base URL has `{rest}` after the environment id {env_id}.")).with_hint(format!(
                "Use the environment URL only: remove `{rest}` so it ends in /accounts/{env_id}."
            )));
        }
        let control_plane = match url.port() {
            Some(port) => format!("{}://{}:{port}", url.scheme(), bracketed(&url)),
            None => format!("{}://{}", url.scheme(), bracketed(&url)),
        };
        Ok(LakeUrl { base_url: trimmed.to_string(), org_id, env_id, control_plane })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The org id from the host's first DNS label (port excluded, unlike teradataml).
    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    pub fn env_id(&self) -> &str {
        &self.env_id
    }

    /// `scheme://host[:port]` of the base URL.
    pub fn control_plane(&self) -> &str {
        &self.control_plane
    }

    /// Where a PAT JWT is validated: `GET {control-plane}/api/accounts/{env_id}`.
    pub fn validation_url(&self) -> String {
        format!("{}/api/accounts/{}", self.control_plane, self.env_id)
    }

    pub fn open_analytics_url(&self) -> String {
        format!("{}/open-analytics", self.base_url)
    }

    pub fn data_insights_url(&self) -> String {
        format!("{}/data-insights", self.base_url)
    }
}

/// The identity provider presets Lake environments use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum IdpPreset {
    /// VantageCloud Lake's in-house IdP at `{base_url}/auth`.
    #[default]
    Vcl,
    Keycloak,
    Ping,
    Custom,
}

impl IdpPreset {
    pub fn as_str(self) -> &'static str {
        match self {
            IdpPreset::Vcl => "vcl",
            IdpPreset::Keycloak => "keycloak",
            IdpPreset::Ping => "ping",
            IdpPreset::Custom => "custom",
        }
    }
}

/// The issuer URL for a preset; `realm` applies to Keycloak, `custom_issuer` to `Custom`.
pub fn issuer_for(
    lake: &LakeUrl,
    preset: IdpPreset,
    realm: Option<&str>,
    custom_issuer: Option<&str>,
) -> Result<String> {
    match preset {
        IdpPreset::Vcl => Ok(format!("{}/auth", lake.base_url())),
        IdpPreset::Keycloak => {
            let realm = realm.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_KEYCLOAK_REALM);
            if realm.contains('/') || realm.contains(char::is_whitespace) {
                return Err(Error::invalid(format!("The Keycloak realm `{realm}` may not contain `/` or spaces.")));
            }
            Ok(format!("{}/sso/realms/{realm}", lake.base_url()))
        }
        IdpPreset::Ping => Ok(PING_ISSUER.to_string()),
        IdpPreset::Custom => {
            let issuer = custom_issuer.map(str::trim).filter(|i| !i.is_empty()).ok_or_else(|| {
                Error::invalid("The `custom` identity provider needs an issuer URL.")
                    .with_hint("Give it with --issuer https://your-idp.example.com/...")
            })?;
            let issuer = issuer.trim_end_matches('/');
            parse_web_url(issuer, "issuer URL")?;
            Ok(issuer.to_string())
        }
    }
}

/// teradataml's default OAuth client id.
pub fn default_client_id(org_id: &str) -> String {
    format!("{org_id}-oaf-device")
}

/// Parses an http(s) URL and enforces HTTPS for everything but loopback hosts. Every URL the
/// engine calls (including ones from discovery documents) goes through this.
pub fn parse_web_url(input: &str, what: &str) -> Result<Url> {
    let url = Url::parse(input).map_err(|e| {
        Error::invalid(format!("The {what} `{input}` is not a valid URL ({e})."))
            .with_hint("It should start with https:// and name a host.")
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(format!("The {what} must not contain a user name or password.")));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid(format!(
                "The {what} `{input}` uses plain http; LakeKey only talks HTTPS to remote hosts."
            ))
            .with_hint("Use the https:// address."))
        }
        other => {
            return Err(Error::invalid(format!("The {what} `{input}` has scheme `{other}`; it must be https.")))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!("The {what} `{input}` has no host.")));
    }
    Ok(url)
}

/// Loopback hosts may use plain http so tests and the demo run without certificates.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn org_id_from_host(host: &str) -> String {
    host.split('.').next().unwrap_or(host).to_string()
}

/// The segment after `accounts`, and whatever path follows it.
fn env_id_from_path(path: &str) -> Option<(String, String)> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    segments.by_ref().find(|s| *s == "accounts")?;
    let env_id = segments.next()?.to_string();
    let rest: Vec<&str> = segments.collect();
    let rest = if rest.is_empty() { String::new() } else { format!("/{}", rest.join("/")) };
    Some((env_id, rest))
}

fn bracketed(url: &Url) -> String {
    match url.host() {
        Some(Host::Ipv6(ip)) => format!("[{ip}]"),
        _ => url.host_str().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const ENV: &str = "3f6e1c2a-1111-2222-3333-444455556666";

    #[test]
    fn derives_everything_from_a_base_url() {
        let lake = LakeUrl::parse(&format!("https://acme.innovationlabs.teradata.com/api/accounts/{ENV}/")).unwrap();
        assert_eq!(lake.base_url(), format!("https://acme.innovationlabs.teradata.com/api/accounts/{ENV}"));
        assert_eq!(lake.org_id(), "acme");
        assert_eq!(lake.env_id(), ENV);
        assert_eq!(lake.control_plane(), "https://acme.innovationlabs.teradata.com");
        assert_eq!(lake.validation_url(), format!("https://acme.innovationlabs.teradata.com/api/accounts/{ENV}"));
        assert_eq!(lake.open_analytics_url(), format!("{}/open-analytics", lake.base_url()));
        assert_eq!(lake.data_insights_url(), format!("{}/data-insights", lake.base_url()));
        assert_eq!(default_client_id(lake.org_id()), "acme-oaf-device");
    }

    #[test]
    fn org_id_ignores_the_port_and_control_plane_keeps_it() {
        let lake = LakeUrl::parse("http://localhost:8443/api/accounts/e1").unwrap();
        assert_eq!(lake.org_id(), "localhost");
        assert_eq!(lake.control_plane(), "http://localhost:8443");
        let lake = LakeUrl::parse("http://[::1]:9/api/accounts/e1").unwrap();
        assert_eq!(lake.control_plane(), "http://[::1]:9");
    }

    #[test]
    fn issuers_follow_the_presets() {
        let lake = LakeUrl::parse("https://acme.example.com/api/accounts/e1").unwrap();
        assert_eq!(issuer_for(&lake, IdpPreset::Vcl, None, None).unwrap(), "https://acme.example.com/api/accounts/e1/auth");
        assert_eq!(
            issuer_for(&lake, IdpPreset::Keycloak, None, None).unwrap(),
            "https://acme.example.com/api/accounts/e1/sso/realms/teradata"
        );
        assert_eq!(
            issuer_for(&lake, IdpPreset::Keycloak, Some("sales"), None).unwrap(),
            "https://acme.example.com/api/accounts/e1/sso/realms/sales"
        );
        assert_eq!(issuer_for(&lake, IdpPreset::Ping, None, None).unwrap(), PING_ISSUER);
        assert_eq!(
            issuer_for(&lake, IdpPreset::Custom, None, Some("https://idp.example.org/o/")).unwrap(),
            "https://idp.example.org/o"
        );
        assert_eq!(issuer_for(&lake, IdpPreset::Custom, None, None).unwrap_err().code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn rejects_service_urls_plain_http_and_missing_env() {
        for bad in [
            "https://acme.example.com/api/accounts/e1/open-analytics",
            "https://acme.example.com/api/accounts/e1/data-insights/",
            "http://acme.example.com/api/accounts/e1",
            "ftp://acme.example.com/api/accounts/e1",
            "https://acme.example.com/",
            "https://user:pw@acme.example.com/api/accounts/e1",
            "https://acme.example.com/api/accounts/e1?x=1",
            "not a url",
            "   ",
            // Found by the base_url fuzz target: no org name, hidden characters, a path after the id.
            "https:/.com/api/accounts/e1",
            "https://acme.example.com/api/accounts/e1/open-analyt\u{5}\0ics",
            "https://acme.example.com/api/accounts/e1/sso",
        ] {
            let err = LakeUrl::parse(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
        }
        let err = LakeUrl::parse("https://acme.example.com/api/accounts/e1/open-analytics").unwrap_err();
        assert!(err.message().contains("service URL"), "{}", err.message());
    }

    #[test]
    fn plain_http_is_allowed_only_on_loopback() {
        for ok in ["http://127.0.0.1:1/api/accounts/e", "http://127.9.9.9/api/accounts/e", "http://localhost/api/accounts/e", "http://[::1]/api/accounts/e"] {
            assert!(LakeUrl::parse(ok).is_ok(), "{ok}");
        }
        assert!(parse_web_url("http://10.0.0.1/", "issuer URL").is_err());
        assert!(parse_web_url("http://localhost.evil.com/", "issuer URL").is_err());
    }
}
