//! The training "world" every person enrols into: institutions and their classes, drawn
//! once per seed from an RNG of their own, with the indexes the enrolment code looks up.

use std::collections::HashMap;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use entities::hrss_training::{
    class, institution, CreditGrade, InstitutionKind, SkillLevel, TrainingType,
};

use super::{add_days, city_name, county_name, date, splitmix, uscc, weighted, Regions};
use super::{FIRST_TRAINING_YEAR, LAST_TRAINING_YEAR};
use crate::seed::catalog::{EMPLOYER_BRANDS, EMPLOYER_TRADES, OCCUPATIONS};

/// Institutions and classes, shared by all persons.
pub struct World {
    pub institutions: Vec<institution::Model>,
    pub classes: Vec<class::Model>,
    by_year_group: HashMap<(i32, usize), Vec<usize>>,
    pub(super) by_year: HashMap<i32, Vec<usize>>,
    pub(super) by_occupation_level: HashMap<(String, SkillLevel), Vec<usize>>,
    /// Classes that opened before they were filed (planted class-level anomaly).
    pub late_filed_classes: usize,
    pub institutions_outside_directory: usize,
}

impl World {
    pub fn generate(regions: &Regions, seed: u64, persons: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ 0x05EE_D0FC_1A55));
        // Institutions, then classes, from the same RNG: the order is part of the output.
        let (institutions, outside) = institutions(&mut rng, regions, (persons / 2000).max(24));
        let n_classes = (persons * 3 / 40).max(120);
        let mut world = World {
            institutions,
            classes: Vec::with_capacity(n_classes),
            by_year_group: HashMap::new(),
            by_year: HashMap::new(),
            by_occupation_level: HashMap::new(),
            late_filed_classes: 0,
            institutions_outside_directory: outside,
        };
        for _ in 0..n_classes {
            world.add_class(&mut rng, regions);
        }
        world
    }

    /// Draws one class at a random institution and indexes it.
    fn add_class(&mut self, rng: &mut ChaCha8Rng, regions: &Regions) {
        let inst = &self.institutions[rng.random_range(0..self.institutions.len())];
        let county: u32 = inst.region_code.parse().unwrap_or(370000);
        let training_type = if inst.kind == InstitutionKind::Enterprise {
            weighted(
                rng,
                &[
                    (TrainingType::WorkForTraining, 55),
                    (TrainingType::JobSkillsUpgrade, 30),
                    (TrainingType::Apprenticeship, 15),
                ],
            )
        } else {
            weighted(
                rng,
                &[
                    (TrainingType::EmploymentSkills, 55),
                    (TrainingType::JobSkillsUpgrade, 30),
                    (TrainingType::Entrepreneurship, 15),
                ],
            )
        };
        let (occ_code, occ_name, special_op) = *OCCUPATIONS.choose(rng).unwrap_or(&OCCUPATIONS[0]);
        let level = if special_op {
            SkillLevel::CompletionOnly
        } else {
            weighted(
                rng,
                &[
                    (SkillLevel::Level5, 35),
                    (SkillLevel::Level4, 25),
                    (SkillLevel::Level3, 12),
                    (SkillLevel::Level2, 3),
                    (SkillLevel::Level1, 1),
                    (SkillLevel::SpecialAbility, 12),
                    (SkillLevel::CompletionOnly, 12),
                ],
            )
        };
        let year = rng.random_range(FIRST_TRAINING_YEAR..=LAST_TRAINING_YEAR);
        let wft = training_type == TrainingType::WorkForTraining;
        let start = add_days(
            date(year, 1, 6),
            if wft {
                rng.random_range(0..150)
            } else {
                rng.random_range(0..280)
            },
        );
        let days = if wft { 180 } else { rng.random_range(7..=45) };
        let end = add_days(start, days);
        let filed_late = rng.random_range(0..100) == 0;
        if filed_late {
            self.late_filed_classes += 1;
        }
        let filed_on = if filed_late {
            add_days(start, rng.random_range(1..=10))
        } else {
            add_days(start, -rng.random_range(3..=30))
        };
        let idx = self.classes.len();
        self.classes.push(class::Model {
            id: idx as i64 + 1,
            institution_id: inst.id,
            occupation_code: occ_code.into(),
            occupation_name: occ_name.into(),
            level,
            training_type,
            living_allowance_eligible: training_type == TrainingType::EmploymentSkills
                && rng.random_range(0..100) < 40,
            online: !wft && rng.random_range(0..100) < 8,
            filed_on,
            start_date: start,
            end_date: end,
            hours: if wft {
                480
            } else {
                (days as i32 * 6).clamp(40, 240)
            },
            region_code: inst.region_code.clone(),
        });
        self.by_year_group
            .entry((year, regions.group_of(county)))
            .or_default()
            .push(idx);
        self.by_year.entry(year).or_default().push(idx);
        self.by_occupation_level
            .entry((occ_code.to_string(), level))
            .or_default()
            .push(idx);
    }

    pub(super) fn class(&self, idx: usize) -> &class::Model {
        &self.classes[idx]
    }

    pub(super) fn institution_of(&self, c: &class::Model) -> &institution::Model {
        &self.institutions[(c.institution_id - 1) as usize]
    }

    pub(super) fn year_classes(&self, year: i32, group: usize) -> &[usize] {
        self.by_year_group
            .get(&(year, group))
            .filter(|v| !v.is_empty())
            .or_else(|| self.by_year.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// `n` institutions spread round-robin over the regions, and how many of them are missing
/// from the directory.
fn institutions(
    rng: &mut ChaCha8Rng,
    regions: &Regions,
    n: usize,
) -> (Vec<institution::Model>, usize) {
    let mut institutions = Vec::with_capacity(n);
    let mut outside = 0;
    for i in 0..n {
        let group = i % regions.groups.len();
        let county = regions.pick_county(rng, group);
        let kind = weighted(
            rng,
            &[
                (InstitutionKind::PublicTrainingCenter, 15),
                (InstitutionKind::TechnicalCollege, 15),
                (InstitutionKind::PrivateTrainingSchool, 45),
                (InstitutionKind::Enterprise, 25),
            ],
        );
        let brand = EMPLOYER_BRANDS.choose(rng).copied().unwrap_or("齐鲁");
        let name = match kind {
            InstitutionKind::PublicTrainingCenter => {
                format!("{}公共实训基地（{}）", county_name(county), i + 1)
            }
            InstitutionKind::TechnicalCollege => {
                format!("{}{}技师学院", city_name(county), brand)
            }
            InstitutionKind::PrivateTrainingSchool => {
                format!("{}{}职业培训学校", county_name(county), brand)
            }
            InstitutionKind::Enterprise => format!(
                "{}{}{}有限公司",
                county_name(county),
                brand,
                EMPLOYER_TRADES.choose(rng).copied().unwrap_or("商贸")
            ),
        };
        let in_directory = rng.random_range(0..100) >= 4;
        if !in_directory {
            outside += 1;
        }
        institutions.push(institution::Model {
            id: i as i64 + 1,
            uscc: uscc(county, i as u64 + 1),
            name,
            kind,
            in_directory,
            credit_grade: weighted(
                rng,
                &[
                    (CreditGrade::A, 40),
                    (CreditGrade::B, 40),
                    (CreditGrade::C, 19),
                    (CreditGrade::D, 1),
                ],
            ),
            region_code: format!("{county:06}"),
        });
    }
    (institutions, outside)
}
