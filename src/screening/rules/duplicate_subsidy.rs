//! `DUPLICATE_SUBSIDY`: one training (an enrolment with its linked certificates, or a
//! certificate without enrolment) with more than one subsidy of the same kind
//! (`TRAINING`, `SKILL_ASSESSMENT` or `LIVING_ALLOWANCE`). One flag per training and kind;
//! higher when the paying counties differ (claims in several places, 33号 三(二)).

use std::collections::BTreeSet;

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{subsidy, Facts};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

use super::kind_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut out = Vec::new();
    for u in f.units.values() {
        for kind in [
            SubsidyKind::Training,
            SubsidyKind::SkillAssessment,
            SubsidyKind::LivingAllowance,
        ] {
            let paid: Vec<_> = u.subsidies_of(kind).collect();
            if paid.len() < 2 {
                continue;
            }
            let counties: BTreeSet<&str> = paid.iter().map(|s| s.paying_county.as_str()).collect();
            let list = counties.iter().copied().collect::<Vec<_>>().join("、");
            let (kz, ke) = kind_name(kind);
            let n = paid.len();
            let (severity, zh, en) = if counties.len() > 1 {
                (
                    Severity::High,
                    format!(
                        "同一培训由 {} 个县区（{list}）重复发放{kz} {n} 次",
                        counties.len()
                    ),
                    format!(
                        "{n} {ke} payments for one training by {} counties ({})",
                        counties.len(),
                        list.replace('、', ", ")
                    ),
                )
            } else {
                (
                    Severity::Medium,
                    format!("同一培训由同一县区（{list}）重复发放{kz} {n} 次"),
                    format!("{n} {ke} payments for one training by the same county ({list})"),
                )
            };
            out.push(Flag::new(
                ScreeningRule::DuplicateSubsidy,
                severity,
                None,
                Text { zh, en },
                paid.iter().map(|s| subsidy(s)),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, Subsidy, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::DuplicateSubsidy as R;
    use crate::screening::Severity;

    fn paid_twice(second_county: &str) -> Person {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01"))
            .subsidy(11, K::Training, "2024-05-01", Some(1))
            .certificate(5, "4-01", L::Level5, "2024-04-10", Some(1));
        let second = Subsidy {
            id: 12,
            enrolment_id: None,
            certificate_id: Some(5),
            paying_county: second_county.into(),
            ..p.training.subsidies[0].clone()
        };
        p.pay(second);
        p
    }

    #[test]
    fn twice_through_the_enrolment_and_its_certificate_fires_higher_across_counties() {
        let f = paid_twice("371522").flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].explanation.zh.contains("371522"));
        assert_eq!(paid_twice("371502").flags(R)[0].severity, Severity::Medium);
    }

    #[test]
    fn different_kinds_or_trainings_do_not() {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01"))
            .subsidy(11, K::Training, "2024-05-01", Some(1))
            .subsidy(12, K::SkillAssessment, "2024-05-01", Some(1))
            .enrol(2, class(2, "4-01", L::Level5, "2024-06-01", "2024-07-01"))
            .subsidy(13, K::Training, "2024-08-01", Some(2));
        assert!(p.flags(R).is_empty());
    }
}
