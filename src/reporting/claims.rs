//! Claims that can never double-pay: every person a batch claims for is locked (their
//! guard row) before their HRSS training records are read — in the same transaction,
//! never from a cache — and each claim is judged by the rules its kind needs over those
//! records plus what earlier claims of the batch paid. Other departments' answers come
//! through the normal sources.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

use super::{invalid, store, Action, Options, Submission};
use crate::departments::{Department, DeptMap};
use crate::domain::hrss_training::{Subsidy, TrainingFile};
use crate::domain::reports::{FieldProblem, Problem, Report, SubsidyReport};
use crate::domain::{Archive, Section, Unavailable};
use crate::error::{HubError, Violation};
use crate::id_number::IdNumber;
use crate::policy::enforce::writes::refused_rules;
use crate::policy::enforce::Access;
use crate::screening::{self as s, ClaimError, Severity};
use crate::sources::{ArchiveLoader, Sources};

type Sections = DeptMap<Result<Arc<dyn Section>, Unavailable>>;

/// Persons read for judgement, by ID number.
pub type Read = HashMap<String, Person>;

/// A person being claimed for: their training records as of the lock, with this batch's
/// payments, and every other department's section.
pub struct Person {
    training: TrainingFile,
    others: Sections,
}

/// The batch's claimed persons: all locked before the first claim is judged, read a
/// chunk at a time as the batch reaches them, forgotten after their last claim.
#[derive(Default)]
pub struct Claims {
    persons: HashMap<String, Person>,
    /// Claims still to come per person (a person's state is kept until the last).
    remaining: HashMap<String, usize>,
}

/// The person a submission claims a subsidy for (a new or corrected subsidy).
pub fn claimed_person(s: &Submission) -> Option<String> {
    match &s.action {
        Action::File(Report::Subsidy(x))
        | Action::Correct {
            report: Report::Subsidy(x),
            ..
        } => Some(x.id_number.as_str().to_string()),
        _ => None,
    }
}

/// Takes the claim guard of every person claimed for in `ids` (one entry per claim), all
/// at once and in order, so that two batches never wait on each other crosswise.
pub async fn lock(txn: &DatabaseTransaction, ids: &[String]) -> Result<Claims, DbErr> {
    let mut remaining: HashMap<String, usize> = HashMap::new();
    for id in ids {
        *remaining.entry(id.clone()).or_default() += 1;
    }
    let mut sorted: Vec<String> = remaining.keys().cloned().collect();
    sorted.sort();
    store::lock_persons(txn, &sorted).await?;
    Ok(Claims {
        persons: HashMap::new(),
        remaining,
    })
}

/// Reads persons whose guards this batch holds: their HRSS training records on `conn`
/// (the batch's transaction, or — for persons none of whose claims the batch has applied
/// yet — a pooled connection, which then sees the same committed rows), and every other
/// department through the sources, at the same time.
pub async fn read<C: ConnectionTrait>(
    conn: &C,
    sources: &Sources,
    ids: Vec<String>,
) -> Result<HashMap<String, Person>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let parsed: Vec<IdNumber> = ids.iter().filter_map(|i| IdNumber::parse(i).ok()).collect();
    let others: Vec<Department> = Department::ALL
        .iter()
        .copied()
        .filter(|d| *d != Department::HrssTraining)
        .collect();
    let loader = ArchiveLoader::new(sources.clone());
    let (files, read) = tokio::join!(
        store::training_files(conn, &ids),
        loader.load_sections(&parsed, &others)
    );
    let mut files = files?;
    let by_dept: HashMap<Department, Result<crate::sources::DepartmentRecords, Unavailable>> =
        read.into_iter().collect();
    let mut persons = HashMap::with_capacity(parsed.len());
    for id in parsed {
        let sections = DeptMap::from_fn(|d| match by_dept.get(&d) {
            Some(Ok(records)) => records.get(&id).cloned().ok_or(Unavailable(d)),
            Some(Err(e)) => Err(*e),
            // HRSS training's section is the locked read, put in at judgement.
            None => Err(Unavailable(d)),
        });
        let training = files.remove(id.as_str()).unwrap_or_default();
        persons.insert(
            id.as_str().to_string(),
            Person {
                training,
                others: sections,
            },
        );
    }
    Ok(persons)
}

impl Claims {
    /// The locked persons among `ids` not read yet (sorted, once each).
    pub fn wanted<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let mut ids: Vec<String> = ids
            .into_iter()
            .filter(|i| !self.persons.contains_key(*i) && self.remaining.contains_key(*i))
            .cloned()
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Takes in persons read by [`read`] (a person already here stays as the batch left
    /// them: their claims so far count).
    pub fn add(&mut self, read: HashMap<String, Person>) {
        for (id, person) in read {
            self.persons.entry(id).or_insert(person);
        }
    }

    /// A claim for this person was dealt with (written or not): after their last one,
    /// their records are let go.
    pub fn done(&mut self, id_number: &str) {
        if let Some(n) = self.remaining.get_mut(id_number) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.remaining.remove(id_number);
                self.persons.remove(id_number);
            }
        }
    }

    /// Judges a claim (replacing subsidy `replacing` when it corrects one): `Ok` with the
    /// rules an authorised override paid it over (none when it passes), or why not.
    pub fn judge(
        &mut self,
        access: &Access,
        x: &SubsidyReport,
        replacing: Option<i64>,
        options: &Options,
    ) -> Result<Vec<String>, HubError> {
        let person = self
            .persons
            .get(x.id_number.as_str())
            .ok_or(HubError::Internal)?;
        let mut training = person.training.clone();
        if let Some(id) = replacing {
            training.subsidies.retain(|s| s.id != id);
        }
        let mut sections = person.others.clone();
        *sections.get_mut(Department::HrssTraining) = Ok(Arc::new(training));
        let archive = Archive::new(x.id_number.clone(), sections);
        let needed = s::claim::needed(x.kind);
        let mut regions = archive.linked_regions();
        regions.push(x.paying_county.clone());
        if let Some((rule, reason)) = refused_rules(access, &x.id_number, regions, needed)
            .into_iter()
            .next()
        {
            return Err(HubError::Forbidden {
                reason,
                field: Some(format!("ScreeningRule.{}", rule.id())),
                consumer: Some(access.consumer.name.clone()),
                purpose: Some(access.purpose.clone()),
                seen: None,
            });
        }
        let claim = s::Claim {
            kind: x.kind,
            amount_fen: x.amount_fen,
            paid_on: x.paid_on,
            paying_county: x.paying_county.clone(),
            enrolment_id: x.enrolment_id,
            certificate_id: x.certificate_id,
            employer_uscc: x.employer_uscc.clone(),
            months: x.months,
        };
        let outcome = s::check_claim(&archive, &claim).map_err(claim_error)?;
        if outcome.violations.is_empty() && outcome.unjudged.is_empty() {
            return Ok(Vec::new());
        }
        if options.override_reason.is_some() {
            let mut rules: Vec<String> = outcome
                .violations
                .iter()
                .map(|f| f.rule.id().to_string())
                .chain(outcome.unjudged.iter().map(|u| u.rule.id().to_string()))
                .collect();
            rules.sort();
            rules.dedup();
            return Ok(rules);
        }
        if !outcome.violations.is_empty() {
            return Err(HubError::RuleViolation(
                outcome
                    .violations
                    .iter()
                    .map(|f| Violation {
                        rule: f.rule.id(),
                        severity: match f.severity {
                            Severity::High => "HIGH",
                            Severity::Medium => "MEDIUM",
                            Severity::Low => "LOW",
                        },
                        explanation_zh: f.explanation.zh.clone(),
                        explanation_en: f.explanation.en.clone(),
                    })
                    .collect(),
            ));
        }
        let d = outcome
            .unjudged
            .first()
            .map_or(Department::HrssTraining, |u| u.department);
        Err(HubError::SourceUnavailable(d))
    }

    /// Counts a subsidy written in this batch as paid for the later claims.
    pub fn paid(&mut self, x: &SubsidyReport, id: i64, replacing: Option<i64>) {
        let Some(person) = self.persons.get_mut(x.id_number.as_str()) else {
            return;
        };
        let subsidies = &mut person.training.subsidies;
        if let Some(r) = replacing {
            subsidies.retain(|s| s.id != r);
        }
        subsidies.push(Subsidy {
            id,
            id_number: x.id_number.as_str().to_string(),
            kind: x.kind,
            amount_fen: x.amount_fen,
            paid_on: x.paid_on,
            paying_county: x.paying_county.clone(),
            enrolment_id: x.enrolment_id,
            certificate_id: x.certificate_id,
            employer_uscc: x.employer_uscc.clone(),
            months: x.months,
        });
    }

    /// Forgets a subsidy retracted in this batch.
    pub fn retracted(&mut self, id_number: &str, id: i64) {
        if let Some(p) = self.persons.get_mut(id_number) {
            p.training.subsidies.retain(|s| s.id != id);
        }
    }
}

fn claim_error(e: ClaimError) -> HubError {
    let p = match e {
        ClaimError::Missing(f) => FieldProblem::new(f, Problem::RequiredForKind),
        ClaimError::NotPositive(f) => FieldProblem::new(f, Problem::NotPositive),
        ClaimError::NotThePersons(f) => FieldProblem::new(f, Problem::NotThePersons),
    };
    invalid(vec![p])
}
