//! The built-in demo environment: a small identity provider (discovery, device authorization with
//! an approval page, token with device-code and rotating refresh grants, revocation) and a demo
//! Lake validation endpoint, served by the app itself on 127.0.0.1. The engine talks to it through
//! the same code as to a real IdP. Every page it serves says DEMO.

use aws_lc_rs::signature::{KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Request, Response, Server};

pub const ENV_ID: &str = "demo-environment";
pub const ORG_ID: &str = "demo";
pub const CLIENT_ID: &str = "demo-oaf-device";
pub const USERNAME: &str = "DEMO_ANALYST";
pub const KEY_PEM: &str = include_str!("../demo/demo-key.pem");
pub const PAT: &str = include_str!("../demo/demo-pat.txt");
/// Short, so the app's background refresh can be seen working.
const ACCESS_TTL: u64 = 300;
const DEVICE_TTL: u64 = 600;
const INTERVAL: u64 = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Grant {
    Pending,
    Approved,
    Denied,
}

struct DeviceCode {
    user_code: String,
    grant: Grant,
    expires_at: u64,
}

#[derive(Default)]
struct State {
    devices: HashMap<String, DeviceCode>,
    refresh_tokens: HashMap<String, bool>, // token -> still valid
}

/// A running demo server; it stops when the app exits.
pub struct DemoServer {
    pub base_url: String,
}

pub fn start() -> std::io::Result<DemoServer> {
    let server = Server::http("127.0.0.1:0").map_err(std::io::Error::other)?;
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or_default();
    let base_url = format!("http://127.0.0.1:{port}/api/accounts/{ENV_ID}");
    let hmac_key = {
        let mut key = [0u8; 32];
        aws_lc_rs::rand::fill(&mut key).map_err(|_| std::io::Error::other("no randomness"))?;
        key
    };
    let demo = Arc::new(Demo { base_url: base_url.clone(), state: Mutex::new(State::default()), hmac_key });
    std::thread::Builder::new().name("lakekey-demo-idp".into()).spawn(move || {
        for request in server.incoming_requests() {
            demo.handle(request);
        }
    })?;
    Ok(DemoServer { base_url })
}

struct Demo {
    base_url: String,
    state: Mutex<State>,
    hmac_key: [u8; 32],
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut buf = [0u8; 8];
    let _ = aws_lc_rs::rand::fill(&mut buf);
    let letters: String = buf.iter().map(|b| LETTERS[*b as usize % LETTERS.len()] as char).collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

fn form(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn json(status: u16, value: serde_json::Value) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(value.to_string())
        .with_status_code(status)
        .with_header(Header::from_bytes("Content-Type", "application/json").expect("static header"))
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("static header"))
}

fn html(status: u16, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(Header::from_bytes("Content-Type", "text/html; charset=utf-8").expect("static header"))
        .with_header(Header::from_bytes("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'").expect("static header"))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Demo {
    fn prefix(&self) -> String {
        format!("/api/accounts/{ENV_ID}")
    }

    fn handle(&self, mut request: Request) {
        let mut body = String::new();
        let _ = request.as_reader().take(64 * 1024).read_to_string(&mut body);
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let prefix = self.prefix();
        let auth = format!("{prefix}/auth");
        let response = match (request.method(), path) {
            (Method::Get, p) if p == format!("{auth}/.well-known/openid-configuration") => json(
                200,
                serde_json::json!({
                    "issuer": format!("{}/auth", self.base_url),
                    "token_endpoint": format!("{}/auth/token", self.base_url),
                    "device_authorization_endpoint": format!("{}/auth/device", self.base_url),
                    "revocation_endpoint": format!("{}/auth/revoke", self.base_url),
                    "grant_types_supported": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
                }),
            ),
            (Method::Post, p) if p == format!("{auth}/device") => self.device_authorization(&form(&body)),
            (Method::Get, p) if p == format!("{auth}/activate") => self.approval_page(form(query).get("user_code").map(String::as_str).unwrap_or("")),
            (Method::Post, p) if p == format!("{auth}/activate") => self.approve(&form(&body)),
            (Method::Post, p) if p == format!("{auth}/token") => self.token(&form(&body)),
            (Method::Post, p) if p == format!("{auth}/revoke") => {
                if let Some(token) = form(&body).get("token") {
                    self.state.lock().unwrap_or_else(|p| p.into_inner()).refresh_tokens.insert(token.clone(), false);
                }
                json(200, serde_json::json!({}))
            }
            (Method::Get, p) if p == prefix => {
                let bearer = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .and_then(|h| h.value.as_str().strip_prefix("Bearer ").map(str::to_string));
                if bearer.as_deref().is_some_and(verify_pat_jwt) {
                    json(200, serde_json::json!({ "id": ENV_ID, "demo": true }))
                } else {
                    json(401, serde_json::json!({ "error": "unauthorized", "demo": true }))
                }
            }
            _ => json(404, serde_json::json!({ "error": "not_found" })),
        };
        let _ = request.respond(response);
    }

    fn device_authorization(&self, form: &HashMap<String, String>) -> Response<std::io::Cursor<Vec<u8>>> {
        if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
            return json(400, serde_json::json!({ "error": "invalid_client", "error_description": format!("the demo knows only client id {CLIENT_ID}") }));
        }
        let device_code = random_token(24);
        let code = user_code();
        self.state.lock().unwrap_or_else(|p| p.into_inner()).devices.insert(
            device_code.clone(),
            DeviceCode { user_code: code.clone(), grant: Grant::Pending, expires_at: now() + DEVICE_TTL },
        );
        let verify = format!("{}/auth/activate", self.base_url);
        json(
            200,
            serde_json::json!({
                "device_code": device_code,
                "user_code": code,
                "verification_uri": verify,
                "verification_uri_complete": format!("{verify}?user_code={code}"),
                "expires_in": DEVICE_TTL,
                "interval": INTERVAL,
            }),
        )
    }

    fn approval_page(&self, code: &str) -> Response<std::io::Cursor<Vec<u8>>> {
        html(200, page(&format!(
            r#"<h1>Approve LakeKey's sign-in?</h1>
<p>Check that this code matches the one LakeKey shows:</p>
<form method="post">
  <label for="user_code">Code</label>
  <input id="user_code" name="user_code" value="{}" autocomplete="off" required>
  <div class="buttons">
    <button type="submit" name="decision" value="approve" id="approve">Approve</button>
    <button type="submit" name="decision" value="deny" id="deny" class="secondary">Deny</button>
  </div>
</form>"#,
            escape(code)
        )))
    }

    fn approve(&self, form: &HashMap<String, String>) -> Response<std::io::Cursor<Vec<u8>>> {
        let code = form.get("user_code").map(|c| c.trim().to_uppercase()).unwrap_or_default();
        let approve = form.get("decision").map(String::as_str) == Some("approve");
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let found = state.devices.values_mut().find(|d| d.user_code == code && d.grant == Grant::Pending && d.expires_at > now());
        match found {
            Some(device) => {
                device.grant = if approve { Grant::Approved } else { Grant::Denied };
                let text = if approve { "Approved. You can close this tab and return to LakeKey." } else { "Denied. LakeKey will show that the sign-in was declined." };
                html(200, page(&format!("<h1 id=\"result\">{text}</h1>")))
            }
            None => html(400, page("<h1 id=\"result\">That code is unknown or expired.</h1><p>Start the sign-in again in LakeKey.</p>")),
        }
    }

    fn token(&self, form: &HashMap<String, String>) -> Response<std::io::Cursor<Vec<u8>>> {
        let error = |e: &str| json(400, serde_json::json!({ "error": e }));
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match form.get("grant_type").map(String::as_str) {
            Some("urn:ietf:params:oauth:grant-type:device_code") => {
                let Some(code) = form.get("device_code") else { return error("invalid_request") };
                let Some(device) = state.devices.get(code) else { return error("invalid_grant") };
                if device.expires_at <= now() {
                    return error("expired_token");
                }
                match device.grant {
                    Grant::Pending => error("authorization_pending"),
                    Grant::Denied => {
                        state.devices.remove(code);
                        error("access_denied")
                    }
                    Grant::Approved => {
                        state.devices.remove(code);
                        self.issue(&mut state)
                    }
                }
            }
            Some("refresh_token") => {
                let Some(token) = form.get("refresh_token") else { return error("invalid_request") };
                match state.refresh_tokens.get(token).copied() {
                    Some(true) => {
                        // Rotation: each refresh token works once.
                        state.refresh_tokens.insert(token.clone(), false);
                        self.issue(&mut state)
                    }
                    _ => error("invalid_grant"),
                }
            }
            _ => error("unsupported_grant_type"),
        }
    }

    fn issue(&self, state: &mut State) -> Response<std::io::Cursor<Vec<u8>>> {
        let refresh = random_token(32);
        state.refresh_tokens.insert(refresh.clone(), true);
        let issued = now();
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = URL_SAFE_NO_PAD.encode(
            serde_json::json!({
                "iss": format!("{}/auth", self.base_url),
                "sub": "demo-analyst",
                "aud": "demo-lake",
                "iat": issued,
                "exp": issued + ACCESS_TTL,
                "demo": true,
                "jti": random_token(9),
            })
            .to_string(),
        );
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.hmac_key);
        let signature = URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(&key, format!("{header}.{claims}").as_bytes()));
        json(
            200,
            serde_json::json!({
                "access_token": format!("{header}.{claims}.{signature}"),
                "token_type": "Bearer",
                "expires_in": ACCESS_TTL,
                "refresh_token": refresh,
                "scope": "openid",
            }),
        )
    }
}

/// The demo Lake endpoint accepts a PAT JWT signed with the demo key for the demo PAT and user.
fn verify_pat_jwt(jwt: &str) -> bool {
    let Some((input, signature)) = jwt.rsplit_once('.') else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else { return false };
    let Ok(key) = demo_key() else { return false };
    let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key().as_ref().to_vec());
    if public.verify(input.as_bytes(), &signature).is_err() {
        return false;
    }
    let Some(claims) = input.split('.').nth(1).and_then(|c| URL_SAFE_NO_PAD.decode(c).ok()) else { return false };
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(&claims) else { return false };
    claims["pat"] == PAT.trim() && claims["sub"] == USERNAME && claims["org_id"] == ORG_ID
}

fn demo_key() -> Result<RsaKeyPair, ()> {
    let der = lakekey::pem_key::RsaKey::from_pem(KEY_PEM, None).map_err(|_| ())?;
    RsaKeyPair::from_pkcs8(der.pkcs8_der().expose()).map_err(|_| ())
}

fn page(content: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>DEMO sign-in — LakeKey</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;max-width:32rem;margin:0 auto;padding:1rem;color:#1b1f24;background:#fff}}
.banner{{background:#b45309;color:#fff;padding:.5rem 1rem;border-radius:.4rem;font-weight:600}}
input{{font:inherit;font-size:1.5rem;letter-spacing:.15em;text-transform:uppercase;padding:.4rem;width:100%;box-sizing:border-box}}
.buttons{{display:flex;gap:.5rem;margin-top:1rem}}button{{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1d4ed8;color:#fff}}
button.secondary{{background:#e5e7eb;color:#111}}
@media (prefers-color-scheme: dark){{body{{background:#111827;color:#e5e7eb}}}}
</style></head><body>
<p class="banner" role="note">DEMO identity provider, served by LakeKey on this computer. No real account is involved.</p>
{content}
</body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakekey::pat_jwt::{sign, PatClaims};

    #[test]
    fn the_demo_lake_accepts_only_the_demo_pat_signed_with_the_demo_key() {
        let key = lakekey::pem_key::RsaKey::from_pem(KEY_PEM, None).unwrap();
        let pat = lakekey::Secret::new(PAT.trim());
        let claims = PatClaims { kid: "demo-key", org_id: ORG_ID, pat: &pat, username: USERNAME, now: now(), expiration_secs: 600, valid_from: 0 };
        assert!(verify_pat_jwt(sign(&key, &claims).unwrap().expose()));
        let other = lakekey::Secret::new("other");
        assert!(!verify_pat_jwt(sign(&key, &PatClaims { pat: &other, ..claims.clone() }).unwrap().expose()));
        assert!(!verify_pat_jwt("a.b.c"));
    }

    /// The engine signs in to the demo exactly as to a real IdP: discovery, device code, the
    /// approval page, polling, then a PAT validated by the demo Lake endpoint.
    #[test]
    fn the_engine_signs_in_to_the_demo_through_its_normal_code() {
        let server = start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let keychain = lakekey::keychain::Keychain::with_store(keyring_core::mock::Store::new().unwrap(), None);
        let engine = lakekey::Engine::new(dir.path(), Some(keychain), std::sync::Arc::new(lakekey::clock::SystemClock));
        let profile = lakekey::Profile { base_url: server.base_url.clone(), org_id: Some(ORG_ID.into()), ..Default::default() };
        engine.add_profile("demo-device", profile.clone(), true).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut approvals = Vec::new();
        let status = runtime
            .block_on(engine.device_login(None, &lakekey::Cancel::new(), &mut |event| {
                if let lakekey::DeviceEvent::Code { user_code, verification_uri, .. } = event {
                    let (uri, code) = (verification_uri.clone(), user_code.clone());
                    approvals.push(std::thread::spawn(move || post_form(&uri, &format!("user_code={code}&decision=approve"))));
                }
            }))
            .unwrap();
        let page = approvals.pop().unwrap().join().unwrap();
        assert!(page.contains("DEMO") && page.contains("Approved"), "{page}");
        assert!(status.status.signed_in && status.status.can_refresh);
        let token = runtime.block_on(engine.token(None, 60)).unwrap().secret;
        assert_eq!(lakekey::jwt_info::decode(token.expose()).unwrap().claims["demo"], true);

        let pat = lakekey::Profile { method: lakekey::Method::Pat, username: Some(USERNAME.into()), ..profile };
        engine.add_profile("demo-pat", pat, false).unwrap();
        let pem = dir.path().join("demo-key.pem");
        std::fs::write(&pem, KEY_PEM).unwrap();
        let import = lakekey::PatImport { pat: Some(lakekey::Secret::new(PAT)), pem_file: pem, validate: true, ..Default::default() };
        let imported = runtime.block_on(engine.import_pat(Some("demo-pat"), import)).unwrap();
        assert_eq!(imported.validation, lakekey::credential::Validation::Accepted);
    }

    fn post_form(url: &str, body: &str) -> String {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn user_codes_are_readable() {
        let code = user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
    }
}
