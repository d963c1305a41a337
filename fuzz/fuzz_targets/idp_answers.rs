//! Whatever an identity provider (or a proxy in front of it) answers: any status, any body, read
//! as a discovery document, a device-code answer or a token-poll answer. Errors name the endpoint
//! and never panic; a token answer becomes a session whose expiry is the server's `expires_in`
//! from now (or the JWT's own `exp`, which may even be past on a badly set server clock).
#![no_main]

use lakekey::device_flow::{self, PollAnswer};
use lakekey::discovery;
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 10] = [200, 201, 204, 302, 400, 401, 403, 429, 500, 503];
const NOW: u64 = 1_790_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = STATUSES[usize::from(selector >> 2) % STATUSES.len()];
    let response = http::Response::builder().status(status).body(body.to_vec()).unwrap();
    match selector & 3 {
        0 => {
            if let Ok(endpoints) = discovery::read_document("https://idp.example.com", &response) {
                assert!(endpoints.token_endpoint.starts_with("http"));
            }
        }
        1 => {
            if let Ok(code) = device_flow::read_device_code(&response, "acme-oaf-device", NOW) {
                assert!(!code.interval.is_zero(), "a zero interval would poll in a busy loop");
            }
        }
        _ => {
            if let PollAnswer::Token(token) = device_flow::read_poll_answer(&response) {
                let session = device_flow::session_from_token(&token, NOW, "https://idp.example.com/token", None, "c", None);
                if let Some(lifetime) = oauth2::TokenResponse::expires_in(&token) {
                    assert_eq!(session.expires_at, NOW.saturating_add(lifetime.as_secs()));
                }
            }
        }
    }
});
