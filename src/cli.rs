//! Command-line interface: `serve`, `demo`, `migrate`, `seed`, `schema`, `sample-ids`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::Databases;
use crate::seed::{self, SeedOptions};
use crate::{telemetry, Application};

#[derive(Parser, Debug)]
#[command(
    name = "archive-hub",
    version,
    about = "终身职业技能培训电子档案 data-sharing hub"
)]
pub struct Cli {
    /// Configuration file (TOML). Defaults to ./archive-hub.toml when present.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve GraphQL against the configured department databases.
    Serve,
    /// One-command demo: embedded SQLite under ./data, migrated, seeded when empty, served.
    Demo {
        /// Persons to generate when the databases are empty.
        #[arg(long, default_value_t = 20_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Apply every department's migrations (or roll them back with --down).
    Migrate {
        #[arg(long)]
        down: bool,
    },
    /// Generate a deterministic synthetic population into empty databases.
    Seed {
        #[arg(long)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print ID numbers of a seeded population, one per line (for load generators).
    SampleIds {
        #[arg(long)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 10_000)]
        count: u64,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::SampleIds {
            persons,
            seed,
            count,
        } => {
            for id in seed::sample_ids(persons, seed, count) {
                println!("{id}");
            }
            Ok(())
        }
        Command::Migrate { down } => {
            telemetry::init(&config.log);
            let dbs = Databases::connect(&config).await.context("connecting")?;
            if down {
                dbs.migrate_down().await.context("rolling back")?;
            } else {
                dbs.migrate().await.context("migrating")?;
            }
            tracing::info!(down, "migrations done");
            Ok(())
        }
        Command::Seed { persons, seed } => {
            telemetry::init(&config.log);
            let dbs = Databases::connect(&config).await.context("connecting")?;
            dbs.migrate().await.context("migrating")?;
            let report = seed::seed(&dbs, &SeedOptions::new(persons, seed)).await?;
            print_report(&report);
            Ok(())
        }
        Command::Serve => {
            telemetry::init(&config.log);
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.local_addr()?, "serving");
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Demo {
            persons,
            seed,
            port,
        } => {
            config.server.port = port;
            telemetry::init(&config.log);
            let dbs = Databases::connect(&config)
                .await
                .context("opening ./data")?;
            dbs.migrate().await.context("migrating")?;
            let samples = if seed::is_empty(&dbs).await? {
                println!("正在生成 {persons} 人的演示数据 / seeding {persons} demo persons …");
                let report = seed::seed(&dbs, &SeedOptions::new(persons, seed)).await?;
                print_report(&report);
                report.samples
            } else {
                seed::sample_ids(persons, seed, 5)
            };
            let app = Application::build_with(config, dbs).await?;
            let addr = app.local_addr()?;
            println!();
            println!("archive-hub demo: GraphQL + GraphiQL at http://{addr}/graphql");
            println!("sample ID numbers:");
            for id in samples.iter().take(5) {
                println!("  {id}");
            }
            if let Some(id) = samples.first() {
                println!();
                println!("try: {{ person(idNumber: \"{id}\") {{ identity {{ age region {{ fullName }} }} trainings {{ result class {{ occupationName level startDate }} }} subsidies {{ kind amountFen paidOn }} }} }}");
            }
            app.run_until_stopped().await?;
            Ok(())
        }
    }
}

fn print_report(r: &seed::SeedReport) {
    println!(
        "seeded {} persons in {:.1}s",
        r.persons,
        r.elapsed.as_secs_f64()
    );
    for (table, n) in &r.rows {
        println!("  {table:<22} {n:>10}");
    }
    let mut counts = std::collections::BTreeMap::new();
    for (_, a) in &r.anomalies {
        *counts.entry(format!("{a:?}")).or_insert(0u64) += 1;
    }
    println!("planted anomalies:");
    for (a, n) in counts {
        println!("  {a:<40} {n:>8}");
    }
    println!(
        "  classes filed after opening              {:>8}",
        r.late_filed_classes
    );
    println!(
        "  institutions outside the directory       {:>8}",
        r.institutions_outside_directory
    );
}
