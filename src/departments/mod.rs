//! The department sources: which departments exist, the one [`Source`] trait every
//! department's data goes through, and the per-request dataloaders that batch ID look-ups
//! into one statement per source.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr};
use tracing::Instrument;

use crate::db::Databases;
use crate::i18n::Lang;
use crate::id_number::IdNumber;

pub mod civil_affairs;
pub mod education;
pub mod hrss_social;
pub mod hrss_training;
pub mod poverty;
pub mod trade_union;
pub mod veterans;

/// The departments that own data in the hub. The discriminant indexes [`Databases`].
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Department {
    /// 人社 职业技能培训
    HrssTraining = 0,
    /// 人社 社会保险与就业
    HrssSocial = 1,
    /// 教育体育局
    Education = 2,
    /// 民政局
    CivilAffairs = 3,
    /// 退役军人事务局
    Veterans = 4,
    /// 扶贫办 / 乡村振兴局
    Poverty = 5,
    /// 总工会
    TradeUnion = 6,
}

impl Department {
    pub const ALL: [Department; 7] = [
        Department::HrssTraining,
        Department::HrssSocial,
        Department::Education,
        Department::CivilAffairs,
        Department::Veterans,
        Department::Poverty,
        Department::TradeUnion,
    ];

    /// Config key, SQLite file name and log field.
    pub fn code(self) -> &'static str {
        match self {
            Self::HrssTraining => "hrss_training",
            Self::HrssSocial => "hrss_social",
            Self::Education => "education",
            Self::CivilAffairs => "civil_affairs",
            Self::Veterans => "veterans",
            Self::Poverty => "poverty",
            Self::TradeUnion => "trade_union",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Self::HrssTraining => lang.pick(
                "人力资源和社会保障局（职业技能培训）",
                "HRSS (vocational training)",
            ),
            Self::HrssSocial => lang.pick(
                "人力资源和社会保障局（社会保险与就业）",
                "HRSS (social insurance and employment)",
            ),
            Self::Education => lang.pick("教育和体育局", "Education bureau"),
            Self::CivilAffairs => lang.pick("民政局", "Civil affairs bureau"),
            Self::Veterans => lang.pick("退役军人事务局", "Veterans affairs bureau"),
            Self::Poverty => lang.pick("乡村振兴局（扶贫办）", "Poverty alleviation office"),
            Self::TradeUnion => lang.pick("总工会", "Federation of trade unions"),
        }
    }
}

/// A department's published data set about persons, read by ID number in batches.
///
/// Implementations issue exactly **one statement** per call, whatever the number of IDs:
/// that is what makes a `persons` batch cost one statement per source.
pub trait Source: Send + Sync + 'static {
    type Record: Clone + Send + Sync + 'static;
    /// `department.dataset`, used in spans and statement accounting.
    const NAME: &'static str;
    const DEPARTMENT: Department;

    /// All records for these ID numbers, in a stable order.
    fn fetch(
        db: &DatabaseConnection,
        ids: Vec<String>,
    ) -> impl Future<Output = Result<Vec<Self::Record>, DbErr>> + Send;

    /// The ID number a record belongs to.
    fn id_number(record: &Self::Record) -> &str;
}

/// Calls macro `$m` with every source type: the one list of sources, used for the
/// per-request dataloaders and for the existence check, so neither can miss one.
#[macro_export]
macro_rules! all_sources {
    ($m:ident) => {
        $m!(
            $crate::departments::hrss_training::TrainingSource,
            $crate::departments::hrss_training::CertificateSource,
            $crate::departments::hrss_training::SubsidySource,
            $crate::departments::hrss_social::SocialSource,
            $crate::departments::education::SchoolingSource,
            $crate::departments::civil_affairs::AssistanceSource,
            $crate::departments::veterans::VeteranSource,
            $crate::departments::poverty::PovertySource,
            $crate::departments::trade_union::UnionSource
        )
    };
}

/// Why a source could not answer. The detail stays in the log.
#[derive(Debug, Clone, thiserror::Error)]
#[error("source {department:?} unavailable")]
pub struct SourceError {
    pub department: Department,
}

/// Adapts a [`Source`] to async-graphql's dataloader and traces every call.
pub struct SourceLoader<S: Source> {
    conn: DatabaseConnection,
    _source: std::marker::PhantomData<fn() -> S>,
}

impl<S: Source> Loader<IdNumber> for SourceLoader<S> {
    type Value = Arc<Vec<S::Record>>;
    type Error = SourceError;

    async fn load(&self, keys: &[IdNumber]) -> Result<HashMap<IdNumber, Self::Value>, Self::Error> {
        let span = tracing::info_span!(
            "source",
            source = S::NAME,
            department = S::DEPARTMENT.code(),
            ids = keys.len(),
            rows = tracing::field::Empty,
        );
        let ids: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        let records = S::fetch(&self.conn, ids)
            .instrument(span.clone())
            .await
            .map_err(|e| {
                span.in_scope(|| tracing::error!(error = %e, "source query failed"));
                SourceError {
                    department: S::DEPARTMENT,
                }
            })?;
        span.record("rows", records.len());
        // Every requested key gets an entry, empty when the source has nothing, so that the
        // per-request cache answers later look-ups without another statement.
        let mut grouped: HashMap<String, Vec<S::Record>> = HashMap::with_capacity(keys.len());
        for r in records {
            grouped
                .entry(S::id_number(&r).to_owned())
                .or_default()
                .push(r);
        }
        Ok(keys
            .iter()
            .map(|k| {
                let v = grouped.remove(k.as_str()).unwrap_or_default();
                (k.clone(), Arc::new(v))
            })
            .collect())
    }
}

/// The request-scoped dataloader of one source.
pub type SourceDataLoader<S> = DataLoader<SourceLoader<S>, HashMapCache>;

pub fn dataloader<S: Source>(dbs: &Databases, max_batch: usize) -> SourceDataLoader<S> {
    DataLoader::with_cache(
        SourceLoader::<S> {
            conn: dbs.get(S::DEPARTMENT).conn.clone(),
            _source: std::marker::PhantomData,
        },
        tokio::spawn,
        HashMapCache::default(),
    )
    .max_batch_size(max_batch.max(1))
}

/// A fact valid over a date range; `None` as the end means "still valid".
pub trait TimeRanged {
    fn valid_from(&self) -> NaiveDate;
    fn valid_to(&self) -> Option<NaiveDate>;

    fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from() <= date && self.valid_to().is_none_or(|to| date <= to)
    }
}

/// Keeps the records valid on `as_of`, or all of them when no date is given.
pub fn filter_as_of<T: TimeRanged + Clone>(records: &[T], as_of: Option<NaiveDate>) -> Vec<T> {
    records
        .iter()
        .filter(|r| as_of.is_none_or(|d| r.valid_on(d)))
        .cloned()
        .collect()
}
