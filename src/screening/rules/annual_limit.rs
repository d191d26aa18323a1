//! `ANNUAL_LIMIT`: more than 3 subsidised trainings in one year (以工代训 excluded).
//! One flag per person and year; evidence: every `TRAINING` subsidy of that year's
//! subsidised trainings.

use std::collections::BTreeMap;

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{subsidy, Facts};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

use crate::screening::ANNUAL_TRAININGS as PER_YEAR;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut by_year: BTreeMap<i32, Vec<_>> = BTreeMap::new();
    for (_, u) in f.subsidised() {
        if let Some(y) = u.year() {
            by_year.entry(y).or_default().push(u);
        }
    }
    by_year
        .into_iter()
        .filter(|(_, units)| units.len() > PER_YEAR)
        .map(|(year, units)| {
            let n = units.len();
            Flag::new(
                ScreeningRule::AnnualLimit,
                Severity::High,
                Some(year),
                Text {
                    zh: format!("{year} 年享受职业培训补贴的培训 {n} 次，超过每年 {PER_YEAR} 次的上限"),
                    en: format!("{n} subsidised trainings in {year}, more than the limit of {PER_YEAR} a year"),
                },
                units
                    .iter()
                    .flat_map(|u| u.subsidies_of(SubsidyKind::Training).map(subsidy)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K, TrainingType};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::AnnualLimit;

    fn trainings(n: i64, year: i32) -> Person {
        let mut p = Person::default();
        for i in 0..n {
            let start = format!("{year}-0{}-01", i + 1);
            p.enrol(
                i + 1,
                class(i + 1, &format!("40{i}"), L::Level5, &start, &start),
            );
            p.subsidy(100 + i, K::Training, &start, Some(i + 1));
        }
        p
    }

    #[test]
    fn a_fourth_subsidised_training_in_a_year_fires_once_with_every_subsidy() {
        let f = trainings(4, 2024).flags(AnnualLimit);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].year, Some(2024));
        assert_eq!(f[0].evidence.len(), 4);
        assert!(f[0].explanation.zh.contains('4'));
    }

    #[test]
    fn the_third_is_within_the_limit() {
        assert!(trainings(3, 2024).flags(AnnualLimit).is_empty());
    }

    #[test]
    fn work_for_training_classes_and_subsidies_do_not_count() {
        let mut p = trainings(3, 2024);
        let mut c = class(9, "499", L::Level5, "2024-06-01", "2024-06-30");
        c.training_type = TrainingType::WorkForTraining;
        p.enrol(9, c)
            .subsidy(109, K::Training, "2024-07-01", Some(9));
        p.subsidy(110, K::WorkForTraining, "2024-07-01", None);
        assert!(p.flags(AnnualLimit).is_empty());
    }

    #[test]
    fn a_certificate_linked_to_its_enrolment_is_one_training_not_two() {
        let mut p = trainings(3, 2024);
        p.certificate(50, "400", L::Level5, "2024-01-20", Some(1));
        p.pay(crate::domain::hrss_training::Subsidy {
            id: 150,
            certificate_id: Some(50),
            enrolment_id: None,
            ..p.training.subsidies[0].clone()
        });
        assert!(p.flags(AnnualLimit).is_empty());
    }

    #[test]
    fn the_year_is_the_earliest_training_subsidy_year() {
        // Four trainings, but one was first paid in the year before.
        let mut p = trainings(4, 2024);
        p.training.subsidies[3].paid_on = crate::screening::rules::testkit::d("2023-12-31");
        assert!(p.flags(AnnualLimit).is_empty());
    }
}
