//! How the CLI reports: results on stdout (a failed write is an error, never a silent exit 0),
//! notes and failures on stderr, as text for people or as JSON for programs (`--error-format`).

use lakekey::{Action, Error};
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    Text,
    Json,
}

/// Writes `parts` to stdout and flushes. Failing to deliver a result (a full disk, a closed
/// descriptor) is a failure of the command: a script must not take an empty answer for a token.
pub fn write_stdout_parts(parts: &[&[u8]]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    parts
        .iter()
        .try_for_each(|part| out.write_all(part))
        .and_then(|_| out.flush())
        .map_err(|e| Error::internal(format!("Cannot write to standard output: {e}.")).with_hint("Check where standard output goes (a full disk, a closed pipe)."))
}

pub fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    write_stdout_parts(&[bytes])
}

/// Writes a line of text to stdout.
pub fn say(text: impl AsRef<str>) -> Result<(), Error> {
    write_stdout_parts(&[text.as_ref().as_bytes(), b"\n"])
}

/// The kinds of note LakeKey writes to stderr when a command succeeds with something to know.
/// The names are part of the JSON contract (`{"note": {"kind", "message"}}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The token lasts less than asked for.
    ShortLived,
    /// A renewal failed; the current, unexpired token was handed out instead.
    RenewalFailed,
    /// Where secrets are kept, when that is not the desktop keychain.
    Store,
    /// Something LakeKey did that the user should know about (an unreadable item replaced).
    Warning,
}

impl NoteKind {
    fn as_str(self) -> &'static str {
        match self {
            NoteKind::ShortLived => "short_lived",
            NoteKind::RenewalFailed => "renewal_failed",
            NoteKind::Store => "store",
            NoteKind::Warning => "warning",
        }
    }
}

/// A note on stderr: `lakekey: note: ...` for people, one JSON object for programs. Failing to
/// write a note is not a failure of the command.
pub fn note(format: ErrorFormat, kind: NoteKind, message: &str) {
    match format {
        ErrorFormat::Text if kind == NoteKind::Warning => eprintln_quiet(&format!("warning: {message}")),
        ErrorFormat::Text => eprintln_quiet(&format!("lakekey: note: {message}")),
        ErrorFormat::Json => eprintln_quiet(&serde_json::json!({ "note": { "kind": kind.as_str(), "message": message } }).to_string()),
    }
}

/// Where a sign-in's secrets go, when that is not a desktop keychain: the engine's sentence (the
/// app shows the same), and how to see or change it from here.
pub fn store_note(format: ErrorFormat, notice: &str) {
    note(format, NoteKind::Store, &format!("{notice} `lakekey status` shows where each profile's secrets are kept; LAKEKEY_KEYCHAIN=secret-service|kernel chooses."));
}

fn eprintln_quiet(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Reports a failure on stderr and gives its exit code.
pub fn fail(e: &Error, format: ErrorFormat) -> ExitCode {
    match format {
        ErrorFormat::Text => {
            eprintln_quiet(&format!("lakekey: {}", e.message()));
            match (e.hint(), e.action().map(command_for)) {
                (Some(hint), Some(run)) => eprintln_quiet(&format!("hint: {hint} Run: {run}")),
                (Some(hint), None) => eprintln_quiet(&format!("hint: {hint}")),
                (None, Some(run)) => eprintln_quiet(&format!("hint: run {run}")),
                (None, None) => {}
            }
        }
        ErrorFormat::Json => {
            let error = serde_json::json!({
                "code": e.code().as_str(),
                "message": e.message(),
                "hint": e.hint(),
                "action": e.action(),
                "command": e.action().map(command_for),
            });
            eprintln_quiet(&serde_json::json!({ "error": error }).to_string());
        }
    }
    ExitCode::from(e.code().exit_code() as u8)
}

/// The engine's [`Action`], phrased as the command that does it (the app names a button, the
/// Python package a function: each front end in its own terms).
pub fn command_for(action: &Action) -> String {
    let profile = |p: &Option<String>| p.as_ref().map_or(String::new(), |p| format!(" --profile {p}"));
    match action {
        Action::SignIn { profile: p, pat: false } => format!("`lakekey login{}`", profile(p)),
        Action::SignIn { profile: p, pat: true } => format!("`lakekey pat import{} --pat-file FILE --pem KEY.pem`", profile(p)),
        Action::SignInOrForget { profile: p } => {
            format!("`lakekey login{0}` (or `lakekey pat import{0}`), or `lakekey logout{0} --local-only`", profile(p))
        }
        Action::ForgetLocally { profile: p } => format!("`lakekey logout --profile {p} --local-only`"),
        Action::ChooseProfile => "`lakekey profile default NAME`, or give --profile NAME (or LAKEKEY_PROFILE)".to_string(),
        Action::ListProfiles => "`lakekey profile list`, or `lakekey profile add NAME --base-url URL`".to_string(),
        Action::AddProfile => "`lakekey profile add NAME --base-url URL`".to_string(),
        Action::SignOutUnused => "`lakekey logout --profile NAME` for each profile you no longer use".to_string(),
        Action::RunOutsideContainer => "`lakekey exec -- docker run -e LAKEKEY_TOKEN -e LAKEKEY_BASE_URL ...` on the host".to_string(),
    }
}

/// "45 s", "12 min", "3 h", "364 days".
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(59), "59 s");
        assert_eq!(human_duration(600), "10 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(31_536_000), "365 days");
    }
}
