//! `CLASS_FILED_LATE`: a subsidy of any kind (以工代训 included) for an enrolment whose
//! class was filed on a later day than it started (filed on the start date is in time:
//! 先备案、后开班, 002 §11). One flag per subsidy.

use crate::screening::facts::{class, day, subsidy, Facts};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

use super::kind_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    f.subsidies()
        .filter_map(|s| {
            let c = f.enrolment_of(s)?.class.as_ref()?;
            (c.filed_on > c.start_date).then(|| {
                let (kz, ke) = kind_name(s.kind);
                Flag::new(
                    ScreeningRule::ClassFiledLate,
                    Severity::Medium,
                    None,
                    Text {
                        zh: format!(
                            "{kz}对应的培训班 {} 开班，{} 才备案（应先备案、后开班）",
                            day(c.start_date),
                            day(c.filed_on)
                        ),
                        en: format!(
                            "{ke} for a class that started on {} but was filed only on {}",
                            day(c.start_date),
                            day(c.filed_on)
                        ),
                    },
                    [subsidy(s), class(c)],
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, d, Person};
    use crate::screening::ScreeningRule::ClassFiledLate as R;

    fn filed(on: &str, kind: K) -> Person {
        let mut c = class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01");
        c.filed_on = d(on);
        let mut p = Person::default();
        p.enrol(1, c).subsidy(11, kind, "2024-05-01", Some(1));
        p
    }

    #[test]
    fn filed_the_day_after_the_start_fires_for_any_kind() {
        assert_eq!(filed("2024-03-02", K::Training).flags(R).len(), 1);
        assert_eq!(filed("2024-03-02", K::WorkForTraining).flags(R).len(), 1);
    }

    #[test]
    fn filed_on_the_start_date_is_in_time() {
        assert!(filed("2024-03-01", K::Training).flags(R).is_empty());
    }
}
