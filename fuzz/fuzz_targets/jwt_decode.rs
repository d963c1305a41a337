//! A token as `lakekey status` and the app decode it for display: header and claims only, never
//! the `pat` claim, and an expiry that is either a number from the token or nothing.
#![no_main]

use lakekey::jwt_info;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    if let Ok(info) = jwt_info::decode(&token) {
        assert!(!info.claims.contains_key("pat"), "the PAT claim is never shown");
        assert_eq!(jwt_info::expiry(&token), info.expires_at());
    }
});
