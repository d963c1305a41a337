//! `lakekey profile ...`: the Lake environments, and the `--profile` option every command shares.

use super::output::{say, write_stdout};
use clap::{Args, Subcommand};
use lakekey::profile::{Config, Resolved};
use lakekey::{Engine, Error, IdpPreset, Method, Profile};
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(Args)]
pub struct ProfileArg {
    /// The profile to use (default: $LAKEKEY_PROFILE, then the default profile, then the only one).
    #[arg(long, env = "LAKEKEY_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

#[derive(Subcommand)]
pub enum ProfileCommand {
    /// Add a Lake environment (or change an existing one; its secrets stay).
    Add(AddProfile),
    /// List the profiles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a profile with everything derived from its base URL.
    Show {
        /// The profile (default: $LAKEKEY_PROFILE, then the default profile, then the only one).
        #[arg(env = "LAKEKEY_PROFILE")]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile and its secrets.
    Remove { name: String },
    /// Make a profile the default.
    Default { name: String },
}

#[derive(Args)]
pub struct AddProfile {
    name: String,
    #[arg(long, value_name = "URL")]
    base_url: String,
    // The engine's own types: the profile's shape is stated once, in src/profile.rs.
    #[arg(long, value_enum, default_value = "device")]
    method: Method,
    #[arg(long, value_enum, default_value = "vcl")]
    idp: IdpPreset,
    /// The issuer URL (for --idp custom).
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    /// The Keycloak realm (for --idp keycloak; default `teradata`).
    #[arg(long)]
    realm: Option<String>,
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    #[arg(long)]
    scope: Option<String>,
    #[arg(long, value_name = "ORG")]
    org_id: Option<String>,
    #[command(flatten)]
    pat: PatSigning,
    /// Make this the default profile.
    #[arg(long)]
    default: bool,
}

/// How PAT tokens are signed: given with `profile add` (the profile's settings) or with
/// `pat import` (for that import).
#[derive(Args)]
pub struct PatSigning {
    /// The database user the token is signed for (mind its letter case).
    #[arg(long)]
    pub username: Option<String>,
    /// The key id; by default the PEM file's name without its extension.
    #[arg(long, value_name = "K")]
    pub kid: Option<String>,
    /// How long each signed token lives (default: a year, as teradataml).
    #[arg(long, value_name = "SECS")]
    pub expiration_time: Option<u64>,
    /// From when tokens are valid (the `iat` claim; default 0).
    #[arg(long, value_name = "EPOCH")]
    pub valid_from: Option<u64>,
}

pub async fn run(engine: &Engine, cmd: ProfileCommand) -> Result<ExitCode, Error> {
    match cmd {
        ProfileCommand::Add(a) => {
            let existed = engine.config()?.profiles.contains_key(&a.name);
            let profile = Profile {
                base_url: a.base_url,
                method: a.method,
                idp: a.idp,
                issuer: a.issuer,
                realm: a.realm,
                client_id: a.client_id,
                scope: a.scope,
                username: a.pat.username,
                org_id: a.org_id,
                kid: a.pat.kid,
                expiration_time: a.pat.expiration_time,
                valid_from: a.pat.valid_from,
                store: None,
            };
            let resolved = engine.add_profile(&a.name, profile, a.default)?;
            let mut text = format!("{} profile `{}`.\n", if existed { "Updated" } else { "Added" }, resolved.name);
            describe(&mut text, &resolved);
            write_stdout(text.as_bytes())?;
        }
        ProfileCommand::List { json } => {
            let config = engine.config()?;
            if json {
                let list: Vec<_> = config.profiles.keys().map(|name| profile_json(&config, name)).collect();
                say(serde_json::to_string_pretty(&list).expect("serialises"))?;
            } else if config.profiles.is_empty() {
                say("No profiles yet. Add one: lakekey profile add NAME --base-url URL")?;
            } else {
                let mut text = String::new();
                for (name, profile) in &config.profiles {
                    let mark = if config.default.as_deref() == Some(name) { "*" } else { " " };
                    let _ = writeln!(text, "{mark} {name:<20} {:<7} {}", profile.method.as_str(), profile.base_url);
                }
                write_stdout(text.as_bytes())?;
            }
        }
        ProfileCommand::Show { name, json } => {
            let config = engine.config()?;
            let name = config.select(name.as_deref())?;
            let resolved = config.get(&name)?.resolve(&name)?;
            if json {
                let mut value = profile_json(&config, &name);
                value["paths"] = serde_json::to_value(engine.paths()).expect("serialises");
                say(serde_json::to_string_pretty(&value).expect("serialises"))?;
            } else {
                let mut text = String::new();
                describe(&mut text, &resolved);
                write_stdout(text.as_bytes())?;
            }
        }
        ProfileCommand::Remove { name } => {
            engine.remove_profile(&name).await?;
            say(format!("Removed profile `{name}` and its secrets."))?;
        }
        ProfileCommand::Default { name } => {
            engine.set_default(&name)?;
            say(format!("`{name}` is now the default profile."))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn profile_json(config: &Config, name: &str) -> serde_json::Value {
    let mut value = match config.profiles[name].resolve(name) {
        Ok(resolved) => serde_json::to_value(&resolved).expect("serialises"),
        Err(e) => serde_json::json!({ "name": name, "error": { "code": e.code().as_str(), "message": e.message() } }),
    };
    value["default"] = serde_json::Value::Bool(config.default.as_deref() == Some(name));
    value
}

fn describe(text: &mut String, r: &Resolved) {
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(text, "  {label:<11} {value}");
    };
    line("base URL:", &r.base_url);
    line("method:", r.method.as_str());
    line("org id:", &r.org_id);
    line("env id:", &r.env_id);
    if matches!(r.method, Method::Device | Method::Browser) {
        line("IdP:", &format!("{} ({})", r.issuer, r.idp.as_str()));
        line("client id:", &r.client_id);
        line("scope:", &r.scope);
    }
    if let Some(user) = &r.username {
        line("username:", user);
    }
    if let Some(kid) = &r.kid {
        line("key id:", kid);
    }
}
