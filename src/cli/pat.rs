//! `lakekey pat import`: sign in with a personal access token and its PEM key.

use super::output::{store_note, note, say, ErrorFormat, NoteKind};
use super::profile::{PatSigning, ProfileArg};
use super::secret_input;
use clap::Subcommand;
use lakekey::engine::PatImport;
use lakekey::{Engine, Error, Secret};
use std::path::PathBuf;
use std::process::ExitCode;

const MAX_PAT_BYTES: u64 = 64 * 1024;

#[derive(Subcommand)]
pub enum PatCommand {
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
        #[command(flatten)]
        signing: PatSigning,
        /// Do not ask Lake whether the token is accepted.
        #[arg(long)]
        no_validate: bool,
    },
}

pub async fn run(engine: &Engine, cmd: PatCommand, format: ErrorFormat) -> Result<ExitCode, Error> {
    let PatCommand::Import { profile, pat, pat_file, pem, signing, no_validate } = cmd;
    let PatSigning { username, kid, expiration_time, valid_from } = signing;
    if pat.is_some() {
        note(format, NoteKind::Warning, "--pat puts the PAT in the process list and your shell history, where other local users and programs can read it; use --pat-file FILE or --pat-file - (standard input).");
    }
    let (pat, pat_file) = match pat_file {
        Some(path) if path.as_os_str() == "-" => (Some(secret_input::from_stdin("PAT", MAX_PAT_BYTES)?), None),
        file => (pat.map(Secret::from), file),
    };
    let passphrase = secret_input::passphrase_for(&pem)?;
    let name = engine.resolve(profile.profile.as_deref())?.name;
    if let Some(store) = engine.store_notice()? {
        store_note(format, &store);
    }
    let import = PatImport { pat, pat_file, pem_file: pem, passphrase, username, kid, expiration_time, valid_from, validate: !no_validate };
    let imported = engine.import_pat(Some(&name), import).await?;
    for warning in &imported.warnings {
        note(format, NoteKind::Warning, warning);
    }
    match imported.not_validated_because {
        None => say(format!("Signed in with the PAT as {} (key id {}); Lake accepted the token.", imported.username, imported.kid))?,
        Some(why) => say(format!("Signed in with the PAT as {} (key id {}); the token is NOT validated: {why}", imported.username, imported.kid))?,
    }
    if !imported.key_file_needed {
        say("The private key is now in the keychain; LakeKey no longer needs the PEM file.")?;
    } else {
        say(format!("Keep the PEM file: the private key is in {}, which forgets it when the machine restarts; then import it again.", imported.store.describe()))?;
    }
    Ok(ExitCode::SUCCESS)
}
