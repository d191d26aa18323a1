//! Synthetic data: `archive-hub seed --persons N --seed S` generates a deterministic
//! population of the four seed regions into every department's database, with planted
//! anomalies for the screening rules, and reports what it wrote.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use entities::hrss_training::{class, institution};
use sea_orm::DbErr;

use crate::db::Databases;
use crate::departments::Department;
use crate::id_number::IdNumber;

pub mod catalog;
#[cfg(test)]
mod determinism_tests;
mod generate;
mod table;
mod writer;

pub use generate::{generation_date, person_id, Regions};

/// Irregularities planted on purpose, each one a screening rule's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anomaly {
    /// More than three subsidised trainings in one year (以工代训 excluded).
    TooManySubsidisedTrainingsInYear,
    /// The same occupation at the same level subsidised twice.
    SameOccupationLevelTwice,
    /// Two offline classes at overlapping dates.
    OverlappingClasses,
    /// A training subsidy paid after the monthly pension started.
    SubsidyToPensioner,
    /// A living allowance paid to someone in no eligible group.
    LivingAllowanceOutsideEligibleGroups,
    /// 以工代训 paid for more than six months.
    WorkForTrainingOverSixMonths,
    /// One training subsidised by two counties.
    SubsidisedInTwoCounties,
    /// A subsidy paid while the person was on the credit blacklist.
    BlacklistedSubsidised,
}

impl Anomaly {
    /// The screening rule that must flag it.
    pub fn rule(self) -> crate::screening::ScreeningRule {
        use crate::screening::ScreeningRule as R;
        match self {
            Self::TooManySubsidisedTrainingsInYear => R::AnnualLimit,
            Self::SameOccupationLevelTwice => R::RepeatedOccupationLevel,
            Self::OverlappingClasses => R::OverlappingClasses,
            Self::SubsidyToPensioner => R::PensionerSubsidised,
            Self::LivingAllowanceOutsideEligibleGroups => R::LivingAllowanceIneligible,
            Self::WorkForTrainingOverSixMonths => R::WorkForTrainingOver6Months,
            Self::SubsidisedInTwoCounties => R::DuplicateSubsidy,
            Self::BlacklistedSubsidised => R::BlacklistedSubsidised,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub persons: u64,
    pub seed: u64,
    /// Persons generated and written per round (bounds memory).
    pub chunk: u64,
}

impl SeedOptions {
    pub fn new(persons: u64, seed: u64) -> Self {
        Self {
            persons,
            seed,
            chunk: 50_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("bulk copy failed: {0}")]
    Copy(#[from] sea_orm::SqlxError),
    #[error("the {0:?} database already holds data; seed only into empty databases")]
    NotEmpty(Department),
    #[error("cannot encode value {0}")]
    Unsupported(String),
    #[error("generator task failed")]
    Generator,
}

/// What a seeding run wrote.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub persons: u64,
    pub rows: BTreeMap<&'static str, u64>,
    /// Every planted person-level anomaly, with the person it was planted on.
    pub anomalies: Vec<(IdNumber, Anomaly)>,
    pub late_filed_classes: usize,
    pub institutions_outside_directory: usize,
    /// Persons with several trainings (or an anomaly), for demos and tests.
    pub samples: Vec<IdNumber>,
    pub elapsed: Duration,
}

/// True when no department holds any data yet.
pub async fn is_empty(dbs: &Databases) -> Result<bool, DbErr> {
    Ok(first_non_empty(dbs).await?.is_none())
}

async fn first_non_empty(dbs: &Databases) -> Result<Option<Department>, DbErr> {
    // Each department's probe table, from the department list.
    macro_rules! probes {
        ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
            [$( (
                Department::$variant,
                writer::is_empty::<crate::sources::sql::$module::Table>(dbs.get(Department::$variant)).await?,
            ), )*]
        };
    }
    let checks = crate::departments!(probes);
    Ok(checks.into_iter().find(|(_, empty)| !empty).map(|(d, _)| d))
}

/// Generates and writes the population. Refuses to write into non-empty databases, so a
/// re-run never mixes two populations.
pub async fn seed(dbs: &Databases, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    if let Some(d) = first_non_empty(dbs).await? {
        return Err(SeedError::NotEmpty(d));
    }
    let started = Instant::now();
    let mut report = SeedReport {
        persons: opts.persons,
        ..Default::default()
    };
    let seed = opts.seed;
    let persons = opts.persons;
    let chunk = opts.chunk.max(1);

    // Generation runs on a blocking thread, one chunk ahead of the writers.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<generate::Batch>(1);
    let (world_tx, world_rx) = tokio::sync::oneshot::channel();
    let producer = tokio::task::spawn_blocking(move || {
        let regions = Regions::new();
        let world = generate::World::generate(&regions, seed, persons as usize);
        let mut counters = generate::Counters::default();
        let classes = world.classes.clone();
        let institutions = world.institutions.clone();
        let _ = world_tx.send((
            institutions,
            classes,
            world.late_filed_classes,
            world.institutions_outside_directory,
        ));
        let mut start = 0;
        while start < persons {
            let end = (start + chunk).min(persons);
            let batch =
                generate::generate_persons(&world, &regions, seed, start..end, &mut counters);
            if tx.blocking_send(batch).is_err() {
                break;
            }
            start = end;
        }
    });

    let (institutions, classes, late, outside) =
        world_rx.await.map_err(|_| SeedError::Generator)?;
    report.late_filed_classes = late;
    report.institutions_outside_directory = outside;
    let training = dbs.get(Department::HrssTraining);
    *report.rows.entry("trn_institution").or_default() += institutions.len() as u64;
    *report.rows.entry("trn_class").or_default() += classes.len() as u64;
    writer::write::<institution::Entity>(training, institutions).await?;
    writer::write::<class::Entity>(training, classes).await?;

    // One empty stand-in per table seen, to finish each table after the last chunk.
    let mut finishers: Vec<Box<dyn table::Table>> = Vec::new();
    while let Some(b) = rx.recv().await {
        report.anomalies.extend(b.anomalies);
        if report.samples.len() < 50 {
            report.samples.extend(b.samples.into_iter().take(50));
        }
        let mut by_department: BTreeMap<Department, Vec<Box<dyn table::Table>>> = BTreeMap::new();
        for t in b.tables.into_inner() {
            *report.rows.entry(t.name()).or_default() += t.len() as u64;
            if !finishers.iter().any(|f| f.name() == t.name()) {
                finishers.push(t.empty());
            }
            by_department.entry(t.department()).or_default().push(t);
        }
        // Departments are independent databases, so they are written concurrently; one
        // department's tables one after another.
        futures::future::try_join_all(by_department.into_values().map(|tables| async move {
            for t in tables {
                t.write(dbs).await?;
            }
            Ok::<_, SeedError>(())
        }))
        .await?;
    }
    producer.await.map_err(|_| SeedError::Generator)?;

    writer::reset_sequence::<institution::Entity>(training).await?;
    writer::analyze::<institution::Entity>(training).await?;
    writer::reset_sequence::<class::Entity>(training).await?;
    writer::analyze::<class::Entity>(training).await?;
    for f in &finishers {
        f.finish(dbs).await?;
    }

    report.anomalies.sort();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// `count` ID numbers drawn evenly from a population of `persons` seeded with `seed`,
/// computed without touching any database (for load generators).
pub fn sample_ids(persons: u64, seed: u64, count: u64) -> Vec<IdNumber> {
    let regions = Regions::new();
    let step = (persons / count.max(1)).max(1);
    (0..persons)
        .step_by(step as usize)
        .take(count as usize)
        .map(|i| person_id(&regions, seed, i))
        .collect()
}
