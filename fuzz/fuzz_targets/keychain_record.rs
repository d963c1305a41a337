//! What the keychain hands back may have been written by an older LakeKey, another program, or be
//! damaged. It is read as a credential or refused; a credential LakeKey reads, it writes back the
//! same.
#![no_main]

use lakekey::credential::Credential;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(credential) = Credential::from_keychain_text(text) else { return };
    let written = credential.to_keychain_text();
    let reread = Credential::from_keychain_text(&written).expect("what LakeKey writes, it reads");
    assert_eq!(*reread.to_keychain_text(), *written);
});
