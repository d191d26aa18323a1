//! `LIVING_ALLOWANCE_INELIGIBLE`: a `LIVING_ALLOWANCE` subsidy with no enrolment, or for
//! an enrolment whose class is not `living_allowance_eligible`, or whose person was in
//! none of the eligible groups on the class's start date. One flag per subsidy; the
//! explanation says which.

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{class, day, subsidy, Facts};
use crate::screening::groups::{groups_on, records_looked_at};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut out = Vec::new();
    for s in f
        .subsidies()
        .filter(|s| s.kind == SubsidyKind::LivingAllowance)
    {
        let flag = |text: Text, evidence: Vec<_>| {
            Flag::new(
                ScreeningRule::LivingAllowanceIneligible,
                Severity::High,
                None,
                text,
                std::iter::once(subsidy(s)).chain(evidence),
            )
        };
        let Some(enrolment) = f.enrolment_of(s) else {
            out.push(flag(
                Text {
                    zh: format!("{} 发放的生活费补贴没有对应的培训报名记录", day(s.paid_on)),
                    en: format!(
                        "living allowance paid on {} for no enrolment",
                        day(s.paid_on)
                    ),
                },
                Vec::new(),
            ));
            continue;
        };
        // An enrolment without its class cannot be judged further: the rule says nothing.
        let Some(c) = enrolment.class.as_ref() else {
            continue;
        };
        if !c.living_allowance_eligible {
            out.push(flag(
                Text {
                    zh: format!(
                        "{} 开班的培训班不属于可享受生活费补贴的培训",
                        day(c.start_date)
                    ),
                    en: format!(
                        "the class starting on {} is not eligible for a living allowance",
                        day(c.start_date)
                    ),
                },
                vec![class(c)],
            ));
            continue;
        }
        if groups_on(f.archive, c.start_date).is_empty() {
            out.push(flag(
                Text {
                    zh: format!(
                        "开班日 {} 不属于任何可享受生活费补贴的人员类别（建档立卡贫困人员、低保、特困、零就业家庭、就业困难人员、退役军人、两后生）",
                        day(c.start_date)
                    ),
                    en: format!(
                        "on the class's start date {} the person was in none of the eligible groups (registered poor, minimum subsistence, extreme poverty, zero-employment family, employment difficulty, eligible veterans, junior/senior-high leavers)",
                        day(c.start_date)
                    ),
                },
                std::iter::once(class(c))
                    .chain(records_looked_at(f.archive))
                    .collect(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::civil_affairs::AssistanceKind as A;
    use crate::domain::education::SchoolType;
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::domain::veterans::VeteranCategory as V;
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::LivingAllowanceIneligible as R;

    /// Adds some records to a person.
    type Case = Box<dyn Fn(&mut Person)>;

    /// A living allowance for a class starting 2024-03-01.
    fn allowance() -> Person {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01"))
            .subsidy(11, K::LivingAllowance, "2024-05-01", Some(1));
        p
    }

    #[test]
    fn in_no_group_on_the_start_date_fires_with_the_records_looked_at() {
        let mut p = allowance();
        p.assistance(
            5,
            A::UrbanMinimumSubsistence,
            "2020-01-01",
            Some("2024-02-29"),
        );
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.iter().any(|e| e.id == Some(5)));
    }

    #[test]
    fn a_membership_ending_the_day_before_the_class_started_does_not_count() {
        let mut p = allowance();
        p.assistance(5, A::ZeroEmploymentFamily, "2020-01-01", Some("2024-02-29"));
        assert_eq!(p.flags(R).len(), 1);
        let mut p = allowance();
        p.assistance(5, A::ZeroEmploymentFamily, "2020-01-01", Some("2024-03-01"));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn each_group_counts() {
        let cases: Vec<Case> = vec![
            Box::new(|p| {
                p.poor(1, "2019-01-01", Some(2024));
            }),
            Box::new(|p| {
                p.social(
                    1,
                    crate::domain::hrss_social::SocialRecordKind::EmploymentDifficulty,
                    None,
                    "2024-03-01",
                    None,
                );
            }),
            Box::new(|p| {
                p.veteran(1, V::SelfEmployedSoldier, "2024-03-01");
            }),
            Box::new(|p| {
                p.school(
                    1,
                    SchoolType::SeniorHigh,
                    "2020-09-01",
                    Some("2024-02-29"),
                    false,
                );
            }),
        ];
        for add in cases {
            let mut p = allowance();
            add(&mut p);
            assert!(p.flags(R).is_empty());
        }
    }

    #[test]
    fn near_misses_of_the_groups_fire() {
        let cases: Vec<Case> = vec![
            // Exited poverty in the year before.
            Box::new(|p| {
                p.poor(1, "2019-01-01", Some(2023));
            }),
            // Discharged the day after the class started; an "other" veteran.
            Box::new(|p| {
                p.veteran(1, V::SelfEmployedSoldier, "2024-03-02");
            }),
            Box::new(|p| {
                p.veteran(2, V::Other, "2000-03-02");
            }),
            // Graduated on the start date itself (still enrolled that day), or went on.
            Box::new(|p| {
                p.school(
                    1,
                    SchoolType::SeniorHigh,
                    "2021-09-01",
                    Some("2024-03-01"),
                    false,
                );
            }),
            Box::new(|p| {
                p.school(
                    1,
                    SchoolType::JuniorHigh,
                    "2018-09-01",
                    Some("2021-07-01"),
                    true,
                );
            }),
            // Registered unemployment or a distressed-worker file alone is no group.
            Box::new(|p| {
                p.social(
                    1,
                    crate::domain::hrss_social::SocialRecordKind::RegisteredUnemployment,
                    None,
                    "2024-01-01",
                    None,
                );
            }),
        ];
        for add in cases {
            let mut p = allowance();
            add(&mut p);
            assert_eq!(p.flags(R).len(), 1);
        }
    }

    #[test]
    fn no_enrolment_or_an_ineligible_class_fires_and_says_which() {
        let mut p = Person::default();
        p.subsidy(11, K::LivingAllowance, "2024-05-01", None);
        let f = p.flags(R);
        assert!(f[0].explanation.en.contains("no enrolment"));
        let mut p = allowance();
        p.poor(1, "2019-01-01", None);
        p.training.trainings[0]
            .class
            .as_mut()
            .unwrap()
            .living_allowance_eligible = false;
        let f = p.flags(R);
        assert!(f[0].explanation.en.contains("not eligible"));
    }

    #[test]
    fn a_group_department_down_leaves_it_unjudged() {
        let mut p = allowance();
        p.down.push(crate::departments::Department::Veterans);
        let s = crate::screening::screen_rules(&p.archive(), &[R]);
        assert!(s.flags.is_empty());
        assert_eq!(s.unjudged.len(), 1);
    }
}
