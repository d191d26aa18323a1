//! Entry point: parses the command line and hands over to `archive_hub::cli`.

use clap::Parser;

// glibc's allocator spent a fifth of a claim import in malloc/free bookkeeping
// (`malloc_consolidate`, `unlink_chunk`) over many small, short-lived strings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    archive_hub::cli::run(archive_hub::cli::Cli::parse()).await
}
