//! Reads the RSA private key a Lake user keeps as a PEM file: PKCS#1, PKCS#8, or
//! passphrase-encrypted PKCS#8. Every other kind of file gets a message that says what it is and
//! what LakeKey needs instead. The key is normalised to PKCS#8 DER, which is what the keychain
//! stores and what signing loads.

use crate::error::{Error, Result};
use crate::secret::{Secret, SecretBytes};
use pkcs8::der::asn1::AnyRef;
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, EncryptedPrivateKeyInfo, ObjectIdentifier, PrivateKeyInfo};
use aws_lc_rs::signature::RsaKeyPair;
use std::io::Read;
use std::path::Path;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// Real PEM keys are a few KiB; anything far larger is the wrong file, and is not read whole.
pub const MAX_PEM_BYTES: u64 = 256 * 1024;

/// An RSA private key ready for RS256 signing, with its PKCS#8 DER for storage.
pub struct RsaKey {
    pkcs8_der: SecretBytes,
    pair: RsaKeyPair,
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaKey({} bits, <redacted>)", self.bits())
    }
}

impl RsaKey {
    /// Loads a key from PKCS#8 DER (the form the keychain holds).
    pub fn from_pkcs8_der(der: SecretBytes) -> Result<Self> {
        let pair = RsaKeyPair::from_pkcs8(der.expose()).map_err(|e| {
            Error::invalid(format!("The RSA private key cannot be used for signing ({e})."))
                .with_hint("Lake needs an RSA key of 2048 to 8192 bits; create one in the Lake Console's key instructions.")
        })?;
        Ok(RsaKey { pkcs8_der: der, pair })
    }

    /// Parses PEM text; `passphrase` is used only when the key is encrypted.
    pub fn from_pem(pem: &str, passphrase: Option<&Secret>) -> Result<Self> {
        if pem.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::invalid("The key uses the legacy OpenSSL encryption format, which LakeKey does not read.")
                .with_hint("Convert it to encrypted PKCS#8: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem"));
        }
        let blocks = pem_blocks(pem);
        if blocks.is_empty() {
            return Err(Error::invalid("The file is not a PEM key: it has no `-----BEGIN ...-----` line.")
                .with_hint("Choose the private key file (.pem) you saved when you created the key for Lake."));
        }
        // Moved out, not cloned: the other blocks' bytes are zeroed when `blocks` is dropped.
        let mut blocks = blocks;
        let chosen = blocks.iter().position(|(label, _)| label.ends_with("PRIVATE KEY")).unwrap_or(0);
        let (label, der) = blocks.swap_remove(chosen);
        let der = SecretBytes::from(der);
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_checked(der),
            "RSA PRIVATE KEY" => Self::from_pkcs8_der(SecretBytes::new(wrap_pkcs1(der.expose())?)),
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or_else(|| {
                    Error::invalid("The private key is encrypted and no passphrase was given.")
                        .with_hint("Enter the key's passphrase (the CLI reads LAKEKEY_PEM_PASSPHRASE or asks on the terminal).")
                })?;
                let info = EncryptedPrivateKeyInfo::from_der(der.expose()).map_err(|e| {
                    Error::invalid(format!("The encrypted private key is malformed ({e})."))
                })?;
                check_kdf_cost(&info.encryption_algorithm)?;
                let plain = info.decrypt(passphrase.expose().as_bytes()).map_err(|_| {
                    Error::invalid("The passphrase is wrong, or the key uses an encryption LakeKey does not support.")
                        .with_hint("Check the passphrase; LakeKey reads PBES2 (PBKDF2 or scrypt, AES) keys as OpenSSL 3 writes them.")
                })?;
                Self::from_pkcs8_checked(SecretBytes::new(plain.as_bytes().to_vec()))
            }
            "EC PRIVATE KEY" => Err(ec_key_error()),
            "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Err(Error::invalid(format!(
                "The file holds a {}, not a private key.",
                label.to_lowercase()
            ))
            .with_hint("Choose the private key: the public key is the one you uploaded to the Lake Console.")),
            "OPENSSH PRIVATE KEY" => Err(Error::invalid("The file is an OpenSSH private key, not a PEM RSA key.")
                .with_hint("Convert it: ssh-keygen -p -m PKCS8 -f <file> (this rewrites the file in PEM form).")),
            other => Err(Error::invalid(format!("The PEM file holds a `{other}`, not an RSA private key."))),
        }
    }

    /// Reads a PEM file, refusing binary and oversized files with a clear message.
    pub fn read_pem_file(path: &Path, passphrase: Option<&Secret>) -> Result<Self> {
        let text = read_text_file(path, MAX_PEM_BYTES, "PEM key")?;
        Self::from_pem(&text, passphrase)
    }

    fn from_pkcs8_checked(der: SecretBytes) -> Result<Self> {
        let info = PrivateKeyInfo::from_der(der.expose())
            .map_err(|e| Error::invalid(format!("The private key is malformed ({e}).")))?;
        if info.algorithm.oid == EC_PUBLIC_KEY {
            return Err(ec_key_error());
        }
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(Error::invalid(format!(
                "The private key is not an RSA key (algorithm {}).",
                info.algorithm.oid
            ))
            .with_hint("Lake's PAT sign-in uses RS256, which needs an RSA private key."));
        }
        Self::from_pkcs8_der(der)
    }

    pub fn pkcs8_der(&self) -> &SecretBytes {
        &self.pkcs8_der
    }

    pub fn key_pair(&self) -> &RsaKeyPair {
        &self.pair
    }

    pub fn bits(&self) -> usize {
        self.pair.public_modulus_len() * 8
    }
}

/// The key file itself names how hard its passphrase is to stretch. A hostile or corrupt file could
/// ask for billions of PBKDF2 rounds or gigabytes of scrypt memory and hang or kill the process, so
/// costs far above what key tools write (OpenSSL 3: PBKDF2 2048 rounds, scrypt N=16384 r=8) are
/// refused before any work is done.
const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;
const MAX_SCRYPT_MEMORY: u64 = 256 << 20;

fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<()> {
    use pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};
    let too_costly = match scheme {
        EncryptionScheme::Pbes2(params) => match &params.kdf {
            Kdf::Pbkdf2(p) => p.iteration_count > MAX_PBKDF2_ROUNDS,
            // scrypt needs 128 * N * r bytes (and p rounds of that work).
            Kdf::Scrypt(p) => {
                128u64.saturating_mul(p.cost_parameter).saturating_mul(p.block_size.into()) > MAX_SCRYPT_MEMORY
                    || p.parallelization > 16
            }
            // Unknown KDFs are refused by the decryption itself.
            _ => false,
        },
        _ => false,
    };
    if too_costly {
        return Err(Error::invalid("The encrypted private key asks for an unreasonable amount of work to decrypt (key-stretching cost far above what key tools write).")
            .with_hint("Re-export the key with standard settings: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem"));
    }
    Ok(())
}

/// Reads a small text file with a size cap, so a wrong 100 MB file is refused without reading it.
/// The text is returned in a buffer that is zeroed on drop: these files hold keys and tokens.
pub fn read_text_file(path: &Path, max: u64, what: &str) -> Result<zeroize::Zeroizing<String>> {
    let file = std::fs::File::open(path).map_err(|e| {
        Error::invalid(format!("Cannot open the {what} file {}: {e}.", path.display()))
            .with_hint("Check the path and that you may read the file.")
    })?;
    // Sized up front and zeroed on drop: growing would leave copies of the secret in freed memory.
    let size = file.metadata().map(|m| m.len()).unwrap_or(0).min(max) + 1;
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(size as usize));
    (&file).take(max + 1).read_to_end(&mut bytes).map_err(|e| {
        Error::invalid(format!("Cannot read the {what} file {}: {e}.", path.display()))
    })?;
    if bytes.len() as u64 > max {
        return Err(Error::invalid(format!(
            "The {what} file {} is larger than {} KiB, too large to be a {what}.",
            path.display(),
            max / 1024
        ))
        .with_hint("Check that you chose the right file."));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid(format!("The {what} file {} is empty.", path.display())));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::invalid(format!("The {what} file {} is binary, not text.", path.display()))
            .with_hint("Choose the text file that starts with -----BEGIN (for a key) or holds the token (for a PAT).")
    })?;
    if text.contains('\0') {
        return Err(Error::invalid(format!("The {what} file {} is binary, not text.", path.display())));
    }
    Ok(zeroize::Zeroizing::new(text.to_string()))
}

/// The PEM blocks of a text: `(label, der)` for each block that decodes.
fn pem_blocks(text: &str) -> Vec<(String, zeroize::Zeroizing<Vec<u8>>)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else { break };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = after.find(&end_marker) else { break };
        let block = &rest[start..start + 11 + end + end_marker.len()];
        if let Ok((decoded_label, der)) = pkcs8::der::pem::decode_vec(block.as_bytes()) {
            blocks.push((decoded_label.to_string(), zeroize::Zeroizing::new(der)));
        } else {
            // Keep the label so the caller can still say what the file was meant to be.
            blocks.push((label.to_string(), zeroize::Zeroizing::new(Vec::new())));
        }
        rest = &after[end + end_marker.len()..];
    }
    blocks
}

/// PKCS#1 `RSAPrivateKey` DER -> PKCS#8 `PrivateKeyInfo` DER.
fn wrap_pkcs1(pkcs1_der: &[u8]) -> Result<Vec<u8>> {
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef { oid: RSA_ENCRYPTION, parameters: Some(AnyRef::NULL) },
        private_key: pkcs1_der,
        public_key: None,
    };
    info.to_der().map_err(|e| Error::invalid(format!("The RSA private key is malformed ({e}).")))
}

fn ec_key_error() -> Error {
    Error::invalid("The file holds an EC (elliptic-curve) key; Lake's PAT sign-in needs an RSA key.")
        .with_hint("Use the RSA key pair whose public key you uploaded to the Lake Console.")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ErrorCode;

    pub(crate) fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn reads_pkcs1_pkcs8_and_encrypted_pkcs8_to_the_same_key() {
        let pkcs8 = RsaKey::from_pem(&fixture("test-key.pem"), None).unwrap();
        let pkcs1 = RsaKey::from_pem(&fixture("test-key-pkcs1.pem"), None).unwrap();
        let pass = Secret::new("correct horse");
        let enc = RsaKey::from_pem(&fixture("test-key-encrypted.pem"), Some(&pass)).unwrap();
        assert_eq!(pkcs8.bits(), 2048);
        assert_eq!(pkcs8.pkcs8_der(), pkcs1.pkcs8_der());
        assert_eq!(aws_lc_rs::signature::KeyPair::public_key(pkcs8.key_pair()).as_ref(), aws_lc_rs::signature::KeyPair::public_key(enc.key_pair()).as_ref());
        assert_eq!(format!("{pkcs8:?}"), "RsaKey(2048 bits, <redacted>)");
    }

    #[test]
    fn explains_every_wrong_kind_of_key() {
        let cases = [
            (fixture("test-key-encrypted.pem"), None, "no passphrase"),
            (fixture("test-key-encrypted.pem"), Some(Secret::new("wrong")), "passphrase is wrong"),
            (fixture("test-ec-key.pem"), None, "EC"),
            (fixture("test-public-key.pem"), None, "public key"),
            ("hello".to_string(), None, "no `-----BEGIN"),
            ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n".to_string(), None, "legacy"),
        ];
        for (pem, pass, expected) in cases {
            let err = RsaKey::from_pem(&pem, pass.as_ref()).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.message().contains(expected), "{expected}: {}", err.message());
        }
    }

    #[test]
    fn refuses_empty_binary_and_huge_files() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "  \n").unwrap();
        let binary = dir.path().join("bin.pem");
        std::fs::write(&binary, [0u8, 159, 146, 150]).unwrap();
        let huge = dir.path().join("huge.pem");
        std::fs::write(&huge, vec![b'A'; (MAX_PEM_BYTES + 10) as usize]).unwrap();
        for (path, expected) in [(&empty, "empty"), (&binary, "binary"), (&huge, "too large")] {
            let err = RsaKey::read_pem_file(path, None).unwrap_err();
            assert!(err.message().contains(expected), "{}", err.message());
        }
        let missing = RsaKey::read_pem_file(&dir.path().join("nope.pem"), None).unwrap_err();
        assert_eq!(missing.code(), ErrorCode::InvalidInput);
    }

    /// An encrypted key whose own parameters ask for a huge stretching cost (the ciphertext does
    /// not matter: the cost is refused before any decryption starts).
    fn costly_key(params: pkcs8::pkcs5::pbes2::Parameters<'_>) -> String {
        use pkcs8::der::{pem::LineEnding, EncodePem};
        let info = pkcs8::EncryptedPrivateKeyInfo { encryption_algorithm: params.into(), encrypted_data: &[7u8; 48] };
        info.to_pem(LineEnding::LF).unwrap()
    }

    #[test]
    fn refuses_keys_whose_stretching_cost_would_hang_or_exhaust_memory() {
        use pkcs8::pkcs5::{pbes2, scrypt};
        let iv = [1u8; 16];
        let pbkdf2 = costly_key(pbes2::Parameters::pbkdf2_sha256_aes256cbc(50_000_000, b"saltsalt", &iv).unwrap());
        let scrypt = costly_key(pbes2::Parameters::scrypt_aes256cbc(scrypt::Params::new(30, 8, 1, 32).unwrap(), b"saltsalt", &iv).unwrap());
        for pem in [pbkdf2, scrypt] {
            let err = RsaKey::from_pem(&pem, Some(&Secret::new("pw"))).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.message().contains("unreasonable amount of work"), "{}", err.message());
        }
    }
}
