//! `LOWER_LEVEL_AFTER_HIGHER`: a subsidised training at numbered level L in occupation O
//! that starts (its class; without a class, its certificate's issue) on a later day than
//! a certificate in O at a numbered level strictly higher than L was issued to the
//! person. One flag per such training.

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{day, subsidy, Facts};
use crate::screening::{Evidence, Flag, RecordKind, ScreeningRule, Severity, Text};

use super::level_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut out = Vec::new();
    for (k, u) in f.subsidised() {
        let (Some((occ, level)), Some(start)) = (u.occupation_level(), u.start()) else {
            continue;
        };
        let Some(n) = level.number() else { continue };
        // Higher numbered level = smaller number (LEVEL_1 is the highest).
        let higher: Vec<_> = f
            .training
            .certificates
            .iter()
            .filter(|c| {
                c.occupation_code == occ
                    && c.level.number().is_some_and(|m| m < n)
                    && c.issued_on < start
            })
            .collect();
        let Some(first) = higher.iter().min_by_key(|c| (c.issued_on, c.id)) else {
            continue;
        };
        let (lz, le) = level_name(level);
        let (hz, he) = level_name(first.level);
        out.push(Flag::new(
            ScreeningRule::LowerLevelAfterHigher,
            Severity::Medium,
            None,
            Text {
                zh: format!(
                    "职业（{occ}）{lz}培训于 {} 开始，此前 {} 已取得更高的{hz}证书",
                    day(start),
                    day(first.issued_on)
                ),
                en: format!(
                    "training in occupation {occ} at {le} started on {}, after a higher {he} certificate was issued on {}",
                    day(start),
                    day(first.issued_on)
                ),
            },
            std::iter::once(u.record(k))
                .chain(u.subsidies_of(SubsidyKind::Training).map(subsidy))
                .chain(
                    higher
                        .iter()
                        .map(|c| Evidence::training(RecordKind::Certificate, c.id)),
                ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::LowerLevelAfterHigher as R;

    fn with_level3_certificate(issued: &str) -> Person {
        let mut p = Person::default();
        p.certificate(5, "4-01", L::Level3, issued, None);
        p
    }

    #[test]
    fn a_level_4_class_after_a_level_3_certificate_fires() {
        let mut p = with_level3_certificate("2023-01-10");
        p.enrol(1, class(1, "4-01", L::Level4, "2023-01-11", "2023-02-11"))
            .subsidy(11, K::Training, "2023-03-01", Some(1));
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.iter().any(|e| e.id == Some(5)));
    }

    #[test]
    fn on_the_issue_day_itself_it_does_not() {
        let mut p = with_level3_certificate("2023-01-11");
        p.enrol(1, class(1, "4-01", L::Level4, "2023-01-11", "2023-02-11"))
            .subsidy(11, K::Training, "2023-03-01", Some(1));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn the_same_level_another_occupation_or_an_unnumbered_level_does_not() {
        let mut p = with_level3_certificate("2020-01-10");
        p.enrol(1, class(1, "4-01", L::Level3, "2023-01-11", "2023-02-11"))
            .subsidy(11, K::Training, "2023-03-01", Some(1))
            .enrol(2, class(2, "4-02", L::Level5, "2023-05-11", "2023-06-11"))
            .subsidy(12, K::Training, "2023-07-01", Some(2))
            .enrol(
                3,
                class(3, "4-01", L::SpecialAbility, "2023-08-11", "2023-09-11"),
            )
            .subsidy(13, K::Training, "2023-10-01", Some(3));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn special_ability_is_not_above_level_1() {
        // The entity enum's derived order would put SPECIAL_ABILITY above LEVEL_1.
        let mut p = Person::default();
        p.certificate(5, "4-01", L::SpecialAbility, "2020-01-10", None)
            .enrol(1, class(1, "4-01", L::Level1, "2023-01-11", "2023-02-11"))
            .subsidy(11, K::Training, "2023-03-01", Some(1));
        assert!(p.flags(R).is_empty());
    }
}
