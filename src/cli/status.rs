//! `lakekey status` and `lakekey logout`.

use super::output::{human_duration, say, write_stdout};
use super::profile::ProfileArg;
use clap::Args;
use lakekey::credential::Validation;
use lakekey::{Engine, Error, Status};
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Args)]
pub struct StatusArgs {
    /// Show this profile in detail (default: every profile, one line each; $LAKEKEY_PROFILE
    /// picks one too).
    #[arg(long, env = "LAKEKEY_PROFILE", value_name = "NAME")]
    profile: Option<String>,
    /// JSON: one object for --profile, else an array with one object per profile.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// Forget the local secrets without revoking them at the identity provider: every LakeKey
    /// item of the profile, even ones that cannot be read.
    #[arg(long)]
    local_only: bool,
}

pub fn status(engine: &Engine, args: StatusArgs) -> Result<ExitCode, Error> {
    if let Some(name) = args.profile.as_deref().filter(|n| !n.is_empty()) {
        let status = engine.status(Some(name))?;
        if args.json {
            say(serde_json::to_string_pretty(&status).expect("status serialises"))?;
        } else {
            write_stdout(detail(&status).as_bytes())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let all = engine.statuses()?;
    // A keychain that cannot be reached affects every profile: say it once, as the failure.
    if let Some(e) = all.iter().find_map(|(_, s)| s.as_ref().err().filter(|e| e.code().is_keychain())) {
        return Err(Error::new(e.code(), e.message()).with_hint(e.hint().unwrap_or_default()));
    }
    if args.json {
        let list: Vec<_> = all
            .iter()
            .map(|(name, s)| match s {
                Ok(status) => serde_json::to_value(status).expect("status serialises"),
                Err(e) => serde_json::json!({ "profile": name, "error": { "code": e.code().as_str(), "message": e.message() } }),
            })
            .collect();
        say(serde_json::to_string_pretty(&list).expect("serialises"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        say("No profiles yet. Add one: lakekey profile add NAME --base-url URL")?;
        return Ok(ExitCode::SUCCESS);
    }
    let default = engine.config()?.default;
    let mut text = String::new();
    for (name, s) in &all {
        let mark = if default.as_deref() == Some(name.as_str()) { "*" } else { " " };
        let state = match s {
            // Each profile's secrets are where its sign-in put them.
            Ok(status) if status.credential.is_some() => format!("{}; secrets in {}", state_of(status), status.store.describe()),
            Ok(status) => state_of(status),
            Err(e) => format!("error: {}", e.message()),
        };
        let _ = writeln!(text, "{mark} {name:<20} {state}");
    }
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn detail(s: &Status) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "Profile:  {} ({})", s.profile, s.method.as_str());
    let _ = writeln!(text, "Base URL: {}", s.base_url);
    let _ = writeln!(text, "State:    {}", state_of(s));
    if let Some(v) = s.validation {
        let _ = writeln!(text, "Lake:     {}", match v {
            Validation::Accepted => "accepted the token",
            Validation::NotValidated => "not validated",
        });
    }
    if let Some(preview) = &s.token_preview {
        let _ = writeln!(text, "Token:    {preview}");
    }
    let _ = writeln!(text, "Secrets:  {}", s.store.describe());
    text
}

fn state_of(s: &Status) -> String {
    match (s.credential, s.expires_in) {
        (None, _) => "not signed in".to_string(),
        (Some(_), Some(left)) if left > 0 => format!("signed in, token expires in {}", human_duration(left as u64)),
        (Some(_), Some(_)) if s.can_refresh => "signed in, token expired (a new one is made on the next request)".to_string(),
        (Some(_), Some(_)) => "token expired: sign in again".to_string(),
        (Some(_), None) => "signed in (the token has no expiry)".to_string(),
    }
}

pub async fn logout(engine: &Engine, args: LogoutArgs) -> Result<ExitCode, Error> {
    let name = engine.resolve(args.profile.profile.as_deref())?.name;
    let out = engine.logout(Some(&name), args.local_only).await?;
    let removed = match (out.removed, out.unreadable) {
        (0, _) => "nothing was stored".to_string(),
        (n, 0) => format!("{n} keychain item{} removed", if n == 1 { "" } else { "s" }),
        (n, bad) => format!("{n} keychain item{} removed, {bad} of them unreadable", if n == 1 { "" } else { "s" }),
    };
    if out.revoked {
        say(format!("Signed out of `{name}`: the sign-in was revoked at the identity provider; {removed}."))?;
    } else {
        say(format!("Signed out of `{name}`: {removed}."))?;
    }
    Ok(ExitCode::SUCCESS)
}
