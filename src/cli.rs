//! Command-line interface: `serve`, `demo`, `migrate`, `seed`, `schema`, `sample-ids`,
//! `import` and the policy, consumer and audit commands.

mod demo;
mod import;

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
    /// Screen the whole population (every person with an HRSS training record) and store
    /// the flags for `screeningReport`.
    Screen {
        /// Persons read per batch (one call per department per batch).
        #[arg(long, default_value_t = 1000)]
        batch: u64,
        /// Batches read at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
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
    /// Manage consumer systems and their keys.
    Consumer {
        #[command(subcommand)]
        action: ConsumerAction,
    },
    /// Validate or apply a policy file (purposes, consumers, grants).
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Print the field catalog (政务信息资源目录).
    Catalog {
        #[arg(long, value_enum, default_value_t = CatalogFormat::Markdown)]
        format: CatalogFormat,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Import a county's or institution's CSV/Excel file (`kind`: class, enrolment, result,
    /// certificate, subsidy) as a registered consumer under a declared purpose.
    Import {
        kind: String,
        file: PathBuf,
        /// The consumer the rows are reported as (its name, as `consumer list` shows).
        #[arg(long)]
        consumer: String,
        /// The purpose declared for the import (`reporting`, `subsidy_payment`).
        #[arg(long)]
        purpose: String,
        /// Write the valid rows even when others are rejected.
        #[arg(long)]
        accept_valid: bool,
        /// Print the whole result (every row) as JSON.
        #[arg(long)]
        json: bool,
        /// Messages in `zh` (default) or `en`.
        #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
    },
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

#[derive(Subcommand, Debug)]
pub enum ConsumerAction {
    /// Register a consumer; its key is printed once.
    Add {
        #[arg(long)]
        name: String,
        /// DEPARTMENT_SYSTEM, TRAINING_INSTITUTION, AUDITOR, CITIZEN_PORTAL, ANALYST or
        /// HUB_ADMIN
        #[arg(long)]
        kind: String,
        /// Owning department code (hrss_training, education, …) for department systems.
        #[arg(long)]
        department: Option<String>,
        /// Comma-separated GB/T 2260 prefixes, e.g. 3715,371522.
        #[arg(long, default_value = "")]
        regions: String,
        /// Comma-separated registered purpose codes.
        #[arg(long)]
        purposes: String,
        /// Citizen portals: the ID number the consumer is bound to.
        #[arg(long)]
        bind_id_number: Option<String>,
        /// Training institutions: the USCC of the institution the consumer reports for.
        #[arg(long)]
        institution: Option<String>,
    },
    List,
    /// Revoke a consumer's key (takes effect at the next policy reload).
    Revoke {
        id: i64,
    },
    /// Issue a new key, printed once; the old one stops working.
    Rotate {
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyAction {
    /// Check a policy file against the field catalog without applying it.
    Check { file: PathBuf },
    /// Apply a policy file; new consumers' keys are printed once.
    Apply { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Check the whole trail: contiguity, hashes, links, signed heads and checkpoints, and
    /// agreement with every witness (default: the configured witness file, if present).
    Verify {
        /// A witness file (JSON lines of signed heads); may be given several times.
        #[arg(long)]
        witness: Vec<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum CatalogFormat {
    Csv,
    Markdown,
}

fn catalog() -> anyhow::Result<crate::policy::catalog::Catalog> {
    Ok(crate::policy::catalog::Catalog::from_sdl(
        &crate::graphql::sdl(),
    )?)
}

async fn hub_dbs(config: &Config) -> anyhow::Result<Databases> {
    let dbs = Databases::connect(config).await.context("connecting")?;
    dbs.migrate().await.context("migrating")?;
    Ok(dbs)
}

/// Applies a policy file; bound citizen portals get the audit subject of their ID number.
pub async fn apply_policy(
    config: &Config,
    dbs: &Databases,
    file: &std::path::Path,
) -> anyhow::Result<Vec<(String, String)>> {
    let policy = crate::policy::file::PolicyFile::read(file)?;
    apply_policy_file(config, dbs, policy).await
}

/// Applies a parsed policy.
async fn apply_policy_file(
    config: &Config,
    dbs: &Databases,
    policy: crate::policy::file::PolicyFile,
) -> anyhow::Result<Vec<(String, String)>> {
    let catalog = catalog()?;
    let subject = |id: &str| {
        subject_for(config, id)
            .map_err(|e| crate::policy::store::PolicyError::Invalid(e.to_string()))
    };
    Ok(policy.apply(dbs.hub(), &catalog, subject).await?)
}

/// Each demo consumer's registered purposes.
async fn dbs_consumers(app: &Application) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    Ok(crate::policy::store::list_consumers(app.state().dbs.hub())
        .await?
        .into_iter()
        .filter(|c| c.revoked_at.is_none())
        .map(|c| {
            let purposes = c.purposes.split(',').map(String::from).collect();
            (c.name, purposes)
        })
        .collect())
}

/// What to paste into GraphiQL's Headers editor, per consumer whose key is known now.
fn print_graphiql_headers(
    consumers: &[(String, Vec<String>)],
    keys: &[(String, String)],
    addr: std::net::SocketAddr,
) {
    println!();
    println!("GraphiQL: open http://{addr}/graphql and paste one consumer's headers into Headers:");
    if keys.is_empty() {
        println!("  (keys were shown when the demo first ran; `archive-hub consumer rotate <id>` issues a new one)");
    }
    for (name, key) in keys {
        let Some((_, purposes)) = consumers.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let headers = serde_json::json!({
            "Authorization": format!("Bearer {key}"),
            "X-Purpose": purposes.first().map(String::as_str).unwrap_or_default(),
        });
        println!("  {name:<32} {headers}");
    }
}

fn print_keys(keys: &[(String, String)]) {
    if keys.is_empty() {
        return;
    }
    println!("new consumer keys (shown once; store them now):");
    for (name, key) in keys {
        println!("  {name:<32} {key}");
    }
}

/// Runs one command with `config`, loaded from `cli.config` by the caller (the binary
/// applies the allocator setting before its runtime starts).
pub async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::Catalog { format } => {
            let c = catalog()?;
            match format {
                CatalogFormat::Csv => print!("{}", c.to_csv()),
                CatalogFormat::Markdown => print!("{}", c.to_markdown()),
            }
            Ok(())
        }
        Command::Policy { action } => {
            telemetry::init(&config.log);
            match action {
                PolicyAction::Check { file } => {
                    crate::policy::file::PolicyFile::read(&file)?.validate(&catalog()?)?;
                    println!("{}: ok", file.display());
                }
                PolicyAction::Apply { file } => {
                    let dbs = hub_dbs(&config).await?;
                    let keys = apply_policy(&config, &dbs, &file).await?;
                    print_keys(&keys);
                    println!("{}: applied", file.display());
                }
            }
            Ok(())
        }
        Command::Consumer { action } => {
            telemetry::init(&config.log);
            let dbs = hub_dbs(&config).await?;
            consumer_command(&config, &dbs, action).await
        }
        Command::Audit {
            action: AuditAction::Verify { witness },
        } => {
            telemetry::init(&config.log);
            let dbs = hub_dbs(&config).await?;
            // Verification never creates keys: a missing key is a failure that says so.
            let keys = match crate::audit::AuditKeys::load_existing(
                &config.subject_key_file(),
                &config.signing_key_file(),
            ) {
                Ok(k) => k,
                Err(e) => {
                    println!("audit trail CANNOT BE VERIFIED: {e}");
                    std::process::exit(2);
                }
            };
            let mut files = witness.clone();
            if files.is_empty() && config.witness_file().exists() {
                files.push(config.witness_file());
            }
            let mut witnessed = Vec::new();
            for f in &files {
                match crate::audit::witness::read_file(f) {
                    Ok(records) => witnessed.extend(records),
                    Err(e) => {
                        println!("audit trail CANNOT BE VERIFIED: {e}");
                        std::process::exit(2);
                    }
                }
            }
            let report = crate::audit::verify(dbs.hub(), &keys.verifying_key(), &witnessed).await?;
            match report.first_bad {
                None => {
                    println!(
                        "audit trail OK: {} events, {} checkpoints, {} witnessed heads",
                        report.events,
                        report.checkpoints,
                        witnessed.len()
                    );
                    Ok(())
                }
                Some((seq, why)) => {
                    println!("audit trail BROKEN at seq {seq}: {why}");
                    std::process::exit(2);
                }
            }
        }
        Command::Import {
            kind,
            file,
            consumer,
            purpose,
            accept_valid,
            json,
            lang,
        } => {
            telemetry::init(&config.log);
            let args = import::ImportArgs {
                kind: &kind,
                file: &file,
                consumer: &consumer,
                purpose: &purpose,
                accept_valid,
                json,
                lang: if lang == "en" {
                    crate::i18n::Lang::En
                } else {
                    crate::i18n::Lang::Zh
                },
            };
            let status = import::run(&config.for_batch(), args).await?;
            if status != 0 {
                std::process::exit(status);
            }
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
            let config = config.for_batch();
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
            let config = config.for_batch();
            let dbs = Databases::connect(&config).await.context("connecting")?;
            dbs.migrate().await.context("migrating")?;
            let report = seed::seed(&dbs, &SeedOptions::new(persons, seed)).await?;
            print_report(&report);
            Ok(())
        }
        Command::Screen { batch, concurrency } => {
            telemetry::init(&config.log);
            let config = config.for_batch();
            let dbs = Databases::connect_existing(&config)
                .await
                .context("connecting")?;
            // The hub's own tables (the results) may need this release's migration.
            crate::sources::sql::run::<migrations::HubMigrator>(dbs.hub(), true)
                .await
                .context("migrating the hub database")?;
            let sources = dbs.sources_for(&config).context("opening the sources")?;
            let report = crate::screening::population::run(
                dbs.hub(),
                &dbs.get(crate::departments::Department::HrssTraining).conn,
                sources,
                batch,
                concurrency,
            )
            .await?;
            println!(
                "screening run {}: {} persons, {} flags in {:.1}s",
                report.run_id,
                report.persons,
                report.flags,
                report.elapsed.as_secs_f64()
            );
            Ok(())
        }
        Command::Serve => {
            // A service's logs go to a collector: JSON lines unless configured otherwise.
            telemetry::init_with(&config.log, true);
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
            let mut new_keys = Vec::new();
            if config.policy.enabled
                && crate::policy::store::list_consumers(dbs.hub())
                    .await?
                    .is_empty()
            {
                // The configured bootstrap file, else the demo policy built into the binary
                // (so that the demo runs from any directory).
                let (keys, origin) = match config.policy.bootstrap_file.clone() {
                    Some(file) => (
                        apply_policy(&config, &dbs, &file).await?,
                        file.display().to_string(),
                    ),
                    None => {
                        let demo = crate::policy::file::PolicyFile::parse(
                            crate::policy::file::DEMO_POLICY,
                            "policy/demo.toml (built in)",
                        )?;
                        let mut keys = apply_policy_file(&config, &dbs, demo).await?;
                        if let Some((name, key, inst)) = demo::register_institution(&dbs).await? {
                            println!(
                                "{name}: 培训机构 / training institution {} ({})",
                                inst.name, inst.uscc
                            );
                            keys.push((name, key));
                        }
                        (keys, "policy/demo.toml (built in)".to_string())
                    }
                };
                println!();
                println!("demo policy applied from {origin}");
                print_keys(&keys);
                new_keys = keys;
            }
            let veterans = demo::serve_veterans_subgraph(&mut config).await?;
            let app = Application::build_with(config, dbs).await?;
            let addr = app.local_addr()?;
            println!();
            println!("archive-hub demo: GraphQL + GraphiQL at http://{addr}/graphql");
            if let Some(url) = veterans {
                println!("veterans affairs' own subgraph (退役军人事务局子图) at {url}: the hub reads veterans through it");
            }
            println!("sample ID numbers:");
            for id in samples.iter().take(5) {
                println!("  {id}");
            }
            // One person registered in each scoped demo consumer's region, so that every
            // demo consumer can be tried.
            let pool = seed::sample_ids(persons, seed, persons.min(5000));
            for (consumer, prefix) in [
                ("liaocheng-hrss-subsidy-review", "3715"),
                ("shenxian-civil-affairs", "371522"),
                ("jinan-veterans", "3701"),
            ] {
                if let Some(id) = pool.iter().find(|id| id.region_code().starts_with(prefix)) {
                    println!("  {id}  (in {prefix}: try it as {consumer})");
                }
            }
            if let Some(id) = samples.first() {
                println!();
                println!("try: {{ person(idNumber: \"{id}\") {{ identity {{ age region {{ fullName }} }} trainings {{ result class {{ occupationName level startDate }} }} subsidies {{ kind amountFen paidOn }} }} }}");
            }
            println!("send: Authorization: Bearer <key> and X-Purpose: <purpose> (see README)");
            print_graphiql_headers(&dbs_consumers(&app).await?, &new_keys, addr);
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

async fn consumer_command(
    config: &Config,
    dbs: &Databases,
    action: ConsumerAction,
) -> anyhow::Result<()> {
    use crate::policy::store;
    match action {
        ConsumerAction::Add {
            name,
            kind,
            department,
            regions,
            purposes,
            bind_id_number,
            institution,
        } => {
            let bound_subject = match bind_id_number {
                Some(id) => Some(subject_for(config, &id)?),
                None => None,
            };
            let (id, key) = store::add_consumer(
                dbs.hub(),
                store::NewConsumer {
                    name,
                    kind: crate::policy::file::parse_kind(&kind)?,
                    department,
                    regions: store::split_list(&regions),
                    purposes: store::split_list(&purposes),
                    bound_subject,
                    institution_uscc: institution,
                },
            )
            .await?;
            println!("consumer {id} added; key (shown once): {key}");
        }
        ConsumerAction::List => {
            for c in store::list_consumers(dbs.hub()).await? {
                println!(
                    "{:>4}  {:<32} {:<18} dept={:<14} regions={:<12} purposes={} key=ahk_{}_…{}",
                    c.id,
                    c.name,
                    sea_orm::ActiveEnum::to_value(&c.kind),
                    c.department.unwrap_or_default(),
                    c.region_scope,
                    c.purposes,
                    c.key_id,
                    if c.revoked_at.is_some() {
                        " REVOKED"
                    } else {
                        ""
                    }
                );
            }
        }
        ConsumerAction::Revoke { id } => {
            store::revoke_consumer(dbs.hub(), id).await?;
            println!("consumer {id} revoked");
        }
        ConsumerAction::Rotate { id } => {
            let key = store::rotate_consumer(dbs.hub(), id).await?;
            println!("consumer {id}: new key (shown once): {key}");
        }
    }
    Ok(())
}

/// The audit subject (keyed hash) of an ID number, under this hub's subject key.
fn subject_for(config: &Config, id: &str) -> anyhow::Result<String> {
    let keys = crate::audit::AuditKeys::load_or_create(
        &config.subject_key_file(),
        &config.signing_key_file(),
    )?;
    let id = crate::id_number::IdNumber::parse(id)
        .map_err(|e| anyhow::anyhow!(e.message(crate::i18n::Lang::En)))?;
    Ok(crate::audit::subject_hash(&keys.subject_key, id.as_str()))
}
