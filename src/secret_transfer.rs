//! How a secret is encrypted on its way between LakeKey and the Secret Service (the
//! `dh-ietf1024-sha256-aes128-cbc-pkcs7` algorithm of the freedesktop Secret Service API):
//! a Diffie-Hellman agreement in the 1024-bit MODP group of RFC 2409, HKDF-SHA256 over the shared
//! value for a 128-bit AES key, then AES-128-CBC with PKCS#7 padding and a fresh IV per secret.
//!
//! Our side uses a 256-bit private exponent. The group's prime is safe, so a short exponent is
//! as strong as a full one up to twice its length in bits (SP 800-56A's 2·s rule; 1024-bit DH
//! itself gives ~80 bits), and it makes both exponentiations 4× cheaper: about 2.5 ms of CPU
//! less in every `lakekey token`. Random bytes come straight from the OS, not AWS-LC's generator,
//! which seeds itself from CPU jitter (~40 ms) on first use.

use aws_lc_rs::cipher::{
    DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey, AES_128,
};
use aws_lc_rs::hkdf;
use num_bigint::BigUint;
use std::sync::LazyLock;
use zeroize::{Zeroize, Zeroizing};

pub const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// RFC 2409 section 6.2, the Second Oakley Group; the generator is 2.
const PRIME_HEX: &[u8] = b"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74\
020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374\
FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE\
386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
const PRIME_BYTES: usize = 128;
const EXPONENT_BYTES: usize = 32;

static PRIME: LazyLock<BigUint> = LazyLock::new(|| BigUint::parse_bytes(PRIME_HEX, 16).expect("the RFC 2409 prime parses"));

/// Our half of a key agreement. The private exponent never leaves this value.
pub struct KeyAgreement {
    private: BigUint,
    public: Vec<u8>,
}

impl std::fmt::Debug for KeyAgreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyAgreement(<redacted>)")
    }
}

/// The AES key both sides derived. Wiped when dropped.
pub struct SessionKey(Zeroizing<[u8; 16]>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

/// What the service sent that cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum TransferError {
    /// The service's public value is outside 2..p-2, which would pin the shared key.
    BadPublicKey,
    /// The IV has the wrong length, or the ciphertext does not decrypt with valid padding.
    BadCiphertext,
}

impl KeyAgreement {
    pub(crate) fn new() -> Self {
        let mut bytes = Zeroizing::new([0u8; EXPONENT_BYTES]);
        getrandom::fill(bytes.as_mut()).expect("the OS random source works");
        bytes[0] |= 0x80; // a full-length exponent, never a tiny one
        Self::from_exponent(&bytes[..])
    }

    fn from_exponent(exponent: &[u8]) -> Self {
        let private = BigUint::from_bytes_be(exponent);
        let public = BigUint::from(2u32).modpow(&private, &PRIME).to_bytes_be();
        KeyAgreement { private, public }
    }

    /// Our public value, sent with OpenSession.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Combines the service's public value with ours into the session key.
    pub fn session_key(self, service_public: &[u8]) -> Result<SessionKey, TransferError> {
        let theirs = BigUint::from_bytes_be(service_public);
        if theirs <= BigUint::from(1u32) || theirs >= &*PRIME - 1u32 {
            return Err(TransferError::BadPublicKey);
        }
        let shared = theirs.modpow(&self.private, &PRIME).to_bytes_be();
        // Left-padded to the prime's length, as the other implementations do.
        let mut ikm = Zeroizing::new([0u8; PRIME_BYTES]);
        ikm[PRIME_BYTES - shared.len()..].copy_from_slice(&shared);
        let mut shared = shared;
        shared.zeroize();
        let mut key = Zeroizing::new([0u8; 16]);
        // No salt (HKDF's default of zeros) and no info, as the Secret Service API specifies.
        hkdf::Salt::new(hkdf::HKDF_SHA256, &[])
            .extract(&ikm[..])
            .expand(&[], AesKeyLen)
            .and_then(|okm| okm.fill(&mut key[..]))
            .expect("HKDF-SHA256 gives 16 bytes");
        Ok(SessionKey(key))
    }
}

struct AesKeyLen;

impl hkdf::KeyType for AesKeyLen {
    fn len(&self) -> usize {
        16
    }
}

impl SessionKey {
    /// Encrypts a secret for the service: (IV, ciphertext).
    pub fn encrypt(&self, plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).expect("the OS random source works");
        self.encrypt_with_iv(plaintext, iv)
    }

    fn encrypt_with_iv(&self, plaintext: &[u8], iv: [u8; 16]) -> (Vec<u8>, Vec<u8>) {
        let key = UnboundCipherKey::new(&AES_128, &self.0[..]).expect("a 16-byte AES key");
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).expect("AES-128-CBC is supported");
        // Room for the padding up front, so the plaintext copy is never reallocated (and left
        // behind in freed memory); it is encrypted in place.
        let mut buffer = Vec::with_capacity(plaintext.len() + 16);
        buffer.extend_from_slice(plaintext);
        key.less_safe_encrypt(&mut buffer, EncryptionContext::Iv128(iv.into())).expect("CBC encryption with a 16-byte IV");
        (iv.to_vec(), buffer)
    }

    /// Decrypts a secret from the service. The result is wiped when dropped.
    pub fn decrypt(&self, iv: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, TransferError> {
        let iv: [u8; 16] = iv.try_into().map_err(|_| TransferError::BadCiphertext)?;
        let key = UnboundCipherKey::new(&AES_128, &self.0[..]).expect("a 16-byte AES key");
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).expect("AES-128-CBC is supported");
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let len = key.decrypt(&mut buffer, DecryptionContext::Iv128(iv.into())).map_err(|_| TransferError::BadCiphertext)?.len();
        buffer.truncate(len);
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn both_sides_derive_the_same_key_and_a_secret_crosses_intact() {
        let ours = KeyAgreement::new();
        let service = KeyAgreement::new();
        let (our_public, service_public) = (ours.public_key().to_vec(), service.public_key().to_vec());
        let our_key = ours.session_key(&service_public).unwrap();
        let service_key = service.session_key(&our_public).unwrap();

        let (iv, ciphertext) = our_key.encrypt(b"lakekey-v1 0a1b2c 1\n{\"token\":\"...\"}");
        assert_ne!(&ciphertext[..], &b"lakekey-v1 0a1b2c 1\n{\"token\":\"...\"}"[..]);
        assert_eq!(ciphertext.len() % 16, 0);
        assert_eq!(&service_key.decrypt(&iv, &ciphertext).unwrap()[..], b"lakekey-v1 0a1b2c 1\n{\"token\":\"...\"}");
    }

    #[test]
    fn key_derivation_matches_an_independent_computation() {
        // Expected values computed outside this code: Python's pow() for the DH values, and
        // hmac/hashlib for HKDF-SHA256 (RFC 5869) over the 128-byte left-padded shared value.
        let ours = KeyAgreement::from_exponent(&[0x11; 32]);
        let service = KeyAgreement::from_exponent(&[0x22; 32]);
        assert_eq!(hex(&ours.public_key()[..16]), KAT_OUR_PUBLIC_PREFIX);
        let service_public = service.public_key().to_vec();
        let key = ours.session_key(&service_public).unwrap();
        assert_eq!(hex(&key.0[..]), KAT_SESSION_KEY);
        // AES-128-CBC with PKCS#7 against `openssl enc -aes-128-cbc`.
        let (_, ciphertext) = key.encrypt_with_iv(b"secret", [7; 16]);
        assert_eq!(hex(&ciphertext), KAT_CIPHERTEXT);
    }

    const KAT_OUR_PUBLIC_PREFIX: &str = "a3616141ace28df1503b7975754b8c03";
    const KAT_SESSION_KEY: &str = "9230a221c40ac242fef986ae8a850943";
    const KAT_CIPHERTEXT: &str = "fa4439a80d2027fb52afacc6854ce9d4";

    #[test]
    fn degenerate_public_values_from_the_service_are_refused() {
        let p = &*PRIME;
        for bad in [BigUint::from(0u32), BigUint::from(1u32), p - 1u32, p.clone(), p + 5u32] {
            assert_eq!(KeyAgreement::new().session_key(&bad.to_bytes_be()).unwrap_err(), TransferError::BadPublicKey);
        }
    }

    #[test]
    fn a_tampered_or_truncated_secret_is_refused_not_returned() {
        let ours = KeyAgreement::new();
        let service = KeyAgreement::new();
        let service_public = service.public_key().to_vec();
        let key = ours.session_key(&service_public).unwrap();
        let (iv, ciphertext) = key.encrypt(b"0123456789abcdef0123");
        assert_eq!(key.decrypt(&iv[..8], &ciphertext).unwrap_err(), TransferError::BadCiphertext);
        assert_eq!(key.decrypt(&iv, &ciphertext[..ciphertext.len() - 1]).unwrap_err(), TransferError::BadCiphertext);
        // Another agreement with the same service: a different key, which must not read it.
        let other_key = KeyAgreement::new().session_key(&service_public).unwrap();
        assert!(other_key.decrypt(&iv, &ciphertext).map(|p| p.as_slice() != b"0123456789abcdef0123").unwrap_or(true));
    }

    #[test]
    fn debug_output_names_no_key_material() {
        let ours = KeyAgreement::new();
        assert_eq!(format!("{ours:?}"), "KeyAgreement(<redacted>)");
        let public = KeyAgreement::new().public_key().to_vec();
        assert_eq!(format!("{:?}", ours.session_key(&public).unwrap()), "SessionKey(<redacted>)");
    }
}
