//! `campus`: the studio's jobs from a terminal. Glue over the core crates: parse arguments, call
//! the core, report progress and errors.

mod bad_rows;
mod etl;
mod etl_parquet;
mod exports;
mod generate;
mod occupancy;
mod output;
mod parallel;
mod parquet;
mod spool;
mod sqlite;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Campus ETL Studio on the command line: university seed data, CSV ETL and occupancy models.
///
/// Everything the web page does, at any scale, from a terminal. Start with
/// `campus generate --seed 42 --out Create_FullDB.sql` and load the result with
/// `mysql -u root -p < Create_FullDB.sql`.
#[derive(Parser, Debug)]
#[command(
    name = "campus",
    version,
    about,
    long_about,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Generate(generate::GenerateArgs),
    Etl(etl::EtlArgs),
    #[command(subcommand)]
    Occupancy(occupancy::OccupancyCommand),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Generate(args) => generate::run(&args),
        Command::Etl(args) => etl::run(&args),
        Command::Occupancy(cmd) => occupancy::run(&cmd),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`campus generate --out - | head`) is not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
