//! `lakekey`: the command-line face of the LakeKey engine. Each command parses its arguments,
//! calls one engine method, and prints; errors become one sentence, a hint, and an exit code
//! (README: Exit codes). One file per command group; what they share for output is in
//! [`output`].

mod docs;
mod login;
mod output;
mod pat;
mod profile;
mod secret_input;
mod status;
mod token;

use clap::{Parser, Subcommand};
use lakekey::{Engine, Error};
use output::ErrorFormat;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "lakekey", version, about = "Sign in to Teradata VantageCloud Lake and get fresh bearer tokens")]
pub struct Cli {
    /// How failures and notes are reported on stderr: `text` (a sentence and a hint) or `json`
    /// (one object each: `{"error": {code, message, hint}}`, `{"note": {kind, message}}`, for
    /// programs that call lakekey).
    #[arg(long, global = true, value_enum, default_value = "text", value_name = "FORMAT")]
    error_format: ErrorFormat,
    /// Give up after this many seconds (exit 7), for callers with a time limit of their own. A
    /// refresh already sent to the identity provider is always saved first, so nothing is lost.
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_time_limit)]
    time_limit: Option<f64>,
    #[command(subcommand)]
    command: Command,
}

fn parse_time_limit(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 1e9 => Ok(secs),
        _ => Err(format!("`{text}` is not a positive number of seconds")),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Add, list, show or remove Lake environments.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Sign in: the device flow, or paste a token for `token` profiles.
    Login(login::LoginArgs),
    /// Sign in with a personal access token and its PEM private key.
    #[command(subcommand)]
    Pat(pat::PatCommand),
    /// Print a bearer token valid for at least --min-valid seconds, and nothing else.
    Token(token::TokenArgs),
    /// Show whether a profile is signed in and until when.
    Status(status::StatusArgs),
    /// Sign out: revoke at the identity provider where possible, then forget the secrets.
    Logout(status::LogoutArgs),
    /// Print a shell completion script: `lakekey completions bash > ~/.local/share/bash-completion/completions/lakekey`.
    Completions(docs::CompletionsArgs),
    /// Write the man pages (lakekey.1 and one per subcommand) into a directory (for packages).
    #[command(hide = true)]
    Man(docs::ManArgs),
    /// Run a command with LAKEKEY_TOKEN and LAKEKEY_BASE_URL set.
    Exec(token::ExecArgs),
}

pub fn main() -> ExitCode {
    restore_default_sigpipe();
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if matches!(cli.command, Command::Token(_) | Command::Exec(_)) {
        // These may refresh: SIGTERM and SIGINT wait for a refresh's save (lakekey::interrupt).
        lakekey::interrupt::defer_termination_in_critical_sections();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return output::fail(&Error::internal(format!("Cannot start: {e}.")), cli.error_format),
    };
    let format = cli.error_format;
    let outcome = runtime.block_on(async {
        let work = run(cli.command, format);
        let Some(secs) = cli.time_limit else { return work.await };
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
        // The runtime has one thread: once `outside_critical` resolves, `work` is not inside a
        // refresh, and dropping it abandons nothing the identity provider has already changed.
        tokio::select! {
            done = work => done,
            () = async { tokio::time::sleep_until(deadline).await; lakekey::interrupt::outside_critical().await } => Err(timed_out(secs)),
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => output::fail(&e, format),
    }
}

/// A command line clap does not take: its text (and `--help`, `--version`) as clap prints it, or,
/// with `--error-format json`, one JSON error like every other failure, so programs that call
/// lakekey read every failure the same way. Exit 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let json = std::env::args().collect::<Vec<_>>().windows(2).any(|w| w[0] == "--error-format" && w[1] == "json")
        || std::env::args().any(|a| a == "--error-format=json");
    if json && !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
        let message = e.kind().as_str().map_or_else(|| e.to_string(), |kind| format!("{kind}: {}", e.render().to_string().lines().next().unwrap_or("").trim_start_matches("error: ")));
        let line = serde_json::json!({ "error": { "code": "usage", "message": message, "hint": "Run `lakekey --help` for the commands and their options." } });
        eprintln!("{line}");
        return ExitCode::from(USAGE_EXIT_CODE);
    }
    let _ = e.print();
    ExitCode::from(if e.use_stderr() { USAGE_EXIT_CODE } else { 0 })
}

/// clap's exit code for a command line it does not take (README: Exit codes).
const USAGE_EXIT_CODE: u8 = 2;

fn timed_out(secs: f64) -> Error {
    Error::new(lakekey::ErrorCode::Timeout, format!("LakeKey gave up after the time limit of {secs} s (--time-limit); nothing stored was changed."))
        .with_hint("Allow more time. If it happens again, another LakeKey process may hold the profile's lock, or the identity provider is slow: `lakekey status` shows the profile.")
}

async fn run(command: Command, format: ErrorFormat) -> Result<ExitCode, Error> {
    // Generated from the argument definitions: no engine, profile or keychain needed.
    match command {
        Command::Completions(args) => return docs::completions(args),
        Command::Man(args) => return docs::man(args),
        _ => {}
    }
    let engine = Engine::open()?;
    match command {
        Command::Completions(_) | Command::Man(_) => unreachable!("handled above"),
        Command::Profile(cmd) => profile::run(&engine, cmd).await,
        Command::Login(args) => login::run(&engine, args, format).await,
        Command::Pat(cmd) => pat::run(&engine, cmd, format).await,
        Command::Token(args) => token::token(&engine, args, format).await,
        Command::Exec(args) => token::exec(&engine, args, format).await,
        Command::Status(args) => status::status(&engine, args),
        Command::Logout(args) => status::logout(&engine, args).await,
    }
}

/// The clap definition, for the completion scripts and man pages.
fn command_definition() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
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

/// `LAKEKEY_LOG=debug` (or `trace`) turns on diagnostics on stderr. Nothing logged carries a secret.
fn init_logging() {
    if let Ok(filter) = std::env::var("LAKEKEY_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}
