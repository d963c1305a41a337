//! The loopback redirect of the browser sign-in (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 and
//! a port the OS picks, which takes exactly one request (the identity provider's redirect, through
//! the user's browser), answers it with a neutral page, and closes. Served by tiny_http; nothing
//! but the query of that one request is read.

use crate::cancel::Cancel;
use crate::error::{Error, ErrorCode, Result};
use std::time::{Duration, Instant};

/// What the identity provider's redirect carried (RFC 6749 §4.1.2, RFC 9207).
#[derive(Default, PartialEq, Eq)]
pub struct Redirect {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub iss: Option<String>,
}

impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The code is a credential until it is exchanged.
        f.debug_struct("Redirect").field("code", &self.code.as_ref().map(|_| "<redacted>")).field("error", &self.error).field("iss", &self.iss).finish_non_exhaustive()
    }
}

impl Redirect {
    /// Reads the query of a request target (`/callback?code=...&state=...`).
    pub fn from_target(target: &str) -> Redirect {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let mut redirect = Redirect::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut redirect.code,
                "state" => &mut redirect.state,
                "error" => &mut redirect.error,
                "error_description" => &mut redirect.error_description,
                "iss" => &mut redirect.iss,
                _ => continue,
            };
            // A repeated parameter is not a valid answer: keep none of it.
            *slot = if slot.is_some() { Some(String::new()) } else { Some(value.into_owned()) };
        }
        redirect
    }
}

pub const CALLBACK_PATH: &str = "/callback";

/// The listener, bound and waiting for the one redirect.
pub struct Listener {
    server: tiny_http::Server,
    port: u16,
}

impl Listener {
    /// Binds 127.0.0.1 on a port the OS picks. Loopback only: nothing off this machine can reach
    /// it, and `127.0.0.1` rather than `localhost`, which a resolver could send elsewhere
    /// (RFC 8252 §8.3).
    pub fn bind() -> Result<Listener> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| Error::internal(format!("LakeKey could not listen on this computer for the sign-in's answer ({e}).")))?;
        let port = server.server_addr().to_ip().map(|a| a.port()).ok_or_else(|| Error::internal("The sign-in listener has no port."))?;
        Ok(Listener { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The redirect URI to register with the request.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for one request until `deadline` or `cancel`, answers it with `page(redirect)` and
    /// closes the listener (dropping it), so a second request finds nothing listening.
    pub async fn one_redirect(self, deadline: Instant, cancel: &Cancel, page: impl Fn(&Redirect) -> &'static str + Send + 'static) -> Result<Redirect> {
        let cancel = cancel.clone();
        tokio::task::spawn_blocking(move || {
            let Listener { server, port } = self;
            loop {
                if cancel.is_cancelled() {
                    return Err(Error::new(ErrorCode::Cancelled, "The sign-in was cancelled."));
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::new(ErrorCode::CodeExpired, "The browser sign-in was not finished in time.")
                        .with_hint("Sign in again, and finish in the browser window that opens."));
                }
                // Short waits, so a cancel is noticed at once.
                let Ok(Some(request)) = server.recv_timeout(left.min(Duration::from_millis(100))) else { continue };
                let redirect = Redirect::from_target(request.url());
                let on_path = request.url().split('?').next() == Some(CALLBACK_PATH);
                let body = if on_path { page(&redirect) } else { NOT_HERE };
                let response = tiny_http::Response::from_string(body)
                    .with_status_code(if on_path { 200 } else { 404 })
                    .with_header(header("Content-Type", "text/html; charset=utf-8"))
                    .with_header(header("Cache-Control", "no-store"))
                    .with_header(header("Referrer-Policy", "no-referrer"));
                let _ = request.respond(response);
                if on_path {
                    // The port closes before the code is exchanged: tiny_http's accept thread
                    // lets go of it shortly after the server is dropped, so wait for that.
                    drop(server);
                    wait_closed(port);
                    return Ok(redirect);
                }
            }
        })
        .await
        .map_err(|e| Error::internal(format!("The sign-in listener stopped unexpectedly ({e}).")))?
    }
}

/// Waits (a second at most) until nothing accepts connections on `port` any more.
fn wait_closed(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline && std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(100)).is_ok() {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

const NOT_HERE: &str = "<!doctype html><title>LakeKey</title><p>Nothing here.</p>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_from_the_query_and_repeats_are_refused() {
        let r = Redirect::from_target("/callback?code=abc%2Fd&state=s1&iss=https%3A%2F%2Fidp");
        assert_eq!((r.code.as_deref(), r.state.as_deref(), r.iss.as_deref()), (Some("abc/d"), Some("s1"), Some("https://idp")));
        let twice = Redirect::from_target("/callback?state=a&state=b&code=c");
        assert_eq!(twice.state.as_deref(), Some(""), "a repeated state matches nothing");
        assert!(!format!("{r:?}").contains("abc"), "the code stays out of Debug");
    }

    #[tokio::test]
    async fn one_request_is_taken_on_loopback_and_then_the_port_is_closed() {
        use std::io::{Read, Write};
        let listener = Listener::bind().unwrap();
        let port = listener.port();
        assert!(listener.redirect_uri().starts_with("http://127.0.0.1:"));
        let waiting = tokio::spawn(async move { listener.one_redirect(Instant::now() + Duration::from_secs(20), &Cancel::new(), |_| "done").await });
        // The browser's side, on a thread of its own: this runtime has one, and the listener's
        // task must run meanwhile.
        let answer = tokio::task::spawn_blocking(move || {
            let mut answer = String::new();
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.write_all(b"GET /callback?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
            stream.read_to_string(&mut answer).unwrap();
            answer
        })
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("no-store") && answer.ends_with("done"), "{answer}");
        let redirect = waiting.await.unwrap().unwrap();
        assert_eq!(redirect.code.as_deref(), Some("c"));
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the listener is closed after one answer");
    }

    #[tokio::test]
    async fn cancel_and_the_time_limit_end_the_wait() {
        let cancel = Cancel::new();
        cancel.cancel();
        let e = Listener::bind().unwrap().one_redirect(Instant::now() + Duration::from_secs(20), &cancel, |_| "").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Cancelled);
        let e = Listener::bind().unwrap().one_redirect(Instant::now(), &Cancel::new(), |_| "").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::CodeExpired);
    }
}
