//! `BLACKLISTED_SUBSIDISED`: a subsidy of any kind paid on a day the person was on the
//! credit blacklist (listed on or before it, not removed before it). One flag per
//! subsidy.

use crate::departments::Department;
use crate::domain::TimeRanged;
use crate::screening::facts::{day, other, subsidy, Facts};
use crate::screening::{Flag, RecordKind, ScreeningRule, Severity, Text};

use super::kind_name;

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    let Some(credit) = f.credit() else {
        return Vec::new();
    };
    f.subsidies()
        .filter_map(|s| {
            let listings: Vec<_> = credit
                .blacklist
                .iter()
                .filter(|e| e.valid_on(s.paid_on))
                .collect();
            let first = listings.iter().map(|e| e.listed_on).min()?;
            let (kz, ke) = kind_name(s.kind);
            Some(Flag::new(
                ScreeningRule::BlacklistedSubsidised,
                Severity::High,
                None,
                Text {
                    zh: format!(
                        "{} 发放{kz}时该人员在失信名单上（{} 列入）",
                        day(s.paid_on),
                        day(first)
                    ),
                    en: format!(
                        "{ke} paid on {} while on the credit blacklist (listed on {})",
                        day(s.paid_on),
                        day(first)
                    ),
                },
                std::iter::once(subsidy(s)).chain(
                    listings
                        .iter()
                        .map(|e| other(Department::Credit, RecordKind::Blacklist, e.id)),
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::BlacklistedSubsidised as R;

    fn paid() -> Person {
        let mut p = Person::default();
        p.enrol(1, class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01"))
            .subsidy(11, K::Training, "2024-05-01", Some(1));
        p
    }

    #[test]
    fn listed_on_the_payment_day_or_removed_on_it_fires() {
        let mut p = paid();
        p.listed(3, "2024-05-01", None);
        assert_eq!(p.flags(R)[0].evidence.len(), 2);
        let mut p = paid();
        p.listed(3, "2023-01-01", Some("2024-05-01"));
        assert_eq!(p.flags(R).len(), 1);
    }

    #[test]
    fn listed_the_day_after_or_removed_the_day_before_does_not() {
        let mut p = paid();
        p.listed(3, "2024-05-02", None);
        assert!(p.flags(R).is_empty());
        let mut p = paid();
        p.listed(3, "2023-01-01", Some("2024-04-30"));
        assert!(p.flags(R).is_empty());
    }

    #[test]
    fn the_credit_office_down_leaves_it_unjudged() {
        let mut p = paid();
        p.down.push(crate::departments::Department::Credit);
        let s = crate::screening::screen_rules(&p.archive(), &[R]);
        assert_eq!(s.unjudged.len(), 1);
    }
}
