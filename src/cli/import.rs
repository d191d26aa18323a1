//! `archive-hub import <kind> FILE`: a county's CSV or Excel file, written as a named
//! consumer under a declared purpose — the same policy, checks, transaction and audit as
//! `POST /import/<kind>`, for staff who work on the hub's own machine.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::db::Databases;
use crate::domain::reports::ReportKind;
use crate::i18n::Lang;
use crate::policy::enforce::{declared_purpose, Access};
use crate::reporting::bulk::{import_file, ImportError, ImportResult};
use crate::reporting::import::{FileFormat, ImportLimits};
use crate::reporting::Reporter;

/// What the command was asked.
pub struct ImportArgs<'a> {
    pub kind: &'a str,
    pub file: &'a Path,
    pub consumer: &'a str,
    pub purpose: &'a str,
    pub accept_valid: bool,
    pub json: bool,
    pub lang: Lang,
}

/// Runs one import; the process exit status says how it went (0 written or nothing to
/// write, 1 rows rejected and nothing written, 2 the file or the request was refused).
pub async fn run(config: &Config, args: ImportArgs<'_>) -> anyhow::Result<i32> {
    let lang = args.lang;
    let Some(kind) = ReportKind::from_code(args.kind) else {
        bail!(
            "unknown import kind `{}` (class, enrolment, result, certificate, subsidy)",
            args.kind
        );
    };
    let name = args.file.to_string_lossy();
    let Some(format) = FileFormat::from_name(&name) else {
        bail!(
            "{}",
            lang.pick(
                "仅支持 .csv 与 .xlsx 文件",
                "only .csv and .xlsx files are accepted"
            )
        );
    };
    // The parser refuses a larger file anyway; this keeps it from being read into memory.
    let size = std::fs::metadata(args.file)
        .with_context(|| format!("reading {}", args.file.display()))?
        .len();
    let limit = ImportLimits::default().max_file_bytes;
    if size > limit as u64 {
        bail!(
            "{} is larger than {} MiB",
            args.file.display(),
            limit / (1024 * 1024)
        );
    }
    let bytes =
        std::fs::read(args.file).with_context(|| format!("reading {}", args.file.display()))?;

    if !config.policy.enabled || !config.audit.enabled {
        // Writes are granted and audited like reads: never without the policy and trail.
        bail!("imports need the access policy and the audit trail switched on");
    }
    let dbs = Databases::connect_existing(config)
        .await
        .context("connecting")?;
    crate::sources::sql::run::<migrations::HubMigrator>(dbs.hub(), true)
        .await
        .context("migrating the hub database")?;
    let sources = dbs.sources_for(config).context("opening the sources")?;
    let schema = crate::graphql::build_schema(config.limits);
    let catalog = Arc::new(crate::policy::catalog::Catalog::from_sdl(&schema.sdl())?);
    let store = crate::policy::store::PolicyStore::open(dbs.hub().clone(), catalog).await?;
    let snapshot = store.snapshot();
    let Some(consumer) = snapshot
        .consumers
        .values()
        .find(|c| c.name == args.consumer && !c.revoked)
        .cloned()
    else {
        bail!(
            "no active consumer named `{}` (see `archive-hub consumer list`)",
            args.consumer
        );
    };
    let purpose = declared_purpose(&snapshot, &consumer, Some(args.purpose))
        .map_err(|e| anyhow::anyhow!("{}", e.message(lang)))?;
    let audit = crate::open_audit(config, &dbs).await?;
    let access = Arc::new(Access::new(
        consumer,
        purpose,
        snapshot,
        format!("cli-import-{}", uuid::Uuid::new_v4()),
        lang,
        crate::clock::Clock::System.request_time(),
    ));
    let training = dbs
        .get(crate::departments::Department::HrssTraining)
        .conn
        .clone();
    // A running hub's shared (Redis) cache must drop what this import changes; an
    // in-process one is the hub's own (README: *Cache*).
    let sources = match crate::open_cache(config, Some(&audit))? {
        Some(cache) if config.cache.redis_url.is_some() => sources.invalidating(cache),
        _ => sources,
    };
    let reporter = Reporter::new(training, sources, Some(audit.clone()));
    let result = import_file(
        &reporter,
        &access,
        kind,
        format,
        &bytes,
        args.accept_valid,
        lang,
    )
    .await;
    // The rule decisions taken for claims are reads of the persons: audited too.
    let events = access.audit_events(&audit);
    if !events.is_empty() {
        audit
            .append(events)
            .await
            .context("the audit trail is unavailable")?;
    }
    audit
        .checkpoint()
        .await
        .context("sealing the audit trail")?;
    match result {
        Ok(r) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_summary(&r, lang);
            }
            Ok(if r.rejected_rows > 0 && !r.written {
                1
            } else {
                0
            })
        }
        Err(ImportError::File(e)) => {
            eprintln!(
                "{}: {} ({})",
                args.file.display(),
                e.message(lang),
                e.code()
            );
            Ok(2)
        }
        Err(ImportError::Hub(e)) => {
            eprintln!("{} ({})", e.message(lang), e.code().as_str());
            Ok(2)
        }
    }
}

fn print_summary(r: &ImportResult, lang: Lang) {
    let written = if r.written {
        lang.pick("已写入", "written")
    } else if r.rejected_rows == 0 {
        lang.pick("无新内容，未改动", "nothing new, nothing changed")
    } else {
        lang.pick("未写入", "NOT written")
    };
    match lang {
        Lang::Zh => println!(
            "{}：共 {} 行，新写入 {} 行，重复上报 {} 行，拒绝 {} 行 — {}",
            r.kind, r.rows, r.written_rows, r.replayed_rows, r.rejected_rows, written
        ),
        Lang::En => println!(
            "{}: {} rows, {} written, {} replayed, {} rejected — {}",
            r.kind, r.rows, r.written_rows, r.replayed_rows, r.rejected_rows, written
        ),
    }
    if !r.ignored_columns.is_empty() {
        println!(
            "{}: {}",
            lang.pick("未识别的列（已忽略）", "ignored columns"),
            r.ignored_columns.join(", ")
        );
    }
    const SHOWN: usize = 50;
    for row in r
        .results
        .iter()
        .filter(|x| !x.errors.is_empty())
        .take(SHOWN)
    {
        for e in &row.errors {
            let col = e.column.as_deref().or(e.field.as_deref()).unwrap_or("-");
            println!(
                "  {} {} [{}] {}: {}",
                lang.pick("第", "row"),
                row.row,
                col,
                e.code,
                e.message
            );
        }
    }
    if r.rejected_rows > SHOWN {
        println!(
            "  … {} {}",
            r.rejected_rows - SHOWN,
            lang.pick(
                "行未列出（--json 列出全部）",
                "more rejected rows (--json lists them all)"
            )
        );
    }
    if r.rejected_rows > 0 && !r.written {
        println!(
            "{}",
            lang.pick(
                "有被拒绝的行，整个文件未写入；改正后重新导入，或加 --accept-valid 只写入有效行",
                "rows were rejected, so nothing was written: fix them and import again, or pass --accept-valid to write the valid rows"
            )
        );
    }
}
