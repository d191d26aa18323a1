//! Entry point: parses the command line, loads the configuration, sets the allocator up
//! and hands over to `archive_hub::cli`.

use std::os::raw::c_long;

use archive_hub::cli::Cli;
use archive_hub::config::Config;
use clap::Parser;

// glibc's allocator spent a fifth of a claim import in malloc/free bookkeeping
// (`malloc_consolidate`, `unlink_chunk`) over many small, short-lived strings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    set_purge_delay(config.server.allocator_purge_delay_ms);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(archive_hub::cli::run(cli, config))
}

/// `mi_option_purge_delay` in the `mi_option_e` enum of the pinned mimalloc (libmimalloc-sys
/// 0.1.49, `c_src/mimalloc/v3/include/mimalloc.h`), which the crate does not export.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// `server.allocator_purge_delay_ms`: how long mimalloc keeps freed pages. Its options are
/// read from the environment only (`MIMALLOC_PURGE_DELAY`), which a service's config
/// should not depend on; this is the one `unsafe` in the workspace.
#[allow(unsafe_code)]
fn set_purge_delay(ms: u32) {
    let ms = c_long::from(ms);
    // SAFETY: `mi_option_set` stores one integer in mimalloc's option table; any value is
    // valid for this option. It runs before the runtime starts, so no other thread reads
    // the table while it is written.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}
