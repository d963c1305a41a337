//! What LakeKey keeps in the keychain for a profile: one record, written and replaced as a whole,
//! so that an access token never lives apart from the refresh token it came with.

use crate::error::{Error, Result};
use crate::secret::{written_exactly, Secret, SecretBytes};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

    /// How long a renewed token lives: the last `expires_in` for OAuth, the expiration time for
    /// a PAT JWT. `None` for a pasted token, which cannot be renewed.
    pub fn lifetime(&self) -> Option<u64> {
        match self {
            Credential::OAuth(s) => s.refresh_token.as_ref().map(|_| s.expires_at.saturating_sub(s.obtained_at)),
            Credential::Pat(p) => Some(p.expiration_secs),
            Credential::Token(_) => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Credential::OAuth(_) => "device",
            Credential::Pat(_) => "pat",
            Credential::Token(_) => "token",
        }
    }

    /// The keychain form. The returned text is itself a secret and zeroed on drop. The secrets
    /// are serialised from where they are (borrowed, not copied) into a buffer of the exact size,
    /// so no partial copy is left behind in freed memory.
    pub fn to_keychain_text(&self) -> Zeroizing<String> {
        let key_b64;
        let wire = match self {
            Credential::OAuth(s) => Wire::OAuth {
                access_token: Cow::Borrowed(s.access_token.expose()),
                refresh_token: s.refresh_token.as_ref().map(|r| Cow::Borrowed(r.expose())),
                expires_at: s.expires_at,
                obtained_at: s.obtained_at,
                token_endpoint: Cow::Borrowed(&s.token_endpoint),
                revocation_endpoint: s.revocation_endpoint.as_deref().map(Cow::Borrowed),
                client_id: Cow::Borrowed(&s.client_id),
            },
            Credential::Pat(p) => {
                key_b64 = Zeroizing::new(STANDARD.encode(p.key_pkcs8.expose()));
                Wire::Pat {
                    pat: Cow::Borrowed(p.pat.expose()),
                    key_pkcs8: Cow::Borrowed(&key_b64),
                    kid: Cow::Borrowed(&p.kid),
                    username: Cow::Borrowed(&p.username),
                    org_id: Cow::Borrowed(&p.org_id),
                    expiration_secs: p.expiration_secs,
                    valid_from: p.valid_from,
                    jwt: Cow::Borrowed(p.jwt.expose()),
                    jwt_expires_at: p.jwt_expires_at,
                    validation: p.validation,
                }
            }
            Credential::Token(t) => Wire::Token { jwt: Cow::Borrowed(t.jwt.expose()), expires_at: t.expires_at },
        };
        let mut bytes = written_exactly(|w| serde_json::to_writer(w, &wire).map_err(std::io::Error::other)).expect("plain data serialises");
        Zeroizing::new(String::from_utf8(std::mem::take(&mut *bytes)).expect("serde_json writes UTF-8"))
    }

    pub fn from_keychain_text(text: &str) -> Result<Self> {
        let wire: Wire = serde_json::from_str(text).map_err(|_| {
            // serde's message could quote part of the secret text, so it is not passed on.
            Error::sign_in_required("The credential stored in the keychain for this profile is unreadable.")
        })?;
        // Secrets are borrowed from `text` (the caller's zeroed buffer) unless they held escapes;
        // each is copied once, into its zeroed-on-drop home.
        let secret = |value: &Cow<str>| Secret::new(value.as_ref());
        let credential = match &wire {
            Wire::OAuth { access_token, refresh_token, expires_at, obtained_at, token_endpoint, revocation_endpoint, client_id } => {
                Credential::OAuth(OAuthSession {
                    access_token: secret(access_token),
                    refresh_token: refresh_token.as_ref().map(secret),
                    expires_at: *expires_at,
                    obtained_at: *obtained_at,
                    token_endpoint: token_endpoint.to_string(),
                    revocation_endpoint: revocation_endpoint.as_ref().map(|e| e.to_string()),
                    client_id: client_id.to_string(),
                })
            }
            Wire::Pat { pat, key_pkcs8, kid, username, org_id, expiration_secs, valid_from, jwt, jwt_expires_at, validation } => {
                let key = STANDARD.decode(key_pkcs8.as_bytes()).map_err(|_| {
                    Error::sign_in_required("The private key stored in the keychain for this profile is unreadable.")
                });
                let key = match key {
                    Ok(key) => key,
                    Err(e) => {
                        wire.wipe();
                        return Err(e);
                    }
                };
                Credential::Pat(PatCredential {
                    pat: secret(pat),
                    key_pkcs8: SecretBytes::new(key),
                    kid: kid.to_string(),
                    username: username.to_string(),
                    org_id: org_id.to_string(),
                    expiration_secs: *expiration_secs,
                    valid_from: *valid_from,
                    jwt: secret(jwt),
                    jwt_expires_at: *jwt_expires_at,
                    validation: *validation,
                })
            }
            Wire::Token { jwt, expires_at } => Credential::Token(PastedToken { jwt: secret(jwt), expires_at: *expires_at }),
        };
        wire.wipe();
        Ok(credential)
    }
}

/// The stored form. Strings borrow from the credential (writing) or from the stored text
/// (reading, when they hold no escapes).
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Wire<'a> {
    #[serde(rename = "device")]
    OAuth {
        #[serde(borrow)]
        access_token: Cow<'a, str>,
        #[serde(borrow)]
        refresh_token: Option<Cow<'a, str>>,
        expires_at: u64,
        obtained_at: u64,
        #[serde(borrow)]
        token_endpoint: Cow<'a, str>,
        #[serde(borrow)]
        revocation_endpoint: Option<Cow<'a, str>>,
        #[serde(borrow)]
        client_id: Cow<'a, str>,
    },
    Pat {
        #[serde(borrow)]
        pat: Cow<'a, str>,
        #[serde(borrow)]
        key_pkcs8: Cow<'a, str>,
        #[serde(borrow)]
        kid: Cow<'a, str>,
        #[serde(borrow)]
        username: Cow<'a, str>,
        #[serde(borrow)]
        org_id: Cow<'a, str>,
        expiration_secs: u64,
        valid_from: u64,
        #[serde(borrow)]
        jwt: Cow<'a, str>,
        jwt_expires_at: u64,
        validation: Validation,
    },
    Token {
        #[serde(borrow)]
        jwt: Cow<'a, str>,
        expires_at: Option<u64>,
    },
}

impl Wire<'_> {
    /// Zeroes the secrets serde had to copy out of the text (those with escapes); borrowed ones
    /// belong to the caller's zeroed buffer.
    fn wipe(self) {
        use zeroize::Zeroize;
        let wipe = |value: Option<Cow<str>>| {
            if let Some(Cow::Owned(mut text)) = value {
                text.zeroize();
            }
        };
        match self {
            Wire::OAuth { access_token, refresh_token, .. } => {
                wipe(Some(access_token));
                wipe(refresh_token);
            }
            Wire::Pat { pat, key_pkcs8, jwt, .. } => {
                wipe(Some(pat));
                wipe(Some(key_pkcs8));
                wipe(Some(jwt));
            }
            Wire::Token { jwt, .. } => wipe(Some(jwt)),
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
        // A value with characters JSON escapes takes serde's copying path on the way back.
        let escaped = Credential::Token(PastedToken { jwt: Secret::new("t\"é\\\u{1}"), expires_at: None });
        for cred in [oauth("a", "r", 1000), pat, Credential::Token(PastedToken { jwt: Secret::new("t"), expires_at: None }), escaped] {
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
