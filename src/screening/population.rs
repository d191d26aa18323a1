//! The population screening (`archive-hub screen`) and its stored results: every person
//! with an HRSS training record, streamed in ID-number order from HRSS training, every
//! other department read per batch through the same archive loader as `persons` (one call
//! per department per batch, joined in the hub), each person screened, each flag stored
//! with what the report filters on. The report reads the latest finished run.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use entities::hub::{screening_flag as flag, screening_run as run};
use futures::StreamExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::departments::{Department, DeptMap};
use crate::domain::hrss_training::{SubsidyKind, TrainingFile};
use crate::domain::{empty_section, Archive};
use crate::id_number::IdNumber;
use crate::sources::{ArchiveLoader, Sources};

use super::{screen, Flag, RecordKind, ScreeningRule, Severity};

/// What one run did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run_id: i64,
    pub persons: u64,
    pub flags: u64,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("an ID number from HRSS training does not parse")]
    BadId,
    /// A run never stores a partial result as if complete: a rule that could not be
    /// judged would look clean in the report.
    #[error("{0:?} could not be read; the run is abandoned (no partial result is stored)")]
    Unavailable(Department),
    #[error("the result writer stopped")]
    Writer,
}

/// Screens the whole population into a new run; on success the earlier runs' flags are
/// dropped (their run rows stay, with their counts).
pub async fn run(
    hub: &DatabaseConnection,
    training: &DatabaseConnection,
    sources: Sources,
    batch: u64,
    concurrency: usize,
) -> Result<RunReport, PopulationError> {
    let started = Instant::now();
    let run = run::ActiveModel {
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        persons: Set(0),
        flags: Set(0),
        ..Default::default()
    }
    .insert(hub)
    .await?;
    let loader = ArchiveLoader::new(sources);
    let (mut persons, mut flags) = (0u64, 0u64);
    // Batches are listed one after another, then loaded and screened a few at a time,
    // and written in ID order.
    let batches = futures::stream::unfold(Some(None::<String>), |after| async move {
        let after = after?;
        let next = crate::sources::sql::hrss_training::trainees_after(
            training,
            after.as_deref(),
            batch.max(1),
        )
        .await;
        match next {
            Ok(ids) if ids.is_empty() => None,
            Ok(ids) => {
                let last = ids.last().cloned();
                Some((Ok(ids), Some(last)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let screened = batches
        .map(|ids| {
            let loader = &loader;
            async move {
                let ids: Vec<IdNumber> = ids?
                    .iter()
                    .map(|i| IdNumber::parse(i).map_err(|_| PopulationError::BadId))
                    .collect::<Result<_, _>>()?;
                let archives = archives_for(loader, &ids).await?;
                // Pure CPU, a few milliseconds a batch.
                let rows: Vec<flag::ActiveModel> =
                    archives.iter().flat_map(|a| rows_of(run.id, a)).collect();
                Ok::<_, PopulationError>((ids.len() as u64, rows))
            }
        })
        .buffered(concurrency.max(1));
    // Rows are written by their own task, so that reading and screening the next
    // batches (which only progress while this loop polls them) never wait on a write.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<flag::ActiveModel>>(4);
    let writer_hub = hub.clone();
    let writer = tokio::spawn(async move {
        while let Some(rows) = rx.recv().await {
            for chunk in rows.chunks(500) {
                flag::Entity::insert_many(chunk.to_vec())
                    .exec_without_returning(&writer_hub)
                    .await?;
            }
        }
        Ok::<(), DbErr>(())
    });
    let mut screened = std::pin::pin!(screened);
    let mut failed = None;
    while let Some(next) = screened.next().await {
        let (n, rows) = match next {
            Ok(x) => x,
            Err(e) => {
                failed = Some(e);
                break;
            }
        };
        persons += n;
        flags += rows.len() as u64;
        if !rows.is_empty() && tx.send(rows).await.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer.await.map_err(|_| PopulationError::Writer)?;
    if let Some(e) = failed {
        return Err(e);
    }
    written?;
    let mut done: run::ActiveModel = run.clone().into_active_model();
    done.finished_at = Set(Some(Utc::now()));
    done.persons = Set(persons as i64);
    done.flags = Set(flags as i64);
    done.update(hub).await?;
    // Earlier runs only: a run started meanwhile keeps its rows.
    flag::Entity::delete_many()
        .filter(flag::Column::RunId.lt(run.id))
        .exec(hub)
        .await?;
    Ok(RunReport {
        run_id: run.id,
        persons,
        flags,
        elapsed: started.elapsed(),
    })
}

/// The departments read for every person: HRSS training (every rule reads it) and civil
/// affairs (its residence links a person to a region, for region scopes).
const ALWAYS: [Department; 2] = [Department::HrssTraining, Department::CivilAffairs];
/// Read for persons paid any subsidy: rules 5, 8 and 12 judge subsidies only.
const WITH_SUBSIDY: [Department; 2] = [Department::HrssSocial, Department::Credit];
/// Read for persons paid a living allowance: rule 6's eligible groups.
const WITH_ALLOWANCE: [Department; 3] = [
    Department::Poverty,
    Department::Veterans,
    Department::Education,
];

/// One batch's archives, reading each department only for the persons a rule could use
/// it for (one call per department per batch, as `persons` does); a department a person
/// could not be flagged through stands in empty. The trade union is read by no rule.
async fn archives_for(
    loader: &ArchiveLoader,
    ids: &[IdNumber],
) -> Result<Vec<Archive>, PopulationError> {
    let first = loader.load_sections(ids, &ALWAYS).await;
    if let Some((d, _)) = first.iter().find(|(_, r)| r.is_err()) {
        return Err(PopulationError::Unavailable(*d));
    }
    let training = first.iter().find_map(|(d, r)| {
        (*d == Department::HrssTraining)
            .then_some(r.as_ref().ok())
            .flatten()
    });
    let paid = |only_allowance: bool| -> Vec<IdNumber> {
        ids.iter()
            .filter(|id| {
                training
                    .and_then(|t| t.get(id))
                    .and_then(|s| s.as_any().downcast_ref::<TrainingFile>())
                    .is_some_and(|t| {
                        t.subsidies
                            .iter()
                            .any(|s| !only_allowance || s.kind == SubsidyKind::LivingAllowance)
                    })
            })
            .cloned()
            .collect()
    };
    let (with_subsidy, with_allowance) = (paid(false), paid(true));
    let (second, third) = tokio::join!(
        loader.load_sections(&with_subsidy, &WITH_SUBSIDY),
        loader.load_sections(&with_allowance, &WITH_ALLOWANCE),
    );
    let read: Vec<_> = first.into_iter().chain(second).chain(third).collect();
    if let Some((d, _)) = read.iter().find(|(_, r)| r.is_err()) {
        return Err(PopulationError::Unavailable(*d));
    }
    Ok(ids
        .iter()
        .map(|id| {
            let sections = DeptMap::from_fn(|d| match read.iter().find(|(x, _)| *x == d) {
                Some((_, Ok(records))) => match records.get(id) {
                    Some(s) => Ok(s.clone()),
                    // Not asked for this person: nothing there a rule could use.
                    None => Ok(empty_section(d)),
                },
                Some((_, Err(e))) => Err(*e),
                None => Ok(empty_section(d)),
            });
            Archive::new(id.clone(), sections)
        })
        .collect())
}

/// The stored rows of one person's flags.
fn rows_of(run_id: i64, archive: &Archive) -> Vec<flag::ActiveModel> {
    let result = screen(archive);
    if result.flags.is_empty() {
        return Vec::new();
    }
    let person_regions = spaced(archive.linked_regions());
    result
        .flags
        .iter()
        .map(|f| {
            let (regions, years) = report_keys(archive, f);
            flag::ActiveModel {
                run_id: Set(run_id),
                id_number: Set(archive.id.to_string()),
                rule: Set(f.rule.id().to_string()),
                year: Set(f.year),
                severity: Set(severity(f.severity).to_string()),
                flag_regions: Set(spaced(regions)),
                years: Set(spaced(years.into_iter().map(|y| y.to_string()).collect())),
                person_regions: Set(person_regions.clone()),
                ..Default::default()
            }
        })
        .collect()
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
    }
}

/// ` a b c `: a value `x` matches with `LIKE '% x %'`, a prefix `p` with `LIKE '% p%'`.
fn spaced(mut items: Vec<String>) -> String {
    items.sort();
    items.dedup();
    format!(" {} ", items.join(" "))
}

/// What the report's `region` and `year` match for one flag: the ID's region and the
/// paying counties of its subsidies (without a subsidy, its classes' regions); its year,
/// or its subsidies' payment years (without a subsidy, its classes' start years).
pub fn report_keys(archive: &Archive, f: &Flag) -> (Vec<String>, Vec<i32>) {
    let mut regions = vec![archive.id.region_code().to_string()];
    let mut years = Vec::new();
    let training = archive.section::<TrainingFile>().ok();
    let ids = |kind: RecordKind| {
        f.evidence
            .iter()
            .filter(move |e| e.record == kind)
            .filter_map(|e| e.id)
    };
    let subsidies: Vec<_> = training
        .map(|t| {
            ids(RecordKind::Subsidy)
                .filter_map(|id| t.subsidies.iter().find(|s| s.id == id))
                .collect()
        })
        .unwrap_or_default();
    if subsidies.is_empty() {
        let classes: Vec<_> = training
            .map(|t| {
                ids(RecordKind::Class)
                    .filter_map(|id| {
                        t.trainings
                            .iter()
                            .filter_map(|tr| tr.class.as_ref())
                            .find(|c| c.id == id)
                    })
                    .collect()
            })
            .unwrap_or_default();
        regions.extend(classes.iter().map(|c| c.region_code.clone()));
        years.extend(classes.iter().map(|c| c.start_date.year()));
    } else {
        regions.extend(subsidies.iter().map(|s| s.paying_county.clone()));
        years.extend(subsidies.iter().map(|s| s.paid_on.year()));
    }
    if let Some(y) = f.year {
        years = vec![y];
    }
    years.sort_unstable();
    years.dedup();
    (regions, years)
}

/// The latest finished run.
pub async fn latest_run(hub: &DatabaseConnection) -> Result<Option<run::Model>, DbErr> {
    run::Entity::find()
        .filter(run::Column::FinishedAt.is_not_null())
        .order_by_desc(run::Column::Id)
        .one(hub)
        .await
}

/// Which flags a report may list: per visible rule, the region prefixes its grant is
/// limited to (`None`: any); the consumer's own region scope; the caller's filters.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub rules: Vec<(ScreeningRule, Option<Vec<String>>)>,
    pub consumer_scope: Vec<String>,
    pub region: Option<String>,
    pub year: Option<i32>,
}

fn like_any(col: flag::Column, prefixes: &[String]) -> Condition {
    prefixes
        .iter()
        .fold(Condition::any(), |c, p| c.add(col.like(format!("% {p}%"))))
}

fn condition(run_id: i64, f: &ReportFilter) -> Condition {
    let rules = f.rules.iter().fold(Condition::any(), |c, (rule, scope)| {
        let mut one = Condition::all().add(flag::Column::Rule.eq(rule.id()));
        if let Some(scope) = scope {
            one = one.add(like_any(flag::Column::PersonRegions, scope));
        }
        c.add(one)
    });
    let mut all = Condition::all()
        .add(flag::Column::RunId.eq(run_id))
        // No visible rule: nothing to list (an empty `any` would match everything).
        .add(if f.rules.is_empty() {
            Condition::all().add(flag::Column::Id.lt(0))
        } else {
            rules
        });
    if !f.consumer_scope.is_empty() {
        all = all.add(like_any(flag::Column::PersonRegions, &f.consumer_scope));
    }
    if let Some(r) = &f.region {
        all = all.add(flag::Column::FlagRegions.like(format!("% {r}%")));
    }
    if let Some(y) = f.year {
        all = all.add(flag::Column::Years.like(format!("% {y} %")));
    }
    all
}

/// One page of flags after the row `after`, and whether more follow.
pub async fn page(
    hub: &DatabaseConnection,
    run_id: i64,
    f: &ReportFilter,
    first: u64,
    after: Option<i64>,
) -> Result<(Vec<flag::Model>, bool), DbErr> {
    let mut q = flag::Entity::find().filter(condition(run_id, f));
    if let Some(a) = after {
        q = q.filter(flag::Column::Id.gt(a));
    }
    let mut rows = q
        .order_by_asc(flag::Column::Id)
        .limit(first + 1)
        .all(hub)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// Flags per rule under the same filters (one grouped count), every visible rule listed.
pub async fn counts(
    hub: &DatabaseConnection,
    run_id: i64,
    f: &ReportFilter,
) -> Result<Vec<(ScreeningRule, u64)>, DbErr> {
    let found: Vec<(String, i64)> = flag::Entity::find()
        .select_only()
        .column(flag::Column::Rule)
        .column_as(flag::Column::Id.count(), "n")
        .filter(condition(run_id, f))
        .group_by(flag::Column::Rule)
        .into_tuple()
        .all(hub)
        .await?;
    Ok(f.rules
        .iter()
        .map(|(rule, _)| {
            let n = found
                .iter()
                .find(|(r, _)| r == rule.id())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            (*rule, n)
        })
        .collect())
}
