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
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .init();
    let url = args.database_url.unwrap_or_default();
    let db = sea_orm::Database::connect(&url).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "veterans subgraph listening on /graphql");
    veterans_subgraph::serve(listener, db, args.token).await?;
    Ok(())
}
