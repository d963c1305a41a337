//! What LakeKey keeps in the keychain for a profile: one record, written and replaced as a whole,
//! so that an access token never lives apart from the refresh token it came with.

use crate::error::{Error, Result};
use crate::secret::{Secret, SecretBytes};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Tokens from the device flow (or a refresh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthSession {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Epoch seconds.
    pub expires_at: u64,
    pub obtained_at: u64,
    pub token_endpoint: String,
    pub revocation_endpoint: Option<String>,
    pub client_id: String,
}

/// Whether Lake accepted a PAT JWT when it was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    Accepted,
    /// Lake could not be asked (network or server trouble), or the user said not to.
    NotValidated,
}

/// A PAT and its private key, plus the last JWT signed from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatCredential {
    pub pat: Secret,
    pub key_pkcs8: SecretBytes,
    pub kid: String,
    pub username: String,
    pub org_id: String,
    pub expiration_secs: u64,
    pub valid_from: u64,
    pub jwt: Secret,
    pub jwt_expires_at: u64,
    pub validation: Validation,
}

/// A JWT the user pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedToken {
    pub jwt: Secret,
    pub expires_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    OAuth(OAuthSession),
    Pat(PatCredential),
    Token(PastedToken),
}

impl Credential {
    /// The bearer token this credential hands out now.
    pub fn bearer(&self) -> &Secret {
        match self {
            Credential::OAuth(s) => &s.access_token,
            Credential::Pat(p) => &p.jwt,
            Credential::Token(t) => &t.jwt,
        }
    }

    pub fn expires_at(&self) -> Option<u64> {
        match self {
            Credential::OAuth(s) => Some(s.expires_at),
            Credential::Pat(p) => Some(p.jwt_expires_at),
            Credential::Token(t) => t.expires_at,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Credential::OAuth(_) => "device",
            Credential::Pat(_) => "pat",
            Credential::Token(_) => "token",
        }
    }

    /// The keychain form. The returned text is itself a secret and zeroed on drop.
    pub fn to_keychain_text(&self) -> Zeroizing<String> {
        let wire = match self {
            Credential::OAuth(s) => Wire::OAuth {
                access_token: s.access_token.expose().into(),
                refresh_token: s.refresh_token.as_ref().map(|r| r.expose().into()),
                expires_at: s.expires_at,
                obtained_at: s.obtained_at,
                token_endpoint: s.token_endpoint.clone(),
                revocation_endpoint: s.revocation_endpoint.clone(),
                client_id: s.client_id.clone(),
            },
            Credential::Pat(p) => Wire::Pat {
                pat: p.pat.expose().into(),
                key_pkcs8: STANDARD.encode(p.key_pkcs8.expose()),
                kid: p.kid.clone(),
                username: p.username.clone(),
                org_id: p.org_id.clone(),
                expiration_secs: p.expiration_secs,
                valid_from: p.valid_from,
                jwt: p.jwt.expose().into(),
                jwt_expires_at: p.jwt_expires_at,
                validation: p.validation,
            },
            Credential::Token(t) => Wire::Token { jwt: t.jwt.expose().into(), expires_at: t.expires_at },
        };
        let text = Zeroizing::new(serde_json::to_string(&wire).expect("plain data serialises"));
        wire.wipe();
        text
    }

    pub fn from_keychain_text(text: &str) -> Result<Self> {
        let wire: Wire = serde_json::from_str(text).map_err(|_| {
            // serde's message could quote part of the secret text, so it is not passed on.
            Error::sign_in_required("The credential stored in the keychain for this profile is unreadable.")
        })?;
        Ok(match wire {
            Wire::OAuth { access_token, refresh_token, expires_at, obtained_at, token_endpoint, revocation_endpoint, client_id } => {
                Credential::OAuth(OAuthSession {
                    access_token: Secret::from(access_token),
                    refresh_token: refresh_token.map(Secret::from),
                    expires_at,
                    obtained_at,
                    token_endpoint,
                    revocation_endpoint,
                    client_id,
                })
            }
            Wire::Pat { pat, key_pkcs8, kid, username, org_id, expiration_secs, valid_from, jwt, jwt_expires_at, validation } => {
                let key_b64 = Zeroizing::new(key_pkcs8);
                let key = STANDARD.decode(key_b64.as_bytes()).map_err(|_| {
                    Error::sign_in_required("The private key stored in the keychain for this profile is unreadable.")
                })?;
                Credential::Pat(PatCredential {
                    pat: Secret::from(pat),
                    key_pkcs8: SecretBytes::new(key),
                    kid,
                    username,
                    org_id,
                    expiration_secs,
                    valid_from,
                    jwt: Secret::from(jwt),
                    jwt_expires_at,
                    validation,
                })
            }
            Wire::Token { jwt, expires_at } => Credential::Token(PastedToken { jwt: Secret::from(jwt), expires_at }),
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Wire {
    #[serde(rename = "device")]
    OAuth {
        access_token: String,
        refresh_token: Option<String>,
        expires_at: u64,
        obtained_at: u64,
        token_endpoint: String,
        revocation_endpoint: Option<String>,
        client_id: String,
    },
    Pat {
        pat: String,
        key_pkcs8: String,
        kid: String,
        username: String,
        org_id: String,
        expiration_secs: u64,
        valid_from: u64,
        jwt: String,
        jwt_expires_at: u64,
        validation: Validation,
    },
    Token {
        jwt: String,
        expires_at: Option<u64>,
    },
}

impl Wire {
    fn wipe(self) {
        use zeroize::Zeroize;
        match self {
            Wire::OAuth { mut access_token, refresh_token, .. } => {
                access_token.zeroize();
                refresh_token.map(|mut r| r.zeroize());
            }
            Wire::Pat { mut pat, mut key_pkcs8, mut jwt, .. } => {
                pat.zeroize();
                key_pkcs8.zeroize();
                jwt.zeroize();
            }
            Wire::Token { mut jwt, .. } => jwt.zeroize(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn oauth(access: &str, refresh: &str, expires_at: u64) -> Credential {
        Credential::OAuth(OAuthSession {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new(refresh)),
            expires_at,
            obtained_at: expires_at - 300,
            token_endpoint: "https://idp.example.com/token".into(),
            revocation_endpoint: None,
            client_id: "acme-oaf-device".into(),
        })
    }

    #[test]
    fn round_trips_through_keychain_text() {
        let pat = Credential::Pat(PatCredential {
            pat: Secret::new("p"),
            key_pkcs8: SecretBytes::new(vec![1, 2, 3]),
            kid: "k".into(),
            username: "U".into(),
            org_id: "acme".into(),
            expiration_secs: 10,
            valid_from: 0,
            jwt: Secret::new("j"),
            jwt_expires_at: 99,
            validation: Validation::NotValidated,
        });
        for cred in [oauth("a", "r", 1000), pat, Credential::Token(PastedToken { jwt: Secret::new("t"), expires_at: None })] {
            let text = cred.to_keychain_text();
            assert_eq!(Credential::from_keychain_text(&text).unwrap(), cred);
        }
    }

    #[test]
    fn debug_output_has_no_secrets() {
        let text = format!("{:?}", oauth("access-SECRET", "refresh-SECRET", 1000));
        assert!(!text.contains("SECRET"), "{text}");
    }

    #[test]
    fn unreadable_text_asks_for_a_new_sign_in_without_quoting_it() {
        let err = Credential::from_keychain_text("{\"kind\":\"device\",\"access_token\":\"SECRET\"").unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::SignInRequired);
        assert!(!err.message().contains("SECRET"));
    }
}
