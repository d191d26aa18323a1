//! `OVERLAPPING_CLASSES`: two enrolments, neither `WITHDRAWN`, in classes that are both
//! offline and not 以工代训, whose [start, end] intersect (one ending on the day the other
//! starts overlaps; back-to-back does not). One flag per pair.

use crate::domain::hrss_training::{TrainingResult, TrainingType};
use crate::screening::facts::{class, day, subsidy, Facts, TrainingKey};
use crate::screening::{Evidence, Flag, RecordKind, ScreeningRule, Severity, Text};

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let candidates: Vec<_> = f
        .units
        .iter()
        .filter_map(|(k, u)| {
            let e = u.enrolment?;
            let c = e.class.as_ref()?;
            (e.result != TrainingResult::Withdrawn
                && !c.online
                && c.training_type != TrainingType::WorkForTraining)
                .then_some((*k, u, e, c))
        })
        .collect();
    let mut out = Vec::new();
    for (i, (ka, ua, ea, ca)) in candidates.iter().enumerate() {
        for (kb, ub, eb, cb) in &candidates[i + 1..] {
            if !(ca.start_date <= cb.end_date && cb.start_date <= ca.end_date) {
                continue;
            }
            let (TrainingKey::Enrolment(_), TrainingKey::Enrolment(_)) = (ka, kb) else {
                continue;
            };
            out.push(Flag::new(
                ScreeningRule::OverlappingClasses,
                Severity::High,
                None,
                Text {
                    zh: format!(
                        "同时参加两个线下培训班：{} 至 {} 与 {} 至 {}",
                        day(ca.start_date),
                        day(ca.end_date),
                        day(cb.start_date),
                        day(cb.end_date)
                    ),
                    en: format!(
                        "enrolled in two offline classes at once: {} to {} and {} to {}",
                        day(ca.start_date),
                        day(ca.end_date),
                        day(cb.start_date),
                        day(cb.end_date)
                    ),
                },
                [
                    Evidence::training(RecordKind::Enrolment, ea.enrolment_id),
                    Evidence::training(RecordKind::Enrolment, eb.enrolment_id),
                    class(ca),
                    class(cb),
                ]
                .into_iter()
                .chain(ua.subsidies.iter().map(|s| subsidy(s)))
                .chain(ub.subsidies.iter().map(|s| subsidy(s))),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K, TrainingResult};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::OverlappingClasses as R;

    fn two(a: (&str, &str), b: (&str, &str)) -> Person {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, a.0, a.1))
            .enrol(2, class(2, "4-02", L::Level5, b.0, b.1))
            .subsidy(11, K::Training, "2024-06-01", Some(1));
        p
    }

    #[test]
    fn overlapping_offline_classes_fire_with_both_enrolments_classes_and_subsidies() {
        let f = two(("2024-03-01", "2024-03-31"), ("2024-03-15", "2024-04-15")).flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 5);
    }

    #[test]
    fn ending_on_the_day_the_other_starts_overlaps() {
        assert_eq!(
            two(("2024-03-01", "2024-03-31"), ("2024-03-31", "2024-04-15"))
                .flags(R)
                .len(),
            1
        );
    }

    #[test]
    fn back_to_back_classes_do_not() {
        assert!(
            two(("2024-03-01", "2024-03-31"), ("2024-04-01", "2024-04-15"))
                .flags(R)
                .is_empty()
        );
    }

    #[test]
    fn online_withdrawn_or_work_for_training_classes_do_not() {
        let mut p = two(("2024-03-01", "2024-03-31"), ("2024-03-15", "2024-04-15"));
        p.training.trainings[1].class.as_mut().unwrap().online = true;
        assert!(p.flags(R).is_empty());
        let mut p = two(("2024-03-01", "2024-03-31"), ("2024-03-15", "2024-04-15"));
        p.training.trainings[0].result = TrainingResult::Withdrawn;
        assert!(p.flags(R).is_empty());
        let mut p = two(("2024-03-01", "2024-03-31"), ("2024-03-15", "2024-04-15"));
        p.training.trainings[0]
            .class
            .as_mut()
            .unwrap()
            .training_type = crate::domain::hrss_training::TrainingType::WorkForTraining;
        assert!(p.flags(R).is_empty());
    }
}
