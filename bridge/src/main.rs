//! The `hive-bridge` command: parses the command line, sets up logging, and hands over to the
//! library.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let _ = hive_bridge::allocator::tune();
    let args = cli::Args::parse();
    cli::logging::init(args.log_format, args.default_log_level());
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("hive-bridge: {error:#}");
            ExitCode::from(1)
        }
    }
}
