//! `lakekey token` and `lakekey exec`: a fresh token, printed or handed to a command.

use super::output::{note, write_stdout_parts, ErrorFormat, NoteKind};
use super::profile::ProfileArg;
use clap::Args;
use lakekey::engine::TokenNote;
use lakekey::{BearerToken, Engine, Error};
use std::process::ExitCode;

#[derive(Args)]
pub struct TokenArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// The token must stay valid this long; a token with less left is renewed first (but never
    /// before half of its life is gone).
    #[arg(long, value_name = "SECS", default_value_t = lakekey::DEFAULT_MIN_VALID_SECS)]
    min_valid: u64,
    /// One JSON object instead: `token`, `expires_at` (epoch seconds), `lifetime` (how long the
    /// identity provider's tokens live; null when unknown), `renewable`, and `renew_at` (when to
    /// ask again for a token valid --min-valid seconds; null when it cannot be renewed), and
    /// `profile`, `base_url` and `version` (of this command), for programs that keep a token
    /// fresh themselves.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ExecArgs {
    #[command(flatten)]
    profile: ProfileArg,
    #[arg(long, value_name = "SECS", default_value_t = lakekey::DEFAULT_MIN_VALID_SECS)]
    min_valid: u64,
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

pub async fn token(engine: &Engine, args: TokenArgs, format: ErrorFormat) -> Result<ExitCode, Error> {
    let token = engine.token(args.profile.profile.as_deref(), args.min_valid).await?;
    notes(engine, &token, args.min_valid, format);
    if args.json {
        // Serialised into a buffer of the exact size, zeroed on drop: no partial copy is left.
        #[derive(serde::Serialize)]
        struct Answer<'a> {
            token: &'a str,
            expires_at: Option<u64>,
            lifetime: Option<u64>,
            renewable: bool,
            renew_at: Option<u64>,
            // What a program needs besides the token, so one call is enough: which profile
            // answered, its base URL (teradataml's `set_auth_token` takes both), and this
            // command's version (the Python package checks it is its own).
            profile: &'a str,
            base_url: &'a str,
            version: &'static str,
        }
        let resolved = engine.resolve(args.profile.profile.as_deref())?;
        let answer = Answer {
            profile: &resolved.name,
            base_url: &resolved.base_url,
            version: env!("CARGO_PKG_VERSION"),
            token: token.secret.expose(),
            expires_at: token.expires_at,
            lifetime: token.lifetime,
            renewable: token.renewable(),
            renew_at: token.renewable().then(|| token.renew_at(args.min_valid)).flatten(),
        };
        let json = lakekey::secret::written_exactly(|w| serde_json::to_writer(w, &answer).map_err(std::io::Error::other)).expect("plain data serialises");
        write_stdout_parts(&[&json, b"\n"])?;
    } else {
        write_stdout_parts(&[token.secret.expose().as_bytes(), b"\n"])?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn exec(engine: &Engine, args: ExecArgs, format: ErrorFormat) -> Result<ExitCode, Error> {
    let resolved = engine.resolve(args.profile.profile.as_deref())?;
    let token = engine.token(Some(&resolved.name), args.min_valid).await?;
    notes(engine, &token, args.min_valid, format);
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let status = std::process::Command::new(program)
        .args(rest)
        .env("LAKEKEY_TOKEN", token.secret.expose())
        .env("LAKEKEY_BASE_URL", &resolved.base_url)
        .status()
        .map_err(|e| Error::invalid(format!("Cannot run `{program}`: {e}.")).with_hint("Check the command name and your PATH."))?;
    Ok(child_exit_code(status))
}

/// What the caller should know about the token: on stderr, so stdout stays just the token.
fn notes(engine: &Engine, token: &BearerToken, min_valid: u64, format: ErrorFormat) {
    for n in token.notes(min_valid, engine.now()) {
        match n {
            TokenNote::ShortLived(message) => note(format, NoteKind::ShortLived, &message),
            TokenNote::RenewalFailed(message) => note(format, NoteKind::RenewalFailed, &message),
        }
    }
}

fn child_exit_code(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(code as u8);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from(128 + signal as u8);
        }
    }
    ExitCode::FAILURE
}
