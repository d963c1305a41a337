//! The `lakekey` command; everything it does is in the `cli` module tree.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
