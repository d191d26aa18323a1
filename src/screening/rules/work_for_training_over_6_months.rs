//! `WORK_FOR_TRAINING_OVER_6_MONTHS`: the `months` of a person's 以工代训 subsidies with
//! the same employer add up to more than 6. One flag per person and employer.

use std::collections::BTreeMap;

use crate::domain::hrss_training::SubsidyKind;
use crate::screening::facts::{subsidy, Facts};
use crate::screening::{Flag, ScreeningRule, Severity, Text};

/// 以工代训 is paid for at most six months per person and employer (002 §1).
pub const MAX_MONTHS: i64 = 6;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let mut by_employer: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for s in f
        .subsidies()
        .filter(|s| s.kind == SubsidyKind::WorkForTraining)
    {
        if let Some(e) = s.employer_uscc.as_deref() {
            by_employer.entry(e).or_default().push(s);
        }
    }
    by_employer
        .into_iter()
        .filter_map(|(employer, subsidies)| {
            let months: i64 = subsidies.iter().map(|s| i64::from(s.months.unwrap_or(0))).sum();
            (months > MAX_MONTHS).then(|| {
                Flag::new(
                    ScreeningRule::WorkForTrainingOver6Months,
                    Severity::Medium,
                    None,
                    Text {
                        zh: format!("同一企业（{employer}）以工代训补贴累计 {months} 个月，超过 {MAX_MONTHS} 个月"),
                        en: format!("work-for-training subsidies from one employer ({employer}) add up to {months} months, more than {MAX_MONTHS}"),
                    },
                    subsidies.iter().map(|s| subsidy(s)),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{Subsidy, SubsidyKind as K};
    use crate::screening::rules::testkit::{d, Person, ID};
    use crate::screening::ScreeningRule::WorkForTrainingOver6Months as R;

    pub fn wft(id: i64, employer: &str, months: i32, paid: &str) -> Subsidy {
        Subsidy {
            id,
            id_number: ID.into(),
            kind: K::WorkForTraining,
            amount_fen: 50_000,
            paid_on: d(paid),
            paying_county: "371502".into(),
            enrolment_id: None,
            certificate_id: None,
            employer_uscc: Some(employer.into()),
            months: Some(months),
        }
    }

    #[test]
    fn seven_months_at_one_employer_fires_six_does_not() {
        let mut p = Person::default();
        p.pay(wft(1, "E1", 4, "2024-03-01"))
            .pay(wft(2, "E1", 3, "2024-09-01"));
        let f = p.flags(R);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence.len(), 2);
        let mut p = Person::default();
        p.pay(wft(1, "E1", 4, "2024-03-01"))
            .pay(wft(2, "E1", 2, "2024-09-01"));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn months_at_different_employers_are_not_added() {
        let mut p = Person::default();
        p.pay(wft(1, "E1", 4, "2024-03-01"))
            .pay(wft(2, "E2", 4, "2024-09-01"));
        assert!(p.flags(R).is_empty());
    }
}
