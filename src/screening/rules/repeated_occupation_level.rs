//! `REPEATED_OCCUPATION_LEVEL`: two or more different subsidised trainings in the same
//! occupation at the same level (any level value). One flag per occupation and level.

use std::collections::BTreeMap;

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{subsidy, Facts, TrainingKey, Unit};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

use super::level_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut groups: BTreeMap<(&str, u8), Vec<(TrainingKey, &Unit<'_>)>> = BTreeMap::new();
    for (k, u) in f.subsidised() {
        if let Some((occ, level)) = u.occupation_level() {
            groups.entry((occ, level as u8)).or_default().push((k, u));
        }
    }
    groups
        .into_values()
        .filter(|units| units.len() >= 2)
        .filter_map(|units| {
            let (occ, level) = units[0].1.occupation_level()?;
            let (zh, en) = level_name(level);
            let n = units.len();
            Some(Flag::new(
                ScreeningRule::RepeatedOccupationLevel,
                Severity::High,
                None,
                Text {
                    zh: format!("同一职业（{occ}）同一等级（{zh}）享受职业培训补贴 {n} 次"),
                    en: format!("{n} subsidised trainings in the same occupation ({occ}) at the same level ({en})"),
                },
                units.iter().flat_map(|(k, u)| {
                    std::iter::once(u.record(*k))
                        .chain(u.subsidies_of(SubsidyKind::Training).map(subsidy))
                }),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::RepeatedOccupationLevel as R;

    #[test]
    fn the_same_occupation_and_level_twice_fires() {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level4, "2022-03-01", "2022-04-01"))
            .subsidy(11, K::Training, "2022-05-01", Some(1))
            .enrol(2, class(2, "4-01", L::Level4, "2024-03-01", "2024-04-01"))
            .subsidy(12, K::Training, "2024-05-01", Some(2));
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 4);
    }

    #[test]
    fn a_different_level_or_an_unsubsidised_one_does_not() {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level4, "2022-03-01", "2022-04-01"))
            .subsidy(11, K::Training, "2022-05-01", Some(1))
            .enrol(2, class(2, "4-01", L::Level3, "2024-03-01", "2024-04-01"))
            .subsidy(12, K::Training, "2024-05-01", Some(2))
            .enrol(3, class(3, "4-01", L::Level4, "2025-03-01", "2025-04-01"))
            .subsidy(13, K::SkillAssessment, "2025-05-01", Some(3));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn a_certificate_of_the_same_training_is_not_a_second_training() {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level4, "2022-03-01", "2022-04-01"))
            .subsidy(11, K::Training, "2022-05-01", Some(1))
            .certificate(5, "4-01", L::Level4, "2022-04-10", Some(1));
        p.pay(crate::domain::hrss_training::Subsidy {
            id: 15,
            enrolment_id: None,
            certificate_id: Some(5),
            ..p.training.subsidies[0].clone()
        });
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn unnumbered_levels_repeat_too() {
        let mut p = Person::default();
        p.certificate(5, "S-9", L::SpecialAbility, "2022-04-10", None)
            .certificate(6, "S-9", L::SpecialAbility, "2023-04-10", None);
        for (id, cert) in [(15, 5), (16, 6)] {
            p.pay(crate::domain::hrss_training::Subsidy {
                id,
                id_number: crate::screening::rules::testkit::ID.into(),
                kind: K::Training,
                amount_fen: 1,
                paid_on: crate::screening::rules::testkit::d("2023-05-01"),
                paying_county: "371502".into(),
                enrolment_id: None,
                certificate_id: Some(cert),
                employer_uscc: None,
                months: None,
            });
        }
        assert_eq!(p.flags(R).len(), 1);
    }
}
