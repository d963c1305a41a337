//! What the CLI generates from its own argument definitions: shell completions and man pages.

use clap::Args;
use lakekey::Error;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Args)]
pub struct ManArgs {
    #[arg(value_name = "DIR")]
    out: PathBuf,
}

pub fn completions(args: CompletionsArgs) -> Result<ExitCode, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::command_definition(), "lakekey", &mut script);
    super::output::write_stdout(&script)?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: ManArgs) -> Result<ExitCode, Error> {
    let out = &args.out;
    std::fs::create_dir_all(out)
        .and_then(|_| clap_mangen::generate_to(super::command_definition(), out))
        .map_err(|e| Error::internal(format!("Cannot write the man pages into {}: {e}.", out.display())))?;
    Ok(ExitCode::SUCCESS)
}
