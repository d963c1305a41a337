//! A PEM key file as the user picks it: any text, with or without a passphrase. Every outcome is a
//! key or an "invalid input" error; never a panic, a hang or a huge allocation (the key's own
//! encryption parameters are untrusted too).
#![no_main]

use lakekey::pem_key::RsaKey;
use lakekey::{ErrorCode, Secret};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let passphrase = (flags & 1 == 1).then(|| Secret::new("fuzz passphrase"));
    match RsaKey::from_pem(&text, passphrase.as_ref()) {
        Ok(key) => assert!(key.bits() >= 1024),
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidInput, "{}", e.message()),
    }
});
