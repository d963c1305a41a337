//! `lakekey`: the command-line face of the LakeKey engine. Each command parses its arguments,
//! calls one engine method, and prints; errors become one sentence, a hint, and an exit code
//! (README: Exit codes).

use clap::{Args, Parser, Subcommand};
use lakekey::device_flow::DeviceEvent;
use lakekey::engine::PatImport;
use lakekey::profile::{Config, Resolved};
use lakekey::{Cancel, Engine, Error, ErrorCode, IdpPreset, Method, Profile, Secret, Status};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "lakekey", version, about = "Sign in to Teradata VantageCloud Lake and get fresh bearer tokens")]
struct Cli {
    /// How a failure is reported on stderr: `text` (a sentence and a hint) or `json` (one object
    /// with the stable error `code`, `message` and `hint`, for programs that call lakekey).
    #[arg(long, global = true, value_enum, default_value = "text", value_name = "FORMAT")]
    error_format: ErrorFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ErrorFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list, show or remove Lake environments.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Sign in: the device flow, or paste a token for `token` profiles.
    Login {
        #[command(flatten)]
        profile: ProfileArg,
        /// Do not open the browser; just print the URL and code.
        #[arg(long)]
        no_browser: bool,
        /// One JSON object per line on stdout, each with an `event` member.
        #[arg(long)]
        json: bool,
        /// For `token` profiles: read the token from this file instead of standard input.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
    },
    /// Sign in with a personal access token and its PEM private key.
    #[command(subcommand)]
    Pat(PatCommand),
    /// Print a bearer token valid for at least --min-valid seconds, and nothing else.
    Token {
        #[command(flatten)]
        profile: ProfileArg,
        #[arg(long, value_name = "SECS", default_value_t = lakekey::DEFAULT_MIN_VALID_SECS)]
        min_valid: u64,
        /// One JSON object instead: `token`, `expires_at` (epoch seconds) and `lifetime` (how
        /// long a renewed token lives; null when it cannot be renewed), for programs that keep
        /// a token fresh themselves.
        #[arg(long)]
        json: bool,
    },
    /// Show whether a profile is signed in and until when.
    Status {
        #[command(flatten)]
        profile: ProfileArg,
        #[arg(long)]
        json: bool,
    },
    /// Sign out: revoke at the identity provider where possible, then forget the secrets.
    Logout {
        #[command(flatten)]
        profile: ProfileArg,
        /// Forget the local secrets even if the identity provider cannot be reached.
        #[arg(long)]
        local_only: bool,
    },
    /// Print a shell completion script: `lakekey completions bash > ~/.local/share/bash-completion/completions/lakekey`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (lakekey.1 and one per subcommand) into a directory (for packages).
    #[command(hide = true)]
    Man {
        #[arg(value_name = "DIR")]
        out: PathBuf,
    },
    /// Run a command with LAKEKEY_TOKEN and LAKEKEY_BASE_URL set.
    Exec {
        #[command(flatten)]
        profile: ProfileArg,
        #[arg(long, value_name = "SECS", default_value_t = lakekey::DEFAULT_MIN_VALID_SECS)]
        min_valid: u64,
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
}

#[derive(Args)]
struct ProfileArg {
    /// The profile to use (default: $LAKEKEY_PROFILE, then the default profile, then the only one).
    #[arg(long, env = "LAKEKEY_PROFILE", value_name = "NAME")]
    profile: Option<String>,
}

#[derive(Subcommand)]
enum ProfileCommand {
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
struct AddProfile {
    name: String,
    #[arg(long, value_name = "URL")]
    base_url: String,
    #[arg(long, value_enum, default_value = "device")]
    method: MethodArg,
    #[arg(long, value_enum, default_value = "vcl")]
    idp: IdpArg,
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
    /// The database user (PAT sign-in).
    #[arg(long)]
    username: Option<String>,
    #[arg(long, value_name = "ORG")]
    org_id: Option<String>,
    #[arg(long, value_name = "K")]
    kid: Option<String>,
    #[arg(long, value_name = "SECS")]
    expiration_time: Option<u64>,
    #[arg(long, value_name = "EPOCH")]
    valid_from: Option<u64>,
    /// Make this the default profile.
    #[arg(long)]
    default: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MethodArg {
    Device,
    Pat,
    Token,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum IdpArg {
    Vcl,
    Keycloak,
    Ping,
    Custom,
}

#[derive(Subcommand)]
enum PatCommand {
    /// Sign a JWT from a PAT and PEM key, check it with Lake, and keep both in the keychain.
    Import {
        #[command(flatten)]
        profile: ProfileArg,
        /// A file holding the PAT, or `-` to read it from standard input (a hidden prompt on a
        /// terminal).
        #[arg(long, value_name = "FILE", conflicts_with = "pat", required_unless_present = "pat")]
        pat_file: Option<PathBuf>,
        /// The PAT itself. Avoid it: command lines are visible to other local users and end up in
        /// shell history. Use --pat-file.
        #[arg(long, value_name = "TOKEN")]
        pat: Option<String>,
        /// The RSA private key (PKCS#1, PKCS#8 or encrypted PKCS#8). The passphrase of an encrypted
        /// key comes from $LAKEKEY_PEM_PASSPHRASE or a prompt.
        #[arg(long, value_name = "FILE")]
        pem: PathBuf,
        #[arg(long)]
        username: Option<String>,
        #[arg(long, value_name = "K")]
        kid: Option<String>,
        #[arg(long, value_name = "SECS")]
        expiration_time: Option<u64>,
        #[arg(long, value_name = "EPOCH")]
        valid_from: Option<u64>,
        /// Do not ask Lake whether the token is accepted.
        #[arg(long)]
        no_validate: bool,
    },
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&Error::internal(format!("Cannot start: {e}.")), cli.error_format),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => fail(&e, cli.error_format),
    }
}

/// Rust ignores SIGPIPE, so writing into a closed pipe (`lakekey profile list | head -1`) would
/// panic with "failed printing to stdout". A command-line tool should end quietly instead, as
/// other Unix tools do: the default action.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// `LAKEKEY_LOG=debug` turns on diagnostics on stderr. Nothing logged carries a secret.
fn init_logging() {
    if let Ok(filter) = std::env::var("LAKEKEY_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}

fn fail(e: &Error, format: ErrorFormat) -> ExitCode {
    match format {
        ErrorFormat::Text => {
            eprintln!("lakekey: {}", e.message());
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
        }
        ErrorFormat::Json => {
            let error = serde_json::json!({ "error": { "code": e.code().as_str(), "message": e.message(), "hint": e.hint() } });
            eprintln!("{error}");
        }
    }
    ExitCode::from(e.code().exit_code() as u8)
}

async fn run(command: Command) -> Result<ExitCode, Error> {
    // Generated from the argument definitions above: no engine, profile or keychain needed.
    match &command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut <Cli as clap::CommandFactory>::command(), "lakekey", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man { out } => {
            std::fs::create_dir_all(out).and_then(|_| clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), out)).map_err(|e| {
                Error::internal(format!("Cannot write the man pages into {}: {e}.", out.display()))
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let engine = Engine::open()?;
    match command {
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
        Command::Profile(cmd) => profile_command(&engine, cmd),
        Command::Login { profile, no_browser, json, token_file } => login(&engine, profile.profile.as_deref(), no_browser, json, token_file).await,
        Command::Pat(PatCommand::Import { profile, pat, pat_file, pem, username, kid, expiration_time, valid_from, no_validate }) => {
            if pat.is_some() {
                eprintln!("warning: --pat puts the PAT in the process list and your shell history, where other local users and programs can read it; use --pat-file FILE or --pat-file - (standard input).");
            }
            let (pat, pat_file) = match pat_file {
                Some(path) if path.as_os_str() == "-" => (Some(read_secret_from_stdin("PAT", 64 * 1024)?), None),
                file => (pat.map(Secret::from), file),
            };
            let passphrase = passphrase_for(&pem)?;
            let imported = engine
                .import_pat(profile.profile.as_deref(), PatImport {
                    pat,
                    pat_file,
                    pem_file: pem,
                    passphrase,
                    username,
                    kid,
                    expiration_time,
                    valid_from,
                    validate: !no_validate,
                })
                .await?;
            for warning in &imported.warnings {
                eprintln!("warning: {warning}");
            }
            match imported.not_validated_because {
                None => println!("Signed in with the PAT as {} (key id {}); Lake accepted the token.", imported.username, imported.kid),
                Some(why) => println!(
                    "Signed in with the PAT as {} (key id {}); the token is NOT validated: {why}",
                    imported.username, imported.kid
                ),
            }
            println!("The private key is now in the keychain; LakeKey no longer needs the PEM file.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { profile, min_valid, json } => {
            let token = engine.token(profile.profile.as_deref(), min_valid).await?;
            warn_if_short(&engine, &token, min_valid);
            let mut out = std::io::stdout().lock();
            if json {
                // Written straight to stdout from the secret, with no intermediate copy.
                #[derive(serde::Serialize)]
                struct Answer<'a> {
                    token: &'a str,
                    expires_at: Option<u64>,
                    lifetime: Option<u64>,
                }
                let answer = Answer { token: token.secret.expose(), expires_at: token.expires_at, lifetime: token.lifetime };
                let _ = serde_json::to_writer(&mut out, &answer);
                let _ = writeln!(out);
            } else {
                let _ = writeln!(out, "{}", token.secret.expose());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { profile, json } => {
            let status = engine.status(profile.profile.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status).expect("status serialises"));
            } else {
                print_status(&status);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Logout { profile, local_only } => {
            let name = engine.resolve(profile.profile.as_deref())?.name;
            let revoked = engine.logout(Some(&name), local_only).await?;
            if revoked {
                println!("Signed out of `{name}`: the sign-in was revoked at the identity provider and its secrets removed.");
            } else {
                println!("Signed out of `{name}`: its secrets were removed from the keychain.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Exec { profile, min_valid, command } => {
            let resolved = engine.resolve(profile.profile.as_deref())?;
            let token = engine.token(Some(&resolved.name), min_valid).await?;
            warn_if_short(&engine, &token, min_valid);
            let (program, args) = command.split_first().expect("clap requires a command");
            let status = std::process::Command::new(program)
                .args(args)
                .env("LAKEKEY_TOKEN", token.secret.expose())
                .env("LAKEKEY_BASE_URL", &resolved.base_url)
                .status()
                .map_err(|e| {
                    Error::invalid(format!("Cannot run `{program}`: {e}.")).with_hint("Check the command name and your PATH.")
                })?;
            Ok(child_exit_code(status))
        }
    }
}

/// A token shorter-lived than asked for is still the answer (the IdP issues no longer ones);
/// stderr says so, stdout stays just the token.
fn warn_if_short(engine: &Engine, token: &lakekey::BearerToken, min_valid: u64) {
    if let Some(note) = token.is_short_of(min_valid, engine.now()) {
        eprintln!("lakekey: note: {note}");
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

fn profile_command(engine: &Engine, cmd: ProfileCommand) -> Result<ExitCode, Error> {
    match cmd {
        ProfileCommand::Add(a) => {
            let existed = engine.config()?.profiles.contains_key(&a.name);
            let profile = Profile {
                base_url: a.base_url,
                method: match a.method {
                    MethodArg::Device => Method::Device,
                    MethodArg::Pat => Method::Pat,
                    MethodArg::Token => Method::Token,
                },
                idp: match a.idp {
                    IdpArg::Vcl => IdpPreset::Vcl,
                    IdpArg::Keycloak => IdpPreset::Keycloak,
                    IdpArg::Ping => IdpPreset::Ping,
                    IdpArg::Custom => IdpPreset::Custom,
                },
                issuer: a.issuer,
                realm: a.realm,
                client_id: a.client_id,
                scope: a.scope,
                username: a.username,
                org_id: a.org_id,
                kid: a.kid,
                expiration_time: a.expiration_time,
                valid_from: a.valid_from,
            };
            let resolved = engine.add_profile(&a.name, profile, a.default)?;
            println!("{} profile `{}`.", if existed { "Updated" } else { "Added" }, resolved.name);
            print_resolved(&resolved);
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::List { json } => {
            let config = engine.config()?;
            if json {
                let list: Vec<_> = config.profiles.keys().map(|name| profile_json(&config, name)).collect();
                println!("{}", serde_json::to_string_pretty(&list).expect("serialises"));
            } else if config.profiles.is_empty() {
                println!("No profiles yet. Add one: lakekey profile add NAME --base-url URL");
            } else {
                for (name, profile) in &config.profiles {
                    let mark = if config.default.as_deref() == Some(name) { "*" } else { " " };
                    println!("{mark} {name:<20} {:<7} {}", profile.method.as_str(), profile.base_url);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Show { name, json } => {
            let config = engine.config()?;
            let name = config.select(name.as_deref())?;
            let resolved = config.get(&name)?.resolve(&name)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&profile_json(&config, &name)).expect("serialises"));
            } else {
                print_resolved(&resolved);
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Remove { name } => {
            engine.remove_profile(&name)?;
            println!("Removed profile `{name}` and its secrets.");
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Default { name } => {
            engine.set_default(&name)?;
            println!("`{name}` is now the default profile.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn profile_json(config: &Config, name: &str) -> serde_json::Value {
    let mut value = match config.profiles[name].resolve(name) {
        Ok(resolved) => serde_json::to_value(&resolved).expect("serialises"),
        Err(e) => serde_json::json!({ "name": name, "error": { "code": e.code().as_str(), "message": e.message() } }),
    };
    value["default"] = serde_json::Value::Bool(config.default.as_deref() == Some(name));
    value
}

fn print_resolved(r: &Resolved) {
    println!("  base URL:   {}", r.base_url);
    println!("  method:     {}", r.method.as_str());
    println!("  org id:     {}", r.org_id);
    println!("  env id:     {}", r.env_id);
    if r.method == Method::Device {
        println!("  IdP:        {} ({})", r.issuer, r.idp.as_str());
        println!("  client id:  {}", r.client_id);
        println!("  scope:      {}", r.scope);
    }
    if let Some(user) = &r.username {
        println!("  username:   {user}");
    }
    if let Some(kid) = &r.kid {
        println!("  key id:     {kid}");
    }
}

fn print_status(s: &Status) {
    println!("Profile:  {} ({})", s.profile, s.method.as_str());
    println!("Base URL: {}", s.base_url);
    let state = match (s.credential, s.expires_in) {
        (None, _) => "not signed in".to_string(),
        (Some(_), Some(left)) if left > 0 => format!("signed in, token expires in {}", human_duration(left as u64)),
        (Some(_), Some(_)) if s.can_refresh => "signed in, token expired (a new one is made on the next request)".to_string(),
        (Some(_), Some(_)) => "token expired: sign in again".to_string(),
        (Some(_), None) => "signed in (the token has no expiry)".to_string(),
    };
    println!("State:    {state}");
    if let Some(v) = s.validation {
        println!("Lake:     {}", match v {
            lakekey::credential::Validation::Accepted => "accepted the token",
            lakekey::credential::Validation::NotValidated => "not validated",
        });
    }
    if let Some(preview) = &s.token_preview {
        println!("Token:    {preview}");
    }
}

fn human_duration(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86400),
    }
}

async fn login(engine: &Engine, profile: Option<&str>, no_browser: bool, json: bool, token_file: Option<PathBuf>) -> Result<ExitCode, Error> {
    let resolved = engine.resolve(profile)?;
    match resolved.method {
        Method::Pat => {
            return Err(Error::invalid(format!("Profile `{}` signs in with a PAT, not the device flow.", resolved.name))
                .with_hint("Use: lakekey pat import --pat-file FILE --pem KEY.pem --username USER"))
        }
        Method::Token => {
            let token = read_pasted_token(token_file)?;
            let status = engine.import_token(Some(&resolved.name), token)?;
            println!("Stored the token for `{}`.", status.profile);
            return Ok(ExitCode::SUCCESS);
        }
        Method::Device => {}
    }
    let cancel = Cancel::new();
    let on_ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let mut on_event = |event: &DeviceEvent| {
        if json {
            println!("{}", serde_json::to_string(event).expect("events serialise"));
        } else {
            print_event(event);
        }
        if let DeviceEvent::Code { verification_uri, verification_uri_complete, .. } = event {
            if !no_browser {
                let url = verification_uri_complete.as_deref().unwrap_or(verification_uri);
                if open::that_detached(url).is_err() && !json {
                    println!("(Could not open a browser; open the address above yourself.)");
                }
            }
        }
        let _ = std::io::stdout().flush();
    };
    let result = engine.device_login(Some(&resolved.name), &cancel, &mut on_event).await;
    on_ctrl_c.abort();
    match result {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e) if json => {
            println!("{}", serde_json::to_string(&DeviceEvent::failed(&e)).expect("events serialise"));
            Ok(ExitCode::from(e.code().exit_code() as u8))
        }
        Err(e) => Err(e),
    }
}

fn print_event(event: &DeviceEvent) {
    match event {
        DeviceEvent::Code { user_code, verification_uri, verification_uri_complete, expires_in, .. } => {
            println!("To sign in, open {verification_uri}");
            println!("and enter the code:  {user_code}");
            if let Some(complete) = verification_uri_complete {
                println!("(or open {complete} directly)");
            }
            println!("The code expires in {}. Waiting for approval… (Ctrl-C cancels)", human_duration(*expires_in));
        }
        DeviceEvent::Pending => {}
        DeviceEvent::SlowDown { interval } => println!("The identity provider asked to poll less often: every {interval} s now."),
        DeviceEvent::NetworkTrouble { message } => println!("Network trouble, still trying: {message}"),
        DeviceEvent::SignedIn { expires_at } => {
            let left = expires_at.saturating_sub(lakekey::clock::Clock::now(&lakekey::clock::SystemClock));
            println!("Signed in. The token expires in {} and is refreshed automatically.", human_duration(left));
        }
        DeviceEvent::Error { .. } => {}
    }
}

fn read_pasted_token(file: Option<PathBuf>) -> Result<Secret, Error> {
    match file {
        Some(path) => Ok(Secret::new(lakekey::pem_key::read_text_file(&path, lakekey::jwt_info::MAX_JWT_BYTES as u64, "token")?.as_str())),
        None => read_secret_from_stdin("token", lakekey::jwt_info::MAX_JWT_BYTES as u64),
    }
}

/// A secret (`what`: "PAT", "token") from standard input, or from a hidden prompt on a terminal.
fn read_secret_from_stdin(what: &str, max_bytes: u64) -> Result<Secret, Error> {
    if std::io::stdin().is_terminal() {
        let text = rpassword::prompt_password(format!("Paste the {what} (it is not shown) and press Enter: "))
            .map_err(|e| Error::invalid(format!("Cannot read the {what}: {e}.")))?;
        return Ok(Secret::from(text));
    }
    // Sized up front and zeroed on drop: growing would leave copies of the secret in freed memory.
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(max_bytes as usize + 1));
    std::io::stdin()
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::invalid(format!("Cannot read the {what} from standard input: {e}.")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::invalid(format!("Standard input holds more than {} KiB, which is not a {what}.", max_bytes / 1024))
            .with_hint(format!("Pipe in just the {what}.")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::invalid(format!("The {what} from standard input is not text.")))?;
    Ok(Secret::new(text))
}

/// The passphrase of an encrypted key: $LAKEKEY_PEM_PASSPHRASE, else a prompt on the terminal.
fn passphrase_for(pem: &std::path::Path) -> Result<Option<Secret>, Error> {
    if let Ok(pass) = std::env::var("LAKEKEY_PEM_PASSPHRASE") {
        return Ok(Some(Secret::from(pass)));
    }
    let encrypted = std::fs::read(pem)
        // The file is a private key: look for the label in place, in a buffer zeroed on drop.
        .map(zeroize::Zeroizing::new)
        .map(|bytes| bytes.len() < 256 * 1024 && bytes.windows(21).any(|w| w == b"ENCRYPTED PRIVATE KEY"))
        .unwrap_or(false);
    if encrypted && std::io::stdin().is_terminal() {
        let pass = rpassword::prompt_password(format!("Passphrase for {}: ", pem.display()))
            .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("Cannot read the passphrase: {e}.")))?;
        return Ok(Some(Secret::from(pass)));
    }
    Ok(None)
}
