//! Signs the JWT Lake accepts for a PAT, byte for byte as teradataml builds it (docs/LAKE.md):
//! header members sorted, payload claims in teradataml's order, compact JSON with non-ASCII escaped
//! as Python's `json.dumps` does, RS256 (RSASSA-PKCS1-v1_5 with SHA-256, deterministic).

use crate::error::{Error, Result};
use crate::pem_key::RsaKey;
use crate::secret::{written_exactly, Secret};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use std::path::Path;

pub const DEFAULT_EXPIRATION_SECS: u64 = 31_536_000;
pub const AUDIENCE: &str = "td:service:authentication";
pub const ISSUER: &str = "teradataml";

/// What goes into a PAT JWT besides the key.
#[derive(Debug, Clone)]
pub struct PatClaims<'a> {
    pub kid: &'a str,
    pub org_id: &'a str,
    pub pat: &'a Secret,
    pub username: &'a str,
    /// Seconds since the epoch, now.
    pub now: u64,
    pub expiration_secs: u64,
    /// `iat`: epoch seconds from which the token is valid.
    pub valid_from: u64,
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    kid: &'a str,
    typ: &'a str,
}

// Field order is the claim order Lake (and teradataml) use; do not sort.
#[derive(Serialize)]
struct Payload<'a> {
    aud: [&'a str; 1],
    exp: u64,
    iss: &'a str,
    #[serde(rename = "multi-use")]
    multi_use: bool,
    org_id: &'a str,
    pat: &'a str,
    sub: &'a str,
    iat: u64,
}

/// Signs a PAT JWT. The result is a secret: it embeds the PAT.
pub fn sign(key: &RsaKey, claims: &PatClaims<'_>) -> Result<Secret> {
    let exp = claims.now.checked_add(claims.expiration_secs).ok_or_else(|| {
        Error::invalid("The expiration time is too large.")
    })?;
    let header = python_json(&Header { alg: "RS256", kid: claims.kid, typ: "JWT" });
    let payload = python_json(&Payload {
        aud: [AUDIENCE],
        exp,
        iss: ISSUER,
        multi_use: true,
        org_id: claims.org_id,
        pat: claims.pat.expose(),
        sub: claims.username,
        iat: claims.valid_from,
    });
    let b64_len = |n: usize| base64::encoded_len(n, false).expect("a JWT is far from usize::MAX");
    let mut signing_input = zeroize::Zeroizing::new(String::with_capacity(b64_len(header.len()) + 1 + b64_len(payload.len())));
    URL_SAFE_NO_PAD.encode_string(&*header, &mut signing_input);
    signing_input.push('.');
    URL_SAFE_NO_PAD.encode_string(&*payload, &mut signing_input);

    let pair = key.key_pair();
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
        .map_err(|_| Error::internal("Signing the JWT failed."))?;
    let mut token = String::with_capacity(signing_input.len() + 1 + b64_len(signature.len()));
    token.push_str(&signing_input);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
    Ok(Secret::from(token))
}

/// teradataml's `kid`: the key file's name without its extension (`key1.pem` -> `key1`).
pub fn kid_from_path(path: &Path) -> Option<String> {
    path.file_stem().and_then(|s| s.to_str()).map(str::to_string).filter(|s| !s.is_empty())
}

/// Validates a PAT as read from a file or pasted: surrounding whitespace trimmed; inner whitespace
/// or control characters mean a copy-paste went wrong.
pub fn clean_pat(raw: &str) -> Result<Secret> {
    let pat = raw.trim();
    if pat.is_empty() {
        return Err(Error::invalid("The PAT is empty.").with_hint("Copy the personal access token from the Lake Console."));
    }
    if pat.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("The PAT contains spaces, line breaks or control characters inside it.")
            .with_hint("Copy the token again from the Lake Console as one piece."));
    }
    Ok(Secret::new(pat))
}

/// Checks a database user name for use as `sub`.
pub fn clean_username(raw: &str) -> Result<String> {
    let user = raw.trim();
    if user.is_empty() || user.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("The database user name is empty or has spaces in it.")
            .with_hint("Give it with --username (as it is in the database; mind the letter case)."));
    }
    Ok(user.to_string())
}

/// Compact JSON as Python's `json.dumps(..., separators=(",", ":"))` writes it: non-ASCII characters
/// escaped as `\uXXXX` (its default `ensure_ascii=True`), so non-ASCII user names sign identically.
/// Compact JSON as Python's `json.dumps` writes it (non-ASCII escaped), in a buffer of the exact
/// size and zeroed on drop: the payload holds the PAT.
fn python_json<T: Serialize>(value: &T) -> zeroize::Zeroizing<Vec<u8>> {
    written_exactly(|w| value.serialize(&mut serde_json::Serializer::with_formatter(w, AsciiFormatter)).map_err(std::io::Error::other))
        .expect("serialising plain structs cannot fail")
}

struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, fragment: &str) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pem_key::tests::fixture;

    fn claims<'a>(pat: &'a Secret, user: &'a str) -> PatClaims<'a> {
        PatClaims { kid: "test-key", org_id: "acme", pat, username: user, now: 1_700_000_000, expiration_secs: DEFAULT_EXPIRATION_SECS, valid_from: 0 }
    }

    fn decode_part(token: &str, i: usize) -> String {
        String::from_utf8(URL_SAFE_NO_PAD.decode(token.split('.').nth(i).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn header_and_claims_are_exactly_what_lake_expects() {
        let key = RsaKey::from_pem(&fixture("test-key.pem"), None).unwrap();
        let pat = Secret::new("pat-123");
        let token = sign(&key, &claims(&pat, "ALICE")).unwrap();
        assert_eq!(decode_part(token.expose(), 0), r#"{"alg":"RS256","kid":"test-key","typ":"JWT"}"#);
        assert_eq!(
            decode_part(token.expose(), 1),
            r#"{"aud":["td:service:authentication"],"exp":1731536000,"iss":"teradataml","multi-use":true,"org_id":"acme","pat":"pat-123","sub":"ALICE","iat":0}"#
        );
    }

    #[test]
    fn signing_is_deterministic_and_verifies_with_the_public_key() {
        let key = RsaKey::from_pem(&fixture("test-key.pem"), None).unwrap();
        let pat = Secret::new("pat-123");
        let a = sign(&key, &claims(&pat, "ALICE")).unwrap();
        let b = sign(&key, &claims(&pat, "ALICE")).unwrap();
        assert_eq!(a, b);
        let (input, sig) = a.expose().rsplit_once('.').unwrap();
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, aws_lc_rs::signature::KeyPair::public_key(key.key_pair()).as_ref());
        public.verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
    }

    #[test]
    fn matches_pyjwt_for_the_same_inputs() {
        // Produced by PyJWT 2 (what teradataml uses) with the fixture key; see tests/fixtures/README.md.
        let expected = fixture("test-key.pyjwt.txt");
        let key = RsaKey::from_pem(&fixture("test-key.pem"), None).unwrap();
        let pat = Secret::new("pat-123");
        let token = sign(&key, &PatClaims { username: "Zoë", ..claims(&pat, "") }).unwrap();
        assert_eq!(token.expose(), expected.trim());
    }

    #[test]
    fn non_ascii_is_escaped_like_python() {
        assert_eq!(&python_json(&["Zoë", "😀"])[..], br#"["Zo\u00eb","\ud83d\ude00"]"#);
    }

    #[test]
    fn kid_is_the_file_stem() {
        assert_eq!(kid_from_path(Path::new("/x/key1.pem")).as_deref(), Some("key1"));
        assert_eq!(kid_from_path(Path::new("key1(1).pem")).as_deref(), Some("key1(1)"));
        assert_eq!(kid_from_path(Path::new("a.b.pem")).as_deref(), Some("a.b"));
    }

    #[test]
    fn pats_are_trimmed_but_inner_whitespace_is_refused() {
        assert_eq!(clean_pat("  abc.def \n").unwrap().expose(), "abc.def");
        assert!(clean_pat("ab c").is_err());
        assert!(clean_pat("ab\u{7}c").is_err());
        assert!(clean_pat("\n\n").is_err());
        assert!(clean_username(" ALICE ").is_ok());
        assert!(clean_username("AL ICE").is_err());
    }
}
