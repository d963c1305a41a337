//! A string that must not leak: tokens, refresh tokens, PATs, private keys, passphrases.
//!
//! `Debug` and `Display` print `<redacted>`, there is deliberately no `Serialize`, and the memory is
//! zeroed when the value is dropped. Code that really needs the text calls [`Secret::expose`], which
//! makes every use easy to find.

use std::fmt;
use zeroize::Zeroizing;

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
    /// Built from the two ends alone, without copying the rest of the secret.
    pub fn masked(&self) -> String {
        let text: &str = &self.0;
        if text.chars().count() < 24 {
            return "••••".to_string();
        }
        let head_end = text.char_indices().nth(4).map_or(text.len(), |(i, _)| i);
        let tail_start = text.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        format!("{}…{}", &text[..head_end], &text[tail_start..])
    }
}

impl From<String> for Secret {
    /// Takes the string over as it is (no copy is left behind).
    fn from(value: String) -> Self {
        Secret(Zeroizing::new(value))
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

/// Runs `write` twice: once to count its bytes, then into a buffer of exactly that size, zeroed
/// on drop. For text that holds a secret (JSON with a token, a JWT payload): a buffer that grows
/// while being written leaves partial copies behind in the memory it frees.
pub fn written_exactly(write: impl Fn(&mut dyn std::io::Write) -> std::io::Result<()>) -> std::io::Result<Zeroizing<Vec<u8>>> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    write(&mut count)?;
    let mut out = Zeroizing::new(Vec::with_capacity(count.0));
    write(&mut *out)?;
    debug_assert_eq!(out.capacity(), count.0, "the second pass wrote more than the first");
    Ok(out)
}

/// A growable buffer for secret bytes that arrive in pieces (an HTTP answer holding tokens):
/// when it must grow, the old allocation is zeroed before it is freed.
pub fn extend_zeroized(buf: &mut Zeroizing<Vec<u8>>, more: &[u8]) {
    if buf.capacity() - buf.len() < more.len() {
        let mut bigger = Zeroizing::new(Vec::with_capacity((buf.len() + more.len()).max(buf.capacity() * 2)));
        bigger.extend_from_slice(buf);
        *buf = bigger;
    }
    buf.extend_from_slice(more);
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(value: Zeroizing<Vec<u8>>) -> Self {
        SecretBytes(value)
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
    fn secret_buffers_are_sized_exactly_or_grown_by_zeroed_copies() {
        let out = written_exactly(|w| write!(w, "{{\"token\":\"{}\"}}", "x".repeat(700))).unwrap();
        assert_eq!(out.len(), 712);
        assert_eq!(out.capacity(), 712, "no spare room means it never grew");
        let mut buf = Zeroizing::new(Vec::with_capacity(4));
        for piece in [&b"abc"[..], b"defgh", b"ij"] {
            extend_zeroized(&mut buf, piece);
        }
        assert_eq!(&buf[..], b"abcdefghij");
    }

    #[test]
    fn masked_shows_only_the_ends_of_long_values() {
        assert_eq!(Secret::new("short").masked(), "••••");
        assert_eq!(Secret::new("abcdefghijklmnopqrstuvwxyz").masked(), "abcd…wxyz");
        assert_eq!(Secret::new("éabcdefghijklmnopqrstuvwxyz€").masked(), "éabc…xyz€");
    }
}
