//! A string that must not leak: tokens, refresh tokens, PATs, private keys, passphrases.
//!
//! `Debug` and `Display` print `<redacted>`, there is deliberately no `Serialize`, and the memory is
//! zeroed when the value is dropped. Code that really needs the text calls [`Secret::expose`], which
//! makes every use easy to find.

use std::fmt;
use zeroize::{Zeroize, Zeroizing};

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A preview that is safe to show: the first and last four characters of a long value.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 24 {
            return "••••".to_string();
        }
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    }
}

impl From<String> for Secret {
    fn from(mut value: String) -> Self {
        let secret = Secret::new(value.as_str());
        value.zeroize();
        secret
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Bytes that must not leak (a DER private key). Same rules as [`Secret`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    pub fn new(value: Vec<u8>) -> Self {
        SecretBytes(Zeroizing::new(value))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("eyJhbGciOiJSUzI1NiJ9.very-secret");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "eyJhbGciOiJSUzI1NiJ9.very-secret");
        assert_eq!(format!("{:?}", SecretBytes::new(vec![1, 2, 3])), "<redacted>");
    }

    #[test]
    fn masked_shows_only_the_ends_of_long_values() {
        assert_eq!(Secret::new("short").masked(), "••••");
        assert_eq!(Secret::new("abcdefghijklmnopqrstuvwxyz").masked(), "abcd…wxyz");
    }
}
