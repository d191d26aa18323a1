//! Entry point: parses the command line and hands over to `archive_hub::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    archive_hub::cli::run(archive_hub::cli::Cli::parse()).await
}
