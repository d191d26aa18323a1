//! `veterans-subgraph`: serves veterans affairs' tables as an Apollo Federation v2
//! subgraph — what the bureau runs for the hub (and any gateway) to read.

use clap::Parser;

/// Veterans affairs' Federation subgraph.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The veterans database (`sqlite://…`, `postgres://…`, `mysql://…`).
    #[arg(long, required_unless_present = "print_sdl")]
    database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4001")]
    listen: String,
    /// Require `Authorization: Bearer <token>` on every request.
    #[arg(long)]
    token: Option<String>,
    /// Log filter (tracing's `EnvFilter` syntax), to standard error.
    #[arg(long, default_value = "info")]
    log: String,
    /// Connections to the veterans database.
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
    /// Print the subgraph SDL and exit.
    #[arg(long)]
    print_sdl: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.print_sdl {
        print!("{}", veterans_subgraph::sdl());
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&args.log))
        .with_writer(std::io::stderr)
        .init();
    let url = args.database_url.unwrap_or_default();
    let mut opts = sea_orm::ConnectOptions::new(url);
    // Statements are not logged one by one: at load that is most of the work.
    opts.sqlx_logging(false)
        .max_connections(args.max_connections);
    let db = sea_orm::Database::connect(opts).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "veterans subgraph listening on /graphql");
    veterans_subgraph::serve(listener, db, args.token).await?;
    Ok(())
}
