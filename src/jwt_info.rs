//! Reads a JWT's header and claims for display and expiry, without verifying it (LakeKey is the
//! client, not the audience). The `pat` claim and the signature are never returned.

use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Claims that carry secrets and are never shown.
const HIDDEN_CLAIMS: [&str; 1] = ["pat"];
/// Real tokens are a few KiB; this bound keeps hostile input cheap.
pub const MAX_JWT_BYTES: usize = 64 * 1024;

/// A JWT's decoded header and claims, minus hidden claims.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtInfo {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl JwtInfo {
    pub fn expires_at(&self) -> Option<u64> {
        self.claims.get("exp").and_then(Value::as_u64)
    }

    pub fn not_before(&self) -> Option<u64> {
        self.claims.get("nbf").or_else(|| self.claims.get("iat")).and_then(Value::as_u64)
    }
}

/// Decodes a compact JWS. Errors say what is wrong, never quote the token.
pub fn decode(token: &str) -> Result<JwtInfo> {
    let token = token.trim();
    if token.len() > MAX_JWT_BYTES {
        return Err(Error::invalid("The token is too long to be a JWT."));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Error::invalid("The token is not a JWT: it should be three base64url parts joined by dots.")
            .with_hint("Paste the whole token, without `Bearer ` or quotes."));
    };
    let header = decode_object(header, "header")?;
    let mut claims = decode_object(claims, "claims")?;
    for hidden in HIDDEN_CLAIMS {
        claims.remove(hidden);
    }
    Ok(JwtInfo { header, claims })
}

/// The `exp` claim of a token, if it is a JWT that has one.
pub fn expiry(token: &str) -> Option<u64> {
    decode(token).ok().and_then(|info| info.expires_at())
}

fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>> {
    let bytes = zeroize::Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|_| Error::invalid(format!("The token's {what} is not base64url.")))?,
    );
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::invalid(format!("The token's {what} is not a JSON object."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str) -> String {
        format!("{}.{}.sig", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims))
    }

    #[test]
    fn reads_claims_and_hides_the_pat() {
        let info = decode(&jwt(r#"{"alg":"RS256"}"#, r#"{"exp":1700000000,"pat":"SECRET","sub":"U","iat":0}"#)).unwrap();
        assert_eq!(info.expires_at(), Some(1_700_000_000));
        assert_eq!(info.not_before(), Some(0));
        assert!(!info.claims.contains_key("pat"));
        assert_eq!(info.header["alg"], "RS256");
    }

    #[test]
    fn refuses_what_is_not_a_jwt_without_quoting_it() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!.e30.x", &jwt("[]", "{}"), &"a".repeat(MAX_JWT_BYTES + 1)] {
            let err = decode(bad).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::InvalidInput, "{bad}");
        }
        assert_eq!(expiry("opaque-token"), None);
    }
}
