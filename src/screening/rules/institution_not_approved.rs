//! `INSTITUTION_NOT_APPROVED`: a subsidy of any kind for an enrolment whose class's
//! institution is not in the directory or has credit grade `D`. One flag per subsidy.

use crate::domain::hrss_training::CreditGrade;
use crate::screening::facts::{class, subsidy, Facts};
use crate::screening::{Evidence, Flag, RecordKind, ScreeningRule, Severity, Text};

pub(super) fn run(f: &Facts<'_>) -> Vec<Flag> {
    f.subsidies()
        .filter_map(|s| {
            let c = f.enrolment_of(s)?.class.as_ref()?;
            let i = c.institution.as_ref()?;
            let text = if !i.in_directory {
                Text {
                    zh: format!("培训机构（{}）不在培训机构目录内", i.name),
                    en: format!(
                        "the training institution ({}) is not in the directory",
                        i.name
                    ),
                }
            } else if i.credit_grade == CreditGrade::D {
                Text {
                    zh: format!("培训机构（{}）信用等级为 D", i.name),
                    en: format!("the training institution ({}) has credit grade D", i.name),
                }
            } else {
                return None;
            };
            Some(Flag::new(
                ScreeningRule::InstitutionNotApproved,
                Severity::High,
                None,
                text,
                [
                    subsidy(s),
                    class(c),
                    Evidence::training(RecordKind::Institution, i.id),
                ],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::hrss_training::{CreditGrade, SkillLevel as L, SubsidyKind as K};
    use crate::screening::rules::testkit::{class, Person};
    use crate::screening::ScreeningRule::InstitutionNotApproved as R;

    fn at(in_directory: bool, grade: CreditGrade) -> Person {
        let mut c = class(1, "4-01", L::Level5, "2024-03-01", "2024-04-01");
        let i = c.institution.as_mut().unwrap();
        i.in_directory = in_directory;
        i.credit_grade = grade;
        let mut p = Person::default();
        p.enrol(1, c)
            .subsidy(11, K::SkillAssessment, "2024-05-01", Some(1));
        p
    }

    #[test]
    fn outside_the_directory_or_grade_d_fires() {
        assert_eq!(at(false, CreditGrade::A).flags(R)[0].evidence.len(), 3);
        assert_eq!(at(true, CreditGrade::D).flags(R).len(), 1);
    }

    #[test]
    fn grade_c_in_the_directory_does_not() {
        assert!(at(true, CreditGrade::C).flags(R).is_empty());
    }
}
