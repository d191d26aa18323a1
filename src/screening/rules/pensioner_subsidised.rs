//! `PENSIONER_SUBSIDISED`: a subsidy of any kind but 以工代训 paid on a day the person has
//! a `PENSION` record valid. One flag per subsidy.

use crate::departments::Department;
use crate::domain::hrss_social::SocialRecordKind;
use crate::domain::hrss_training::SubsidyKind;
use crate::domain::TimeRanged;
use crate::screening::facts::{day, other, subsidy, Facts};
use crate::screening::{Flag, RecordKind, ScreeningRule, Severity, Text};

use super::kind_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let Some(social) = f.social() else {
        return Vec::new();
    };
    f.subsidies()
        .filter(|s| s.kind != SubsidyKind::WorkForTraining)
        .filter_map(|s| {
            let pensions: Vec<_> = social
                .records
                .iter()
                .filter(|r| r.kind == SocialRecordKind::Pension && r.valid_on(s.paid_on))
                .collect();
            let first = pensions.iter().map(|r| r.valid_from).min()?;
            let (kz, ke) = kind_name(s.kind);
            Some(Flag::new(
                ScreeningRule::PensionerSubsidised,
                Severity::Medium,
                None,
                Text {
                    zh: format!(
                        "{} 发放{kz}时已领取养老金（自 {} 起）",
                        day(s.paid_on),
                        day(first)
                    ),
                    en: format!(
                        "{ke} paid on {} while drawing a pension (since {})",
                        day(s.paid_on),
                        day(first)
                    ),
                },
                std::iter::once(subsidy(s)).chain(
                    pensions
                        .iter()
                        .map(|r| other(Department::HrssSocial, RecordKind::SocialRecord, r.id)),
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_social::SocialRecordKind as S;
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::PensionerSubsidised as R;

    fn paid_on(day: &str, kind: K) -> Person {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, "2024-01-01", "2024-02-01"))
            .subsidy(11, kind, day, Some(1));
        p
    }

    #[test]
    fn a_subsidy_paid_on_the_pensions_first_day_fires() {
        let mut p = paid_on("2024-03-01", K::Training);
        p.social(7, S::Pension, None, "2024-03-01", None);
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 2);
    }

    #[test]
    fn a_pension_starting_the_day_after_the_payment_does_not() {
        let mut p = paid_on("2024-03-01", K::Training);
        p.social(7, S::Pension, None, "2024-03-02", None);
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn work_for_training_or_an_ended_pension_does_not() {
        let mut p = paid_on("2024-03-01", K::WorkForTraining);
        p.social(7, S::Pension, None, "2020-01-01", None);
        assert!(p.flags(R).is_empty());
        let mut p = paid_on("2024-03-01", K::Training);
        p.social(7, S::Pension, None, "2020-01-01", Some("2024-02-29"));
        assert!(p.flags(R).is_empty());
    }
}
