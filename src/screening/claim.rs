//! The claim pre-check: every rule a subsidy of this kind needs, run over the archive as
//! if the claim had been paid; the flags whose evidence includes the claimed subsidy are
//! its violations. Nothing is written.

use chrono::NaiveDate;

use crate::departments::Department;
use crate::domain::hrss_training::{Subsidy, SubsidyKind, TrainingFile};
use crate::domain::Archive;

use super::{screen_rules, Evidence, Flag, RecordKind, ScreeningRule, Unjudged, CLAIMED};

/// A subsidy about to be paid.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub kind: SubsidyKind,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub paying_county: String,
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    pub employer_uscc: Option<String>,
    pub months: Option<i32>,
}

pub use crate::error::ClaimError;

/// What the check found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimOutcome {
    /// The rules this kind of claim needs.
    pub needed: Vec<ScreeningRule>,
    /// Flags that rest on the claimed subsidy.
    pub violations: Vec<Flag>,
    /// Needed rules that could not be judged.
    pub unjudged: Vec<Unjudged>,
}

/// The rules a claim of `kind` needs.
pub fn needed(kind: SubsidyKind) -> &'static [ScreeningRule] {
    use ScreeningRule as R;
    match kind {
        SubsidyKind::Training => &[
            R::AnnualLimit,
            R::RepeatedOccupationLevel,
            R::LowerLevelAfterHigher,
            R::OverlappingClasses,
            R::PensionerSubsidised,
            R::ClassFiledLate,
            R::InstitutionNotApproved,
            R::DuplicateSubsidy,
            R::BlacklistedSubsidised,
        ],
        SubsidyKind::SkillAssessment => &[
            R::OverlappingClasses,
            R::PensionerSubsidised,
            R::ClassFiledLate,
            R::InstitutionNotApproved,
            R::DuplicateSubsidy,
            R::BlacklistedSubsidised,
        ],
        SubsidyKind::LivingAllowance => &[
            R::OverlappingClasses,
            R::PensionerSubsidised,
            R::LivingAllowanceIneligible,
            R::ClassFiledLate,
            R::InstitutionNotApproved,
            R::DuplicateSubsidy,
            R::BlacklistedSubsidised,
        ],
        SubsidyKind::WorkForTraining => &[
            R::WorkForTrainingOver6Months,
            R::WorkForTrainingNotNewHire,
            R::ClassFiledLate,
            R::InstitutionNotApproved,
            R::BlacklistedSubsidised,
        ],
    }
}

/// The claim's own shape: what its kind requires.
pub fn validate(claim: &Claim) -> Result<(), ClaimError> {
    if claim.amount_fen <= 0 {
        return Err(ClaimError::NotPositive("amountFen"));
    }
    match claim.kind {
        SubsidyKind::WorkForTraining => {
            if claim
                .employer_uscc
                .as_deref()
                .is_none_or(|e| e.trim().is_empty())
            {
                return Err(ClaimError::Missing("employerUscc"));
            }
            match claim.months {
                None => return Err(ClaimError::Missing("months")),
                Some(m) if m <= 0 => return Err(ClaimError::NotPositive("months")),
                Some(_) => {}
            }
        }
        _ => {
            if claim.enrolment_id.is_none() && claim.certificate_id.is_none() {
                return Err(ClaimError::Missing("enrolmentId"));
            }
        }
    }
    Ok(())
}

/// Checks `claim` for the person of `archive`.
pub fn check_claim(archive: &Archive, claim: &Claim) -> Result<ClaimOutcome, ClaimError> {
    validate(claim)?;
    let needed = needed(claim.kind).to_vec();
    let Ok(training) = archive.section::<TrainingFile>() else {
        // The claim cannot even be matched to the person's trainings.
        let unjudged = needed
            .iter()
            .map(|&rule| Unjudged {
                rule,
                department: Department::HrssTraining,
            })
            .collect();
        return Ok(ClaimOutcome {
            needed,
            violations: Vec::new(),
            unjudged,
        });
    };
    if let Some(e) = claim.enrolment_id {
        if !training.trainings.iter().any(|t| t.enrolment_id == e) {
            return Err(ClaimError::NotThePersons("enrolmentId"));
        }
    }
    if let Some(c) = claim.certificate_id {
        if !training.certificates.iter().any(|x| x.id == c) {
            return Err(ClaimError::NotThePersons("certificateId"));
        }
    }
    let mut with_claim = training.clone();
    with_claim.subsidies.push(Subsidy {
        id: CLAIMED,
        id_number: archive.id.to_string(),
        kind: claim.kind,
        amount_fen: claim.amount_fen,
        paid_on: claim.paid_on,
        paying_county: claim.paying_county.clone(),
        enrolment_id: claim.enrolment_id,
        certificate_id: claim.certificate_id,
        employer_uscc: claim.employer_uscc.clone(),
        months: claim.months,
    });
    let screening = screen_rules(&archive.with_section(with_claim), &needed);
    let claimed = Evidence {
        department: Department::HrssTraining,
        record: RecordKind::Subsidy,
        id: None,
    };
    Ok(ClaimOutcome {
        needed,
        violations: screening
            .flags
            .into_iter()
            .filter(|f| f.evidence.contains(&claimed))
            .collect(),
        unjudged: screening.unjudged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hrss_training::SkillLevel as L;
    use crate::screening::rules::testkit::{class, d, Person};

    fn claim(kind: SubsidyKind, enrolment: i64, on: &str) -> Claim {
        Claim {
            kind,
            amount_fen: 80_000,
            paid_on: d(on),
            paying_county: "371502".into(),
            enrolment_id: Some(enrolment),
            certificate_id: None,
            employer_uscc: None,
            months: None,
        }
    }

    /// Four subsidised trainings in 2024 (already over the limit) and a fifth enrolment.
    fn over_the_limit() -> Person {
        let mut p = Person::default();
        for i in 1..=5 {
            let start = format!("2024-0{i}-01");
            p.enrol(i, class(i, &format!("40{i}"), L::Level5, &start, &start));
            if i <= 4 {
                p.subsidy(100 + i, SubsidyKind::Training, &start, Some(i));
            }
        }
        p
    }

    #[test]
    fn a_claim_that_breaks_a_limit_already_broken_is_refused() {
        let p = over_the_limit();
        let out =
            check_claim(&p.archive(), &claim(SubsidyKind::Training, 5, "2024-06-01")).unwrap();
        assert_eq!(out.violations.len(), 1);
        assert_eq!(out.violations[0].rule, ScreeningRule::AnnualLimit);
        assert!(out.violations[0].evidence.iter().any(|e| e.id.is_none()));
    }

    #[test]
    fn an_old_flag_on_another_training_does_not_block() {
        let mut p = over_the_limit();
        p.enrol(9, class(9, "499", L::Level5, "2025-03-01", "2025-03-20"));
        let out =
            check_claim(&p.archive(), &claim(SubsidyKind::Training, 9, "2025-04-01")).unwrap();
        assert!(out.violations.is_empty(), "{:?}", out.violations);
        assert!(out.unjudged.is_empty());
    }

    #[test]
    fn a_needed_department_down_is_unjudged() {
        let mut p = over_the_limit();
        p.down.push(Department::Credit);
        let out = check_claim(
            &p.archive(),
            &claim(SubsidyKind::SkillAssessment, 5, "2024-06-01"),
        )
        .unwrap();
        assert_eq!(
            out.unjudged,
            vec![Unjudged {
                rule: ScreeningRule::BlacklistedSubsidised,
                department: Department::Credit
            }]
        );
    }

    #[test]
    fn the_shape_and_ownership_are_checked_first() {
        let p = over_the_limit();
        let mut c = claim(SubsidyKind::Training, 77, "2024-06-01");
        assert_eq!(
            check_claim(&p.archive(), &c),
            Err(ClaimError::NotThePersons("enrolmentId"))
        );
        c.enrolment_id = None;
        assert_eq!(
            check_claim(&p.archive(), &c),
            Err(ClaimError::Missing("enrolmentId"))
        );
        let mut w = claim(SubsidyKind::WorkForTraining, 1, "2024-06-01");
        assert_eq!(
            check_claim(&p.archive(), &w),
            Err(ClaimError::Missing("employerUscc"))
        );
        w.employer_uscc = Some("E1".into());
        w.months = Some(0);
        assert_eq!(
            check_claim(&p.archive(), &w),
            Err(ClaimError::NotPositive("months"))
        );
    }
}
