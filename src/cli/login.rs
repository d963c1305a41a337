//! `lakekey login`: the device flow (or a pasted token, for `token` profiles).

use super::output::{store_note, human_duration, note, say, ErrorFormat, NoteKind};
use super::profile::ProfileArg;
use super::secret_input;
use clap::Args;
use lakekey::browser::{self, Opened};
use lakekey::device_flow::DeviceEvent;
use lakekey::{Browser, Cancel, Engine, Error, Method};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct LoginArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// Do not open a browser; just print the address and code (a `browser` profile signs in
    /// with a code then).
    #[arg(long)]
    no_browser: bool,
    /// Sign in with a code (the device flow) even where the profile's method is `browser`.
    #[arg(long)]
    device: bool,
    /// One JSON object per line on stdout, each with an `event` member.
    #[arg(long)]
    json: bool,
    /// With --json: add the address as a QR code to the `code` event, as SVG (`qr_svg`) and as
    /// text (`qr_text`, for a terminal), for programs that show the code to someone with a phone.
    #[arg(long, requires = "json")]
    qr: bool,
    /// Sign in to this Lake environment: the profile (--profile, or one named after the
    /// organisation) is created with Lake's defaults if missing; an existing one must already
    /// point there with the device flow and default settings, or the login is refused.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// For `token` profiles: read the token from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

pub async fn run(engine: &Engine, args: LoginArgs, format: ErrorFormat) -> Result<ExitCode, Error> {
    let resolved = match &args.base_url {
        Some(url) => engine.profile_for_url(args.profile.profile.as_deref(), url)?,
        None => engine.resolve(args.profile.profile.as_deref())?,
    };
    if args.json && args.base_url.is_some() {
        // First, which profile this is: callers that gave only a base URL learn its name.
        say(serde_json::json!({ "event": "profile", "name": resolved.name, "base_url": resolved.base_url }).to_string())?;
    }
    if resolved.method == Method::Pat {
        return Err(Error::invalid(format!("Profile `{}` signs in with a PAT, not the device flow.", resolved.name))
            .with_hint("Use: lakekey pat import --pat-file FILE --pem KEY.pem --username USER"));
    }
    if let Some(store) = engine.store_notice()? {
        store_note(format, &store);
    }
    if resolved.method == Method::Token {
        let token = secret_input::pasted_token(args.token_file)?;
        let signed_in = engine.import_token(Some(&resolved.name), token).await?;
        signed_in.warnings.iter().for_each(|w| note(format, NoteKind::Warning, w));
        say(format!("Stored the token for `{}`.", signed_in.status.profile))?;
        return Ok(ExitCode::SUCCESS);
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
    let json = args.json;
    let (no_browser, qr) = (args.no_browser, args.qr);
    // Output that cannot be delivered ends the sign-in: nobody would see the code.
    let mut broken: Option<Error> = None;
    let mut on_event = |event: &DeviceEvent| {
        if broken.is_some() {
            return;
        }
        let shown = if json { say(event_json(event, qr).to_string()) } else { print_event(event) };
        if let Err(e) = shown {
            broken = Some(e);
            cancel.cancel();
            return;
        }
        if let DeviceEvent::Code { verification_uri, verification_uri_complete, .. } = event {
            let url = verification_uri_complete.as_deref().unwrap_or(verification_uri);
            let outcome = if no_browser { Opened::NotAsked } else { browser::open(url) };
            let _ = match (&outcome, json) {
                (Opened::NotAsked, _) | (Opened::Yes(_), _) => Ok(()),
                (Opened::NoBrowserHere(why), false) => say(format!("({why}: open the address above on any device.)")),
                (Opened::Failed(why), false) => say(format!("(Could not open a browser ({why}); open the address above yourself.)")),
                (Opened::NoBrowserHere(why) | Opened::Failed(why), true) => {
                    say(serde_json::json!({ "event": "browser_not_opened", "reason": why }).to_string())
                }
            };
        }
    };
    // The browser sign-in needs a browser on this machine; where there is none, the engine says
    // so once and signs in with a code.
    let open = |url: &str| match browser::open(url) {
        Opened::Yes(_) => Ok(()),
        Opened::NoBrowserHere(why) | Opened::Failed(why) => Err(why),
        Opened::NotAsked => Err("not asked".to_string()),
    };
    let browser_here = match browser::choose(&browser::Environment::current()) {
        _ if no_browser => Browser::Unavailable("You asked for no browser (--no-browser)".to_string()),
        browser::Launch::Nothing(why) => Browser::Unavailable(why),
        _ => Browser::Opener(&open),
    };
    let result = engine.login(Some(&resolved.name), args.device, browser_here, &cancel, &mut on_event).await;
    on_ctrl_c.abort();
    if let Some(e) = broken {
        return Err(e);
    }
    match result {
        Ok(signed_in) => {
            signed_in.warnings.iter().for_each(|w| note(format, NoteKind::Warning, w));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if json => {
            say(serde_json::to_string(&DeviceEvent::failed(&e)).expect("events serialise"))?;
            Ok(ExitCode::from(e.code().exit_code() as u8))
        }
        Err(e) => Err(e),
    }
}

/// An event as one JSON object; with `qr`, the code event carries the address as a QR code.
fn event_json(event: &DeviceEvent, qr: bool) -> serde_json::Value {
    let mut value = serde_json::to_value(event).expect("events serialise");
    if let (true, DeviceEvent::Code { verification_uri, verification_uri_complete, .. }) = (qr, event) {
        let url = verification_uri_complete.as_deref().unwrap_or(verification_uri);
        value["qr_svg"] = lakekey::qr_code::svg(url).into();
        value["qr_text"] = lakekey::qr_code::text(url).into();
    }
    value
}

fn print_event(event: &DeviceEvent) -> Result<(), Error> {
    match event {
        DeviceEvent::Code { user_code, verification_uri, verification_uri_complete, expires_in, context, .. } => {
            let mut text = format!("{}\nTo sign in, open {verification_uri}\nand enter the code:  {user_code}\n", context.asks);
            if let Some(complete) = verification_uri_complete {
                text.push_str(&format!("(or open {complete} directly)\n"));
            }
            if let Some(warning) = &context.page_host_warning {
                text.push_str(&format!("Warning: {warning}\n"));
            }
            text.push_str(&format!("{}\n", context.only_if));
            text.push_str(&format!("The code expires in {}. Waiting for approval… (Ctrl-C cancels)", human_duration(*expires_in)));
            say(text)
        }
        DeviceEvent::Browser { idp_host, .. } => {
            say(format!("Your browser opened {idp_host} to sign in: finish there, and this continues by itself. Waiting… (Ctrl-C cancels)"))
        }
        DeviceEvent::Fallback { message } => say(message),
        DeviceEvent::Pending | DeviceEvent::Error { .. } => Ok(()),
        DeviceEvent::SlowDown { interval } => say(format!("The identity provider asked to poll less often: every {interval} s now.")),
        DeviceEvent::NetworkTrouble { message } => say(format!("Network trouble, still trying: {message}")),
        DeviceEvent::SignedIn { expires_at } => {
            let left = expires_at.saturating_sub(lakekey::clock::Clock::now(&lakekey::clock::SystemClock));
            say(format!("Signed in. The token expires in {} and is renewed automatically.", human_duration(left)))
        }
    }
}
