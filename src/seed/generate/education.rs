//! Education: the schooling history (junior high, then perhaps senior high or vocational
//! school, then perhaps college) that the archive shows before any training.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::education::{schooling as row, SchoolType};

use super::{city_name, county_name, date, generation_date, weighted, Ctx, Groups, Person};

/// A stage of schooling: type, year enrolled, year graduated, school name.
type Stage = (SchoolType, i32, i32, String);

pub(super) fn schooling(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person, groups: &mut Groups) {
    let today = generation_date();
    // Some persons have no schooling on file at all.
    if rng.random_range(0..100) >= 95 {
        return;
    }
    let stages = stages(rng, p.birth, p.county);
    let n = stages.len();
    for (i, (t, from, to, school)) in stages.into_iter().enumerate() {
        let enrolled = date(from, 9, 1);
        if enrolled > today {
            break;
        }
        let graduated = date(to, 7, 1);
        let graduated_on = (graduated <= today).then_some(graduated);
        let continued_study = i + 1 < n;
        groups.schooling.push((enrolled, graduated_on));
        if matches!(t, SchoolType::JuniorHigh | SchoolType::SeniorHigh) && !continued_study {
            groups.left_school.extend(graduated_on);
        }
        ctx.push::<row::Entity>(crate::departments::Department::Education, |id| row::Model {
            id,
            id_number: p.ids().into(),
            student_name: p.name.clone(),
            school_name: school,
            school_type: t,
            enrolled_on: enrolled,
            graduated_on,
            continued_study,
        });
    }
}

fn stages(rng: &mut ChaCha8Rng, birth: NaiveDate, county: u32) -> Vec<Stage> {
    let y = birth.year();
    let mut stages: Vec<Stage> = vec![(
        SchoolType::JuniorHigh,
        y + 12,
        y + 15,
        format!("{}第{}中学", county_name(county), rng.random_range(1..=12)),
    )];
    if rng.random_range(0..100) < 65 {
        let t = weighted(
            rng,
            &[
                (SchoolType::SeniorHigh, 60),
                (SchoolType::SecondaryVocational, 30),
                (SchoolType::TechnicalSchool, 10),
            ],
        );
        let school = match t {
            SchoolType::SeniorHigh => format!(
                "{}第{}高级中学",
                county_name(county),
                rng.random_range(1..=4)
            ),
            SchoolType::SecondaryVocational => format!("{}职业中等专业学校", county_name(county)),
            _ => format!("{}高级技工学校", city_name(county)),
        };
        stages.push((t, y + 15, y + 18, school));
        if t == SchoolType::SeniorHigh && rng.random_range(0..100) < 60
            || rng.random_range(0..100) < 15
        {
            let (t, years, school) = if rng.random_bool(0.5) {
                (SchoolType::University, 4, "山东师范大学".to_string())
            } else {
                (
                    SchoolType::College,
                    3,
                    format!("{}职业学院", city_name(county)),
                )
            };
            stages.push((t, y + 18, y + 18 + years, school));
        }
    }
    stages
}
