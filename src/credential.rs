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

/// How a credential gets a new token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Renewal {
    /// An OAuth refresh token.
    Refresh,
    /// A new JWT signed from the stored PAT and key.
    Resign,
    /// An OAuth sign-in without a refresh token: a new sign-in when it runs out.
    NoRefreshToken,
    /// A pasted token: a new paste when it runs out.
    Pasted,
}

impl Renewal {
    pub fn is_possible(self) -> bool {
        matches!(self, Renewal::Refresh | Renewal::Resign)
    }
}

/// How long before expiry a token is renewed: the caller's margin when a new token can meet it
/// (up to the token's whole lifetime, short of the second it was issued in); else half the
/// lifetime. With an identity provider issuing 10 s tokens and a 60 s margin, every token would
/// otherwise be "due" the moment it arrives, and each request would cost a refresh; this way a
/// token is renewed at most once per half lifetime.
pub fn renewal_margin(min_valid: u64, lifetime: Option<u64>) -> u64 {
    match lifetime {
        Some(lifetime) if min_valid > lifetime => lifetime / 2,
        Some(lifetime) => min_valid.min(lifetime.saturating_sub(1)),
        None => min_valid,
    }
}

/// When a token expiring at `expires_at` is due for renewal, for a holder that wants `margin`
/// seconds of validity (the desktop app's refresher).
pub fn renew_at(expires_at: u64, lifetime: Option<u64>, margin: u64) -> u64 {
    expires_at.saturating_sub(renewal_margin(margin, lifetime))
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

    /// How long the current token lives from when it was issued: the identity provider's last
    /// `expires_in`, or a PAT JWT's expiration time. `None` for a pasted token (unknown).
    pub fn lifetime(&self) -> Option<u64> {
        match self {
            Credential::OAuth(s) => Some(s.expires_at.saturating_sub(s.obtained_at)),
            Credential::Pat(p) => Some(p.expiration_secs),
            Credential::Token(_) => None,
        }
    }

    /// How a new token can be had when this one runs out.
    pub fn renewal(&self) -> Renewal {
        match self {
            Credential::OAuth(s) if s.refresh_token.is_some() => Renewal::Refresh,
            Credential::OAuth(_) => Renewal::NoRefreshToken,
            Credential::Pat(_) => Renewal::Resign,
            Credential::Token(_) => Renewal::Pasted,
        }
    }

    /// Whether the token must be renewed before it is handed out to a caller who needs it valid
    /// for `min_valid` more seconds at `now`. See [`renewal_margin`].
    pub fn needs_renewal(&self, min_valid: u64, now: u64) -> bool {
        match self.expires_at() {
            // A token is valid while `exp` is after now (RFC 7519, 4.1.4).
            Some(exp) => exp <= now.saturating_add(renewal_margin(min_valid, self.lifetime())),
            // A pasted token without `exp` never expires as far as we can tell.
            None => false,
        }
    }

    /// Whether the token is still valid at `now`.
    pub fn is_unexpired(&self, now: u64) -> bool {
        self.expires_at().is_none_or(|exp| exp > now)
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
    fn a_token_is_renewed_when_less_than_the_margin_or_half_its_life_is_left() {
        let session = |obtained_at: u64, expires_at: u64| {
            Credential::OAuth(OAuthSession {
                access_token: Secret::new("a"),
                refresh_token: Some(Secret::new("r")),
                expires_at,
                obtained_at,
                token_endpoint: "https://idp.example.com/token".into(),
                revocation_endpoint: None,
                client_id: "c".into(),
            })
        };
        // An hour-long token: renewed when less than the 60 s margin is left.
        let hour = session(1000, 4600);
        assert!(!hour.needs_renewal(60, 4539));
        assert!(hour.needs_renewal(60, 4540));
        // 10 s tokens and a 60 s margin: renewed once half the life is gone, not at once.
        let short = session(1000, 1010);
        assert!(!short.needs_renewal(60, 1000), "a token just obtained is handed out");
        assert!(!short.needs_renewal(60, 1004));
        assert!(short.needs_renewal(60, 1005));
        // `exp` equal to now is expired (RFC 7519): --min-valid 0 never hands it out.
        assert!(hour.needs_renewal(0, 4600));
        assert!(!hour.needs_renewal(0, 4599));
        assert_eq!(renew_at(1010, Some(10), 120), 1005);
        assert_eq!(renew_at(4600, Some(3600), 120), 4480);
    }

    #[test]
    fn a_margin_a_new_token_can_meet_is_met_even_past_half_its_life() {
        let short = Credential::OAuth(OAuthSession {
            access_token: Secret::new("a"),
            refresh_token: Some(Secret::new("r")),
            expires_at: 1010,
            obtained_at: 1000,
            token_endpoint: "https://idp.example.com/token".into(),
            revocation_endpoint: None,
            client_id: "c".into(),
        });
        // 8 s asked of 10 s tokens: a renewal gives 8 s, so it happens once fewer are left.
        assert!(!short.needs_renewal(8, 1001));
        assert!(short.needs_renewal(8, 1002));
        // The whole lifetime: a token just issued has it, and is handed out, not renewed again.
        assert!(!short.needs_renewal(10, 1000));
        assert!(short.needs_renewal(10, 1001));
        // More than any token lasts: half the life, as before.
        assert!(!short.needs_renewal(11, 1004));
        assert!(short.needs_renewal(11, 1005));
    }

    #[test]
    fn unreadable_text_asks_for_a_new_sign_in_without_quoting_it() {
        let err = Credential::from_keychain_text("{\"kind\":\"device\",\"access_token\":\"SECRET\"").unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::SignInRequired);
        assert!(!err.message().contains("SECRET"));
    }
}
