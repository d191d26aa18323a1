//! Who may write which report: writes are granted like reads. A department system writes
//! only for its own department (HRSS training hosts the reported records) and within its
//! region scope; a training institution — a consumer of no department — only files
//! classes, enrols and records results, for its own institution's classes; and only under
//! a purpose that allows writing. A subsidy claim also needs every rule it is judged by:
//! withheld rules refuse it before any record is read, and each rule is decided (and
//! audited) for the person like a field.

use entities::hub::ConsumerKind;

use super::context::Access;
use crate::departments::Department;
use crate::domain::reports::ReportKind;
use crate::error::ForbiddenReason;
use crate::id_number::IdNumber;
use crate::policy::catalog::SCREENING_RULE;
use crate::policy::{in_scope, FieldDecision};
use crate::screening::ScreeningRule;

/// The purpose of filing classes, enrolments, results and certificates.
pub const REPORTING: &str = "reporting";
/// The purpose of paying subsidies.
pub const SUBSIDY_PAYMENT: &str = "subsidy_payment";
/// The purpose under which a refused claim may be paid anyway, with a reason.
pub const SUBSIDY_OVERRIDE: &str = "subsidy_override";

/// Where a write lands: the region codes of the record (a class's region, the paying
/// county, …) and, for class-bound records, the institution running the class.
#[derive(Debug, Clone, Copy)]
pub struct WriteScope<'a> {
    pub regions: &'a [String],
    pub institution_uscc: Option<&'a str>,
}

/// Whether the consumer may write a report of `kind` under its declared purpose at all,
/// before anything is looked up.
pub fn may_report(access: &Access, kind: ReportKind) -> Result<(), ForbiddenReason> {
    let purpose_ok = match kind {
        ReportKind::Subsidy => {
            access.purpose == SUBSIDY_PAYMENT || access.purpose == SUBSIDY_OVERRIDE
        }
        _ => access.purpose == REPORTING,
    };
    if !purpose_ok {
        return Err(ForbiddenReason::PurposeNotAllowed);
    }
    let c = &access.consumer;
    match c.kind {
        ConsumerKind::DepartmentSystem if c.department == Some(Department::HrssTraining) => Ok(()),
        // The owner rule: another department's system writes nothing here.
        ConsumerKind::DepartmentSystem => Err(ForbiddenReason::OwnerOnly),
        ConsumerKind::TrainingInstitution => match kind {
            ReportKind::Class | ReportKind::Enrolment | ReportKind::Result => Ok(()),
            _ => Err(ForbiddenReason::ConsumerKind),
        },
        _ => Err(ForbiddenReason::ConsumerKind),
    }
}

/// Whether the consumer may write this record: within its region scope, or for a
/// training institution, its own institution's.
pub fn may_write(access: &Access, scope: WriteScope<'_>) -> Result<(), ForbiddenReason> {
    let c = &access.consumer;
    match c.kind {
        ConsumerKind::TrainingInstitution => {
            let own = c.institution_uscc.as_deref();
            if own.is_some() && own == scope.institution_uscc {
                Ok(())
            } else {
                Err(ForbiddenReason::OutOfScope)
            }
        }
        _ => {
            if c.region_scope.is_empty() || in_scope(&c.region_scope, scope.regions) {
                Ok(())
            } else {
                Err(ForbiddenReason::OutOfScope)
            }
        }
    }
}

/// Whether a refused claim may be paid on this consumer's word: only under the purpose
/// `subsidy_override`, by HRSS training's own systems.
pub fn may_override(access: &Access) -> bool {
    access.purpose == SUBSIDY_OVERRIDE
        && access.consumer.kind == ConsumerKind::DepartmentSystem
        && access.consumer.department == Some(Department::HrssTraining)
}

/// The needed rules no live grant lets this consumer see under its purpose: a claim
/// judged by them is refused before any record is read.
pub fn withheld_rules(access: &Access, rules: &[ScreeningRule]) -> Vec<ScreeningRule> {
    let snapshot = &access.snapshot;
    rules
        .iter()
        .copied()
        .filter(|r| {
            snapshot
                .catalog
                .get(SCREENING_RULE, r.id())
                // A rule missing from the catalog is a build error: fail closed.
                .is_none_or(|f| {
                    snapshot.withholds(&access.consumer, &access.purpose, f, access.time.now)
                })
        })
        .collect()
}

/// Decides each rule for the person (linked to `regions`), as a read of that person's
/// screening (audited). The rules refused for this person, with why.
pub fn refused_rules(
    access: &Access,
    person: &IdNumber,
    regions: Vec<String>,
    rules: &[ScreeningRule],
) -> Vec<(ScreeningRule, ForbiddenReason)> {
    access.set_regions(person, regions);
    let mut refused = Vec::new();
    for &rule in rules {
        let Some(field) = access.snapshot.catalog.get(SCREENING_RULE, rule.id()) else {
            refused.push((rule, ForbiddenReason::NoGrant));
            continue;
        };
        match access.decide(person, field) {
            FieldDecision::Allow => {}
            FieldDecision::Mask(_) => refused.push((rule, ForbiddenReason::Unmaskable)),
            FieldDecision::Deny(d) => refused.push((rule, d.into())),
        }
    }
    refused
}
