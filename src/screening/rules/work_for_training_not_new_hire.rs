//! `WORK_FOR_TRAINING_NOT_NEW_HIRE`: a 以工代训 subsidy paid in year Y for an employer at
//! which the person has no `CONTRIBUTION` record, or whose earliest contribution there
//! started before 1 January of Y ("新吸纳时间以本年度首次在本企业缴纳社会保险时间为准",
//! 002 §1). One flag per subsidy.

use chrono::{Datelike, NaiveDate};

use crate::departments::Department;
use crate::domain::hrss_social::SocialRecordKind;
use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{day, other, subsidy, Facts};
use crate::screening::{Flag, RecordKind, ScreeningRule, Severity, Text};

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let Some(social) = f.social() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in f
        .subsidies()
        .filter(|s| s.kind == SubsidyKind::WorkForTraining)
    {
        let Some(employer) = s.employer_uscc.as_deref() else {
            continue;
        };
        let year = s.paid_on.year();
        let contributions: Vec<_> = social
            .records
            .iter()
            .filter(|r| {
                r.kind == SocialRecordKind::Contribution
                    && r.employer_uscc.as_deref() == Some(employer)
            })
            .collect();
        let first = contributions.iter().map(|r| r.valid_from).min();
        let new_year = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let text = match first {
            None => Text {
                zh: format!("{year} 年以工代训补贴的企业（{employer}）没有该人员的社会保险缴费记录"),
                en: format!("work-for-training subsidy of {year}: no social-insurance contribution at the employer ({employer})"),
            },
            Some(f) if f < new_year => Text {
                zh: format!("{year} 年以工代训补贴，但该人员自 {} 起已在该企业（{employer}）缴纳社会保险，不属于当年新吸纳", day(f)),
                en: format!("work-for-training subsidy of {year}, but contributions at the employer ({employer}) began on {}, before that year: not a new hire", day(f)),
            },
            Some(_) => continue,
        };
        out.push(Flag::new(
            ScreeningRule::WorkForTrainingNotNewHire,
            Severity::Medium,
            None,
            text,
            std::iter::once(subsidy(s)).chain(
                contributions
                    .iter()
                    .map(|r| other(Department::HrssSocial, RecordKind::SocialRecord, r.id)),
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_social::SocialRecordKind as S;
    use crate::domain::hrss_training::{Subsidy, SubsidyKind as K};
    use crate::screening::rules::testkit::{d, Person, ID};
    use crate::screening::ScreeningRule::WorkForTrainingNotNewHire as R;

    fn wft(paid: &str) -> Person {
        let mut p = Person::default();
        p.pay(Subsidy {
            id: 1,
            id_number: ID.into(),
            kind: K::WorkForTraining,
            amount_fen: 50_000,
            paid_on: d(paid),
            paying_county: "371502".into(),
            enrolment_id: None,
            certificate_id: None,
            employer_uscc: Some("E1".into()),
            months: Some(3),
        });
        p
    }

    #[test]
    fn a_new_hire_of_the_year_does_not_fire() {
        let mut p = wft("2024-06-01");
        p.social(7, S::Contribution, Some("E1"), "2024-01-01", None);
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn contributions_from_the_last_day_of_the_year_before_fire() {
        let mut p = wft("2024-06-01");
        p.social(7, S::Contribution, Some("E1"), "2023-12-31", None);
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 2);
    }

    #[test]
    fn no_contribution_at_that_employer_fires() {
        let mut p = wft("2024-06-01");
        p.social(7, S::Contribution, Some("E2"), "2024-02-01", None);
        assert_eq!(p.flags(R).len(), 1);
    }
}
