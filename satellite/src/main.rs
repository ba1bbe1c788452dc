//! The `hive-satellite` command: parses the command line, sets up logging, and hands over to
//! the library.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::logging::init(args.log_format);
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("hive-satellite: {error:#}");
            ExitCode::from(1)
        }
    }
}
