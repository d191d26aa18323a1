//! Deterministic generation of the synthetic population: the training "world" (institutions
//! and classes) and, person by person, every department's records — with planted anomalies
//! that the screening rules must find.
//!
//! Each person is generated from an RNG seeded by `(seed, index)`, so a person's records do
//! not depend on chunking, and an ID can be recomputed without generating anything else.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use entities::civil_affairs::{assistance, AssistanceKind};
use entities::education::{schooling, SchoolType};
use entities::hrss_social::{record as si, SocialRecordKind};
use entities::hrss_training::{
    certificate, class, enrolment, institution, subsidy, CertificateKind, CreditGrade,
    InstitutionKind, SkillLevel, SubsidyKind, TrainingResult, TrainingType,
};
use entities::poverty::{household_member, PovertyStatus};
use entities::trade_union::{record as uni, UnionRecordKind};
use entities::veterans::{veteran, VeteranCategory};

use super::catalog::*;
use super::Anomaly;
use crate::id_number::{counties_under, IdNumber, Region};

/// The generator's "today": fixed, so the same seed gives the same data on any day.
pub fn generation_date() -> NaiveDate {
    date(2026, 6, 30)
}

const FIRST_TRAINING_YEAR: i32 = 2019;
const LAST_TRAINING_YEAR: i32 = 2025;
const BIRTH_FIRST: (i32, u32, u32) = (1961, 1, 1);
const BIRTH_LAST: (i32, u32, u32) = (2006, 12, 31);
/// Prime stride of the index → (birth date, sequence) permutation; coprime with the slot
/// count, so distinct indexes always get distinct ID numbers.
const ID_STRIDE: u64 = 1_000_003;
/// Share of persons (per mille) who carry one planted anomaly.
const ANOMALY_PER_MILLE: u32 = 30;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new((-n) as u64)).unwrap_or(d)
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return *item;
        }
        pick -= w;
    }
    items[items.len() - 1].0
}

/// County codes of each seed region (development zones, codes ending 7x, left out).
pub struct Regions {
    groups: Vec<(Vec<u32>, u32)>,
}

impl Regions {
    pub fn new() -> Self {
        let groups = REGIONS
            .iter()
            .map(|(prefix, w)| {
                let mut counties: Vec<u32> = counties_under(prefix)
                    .into_iter()
                    .filter(|c| c % 100 < 70)
                    .collect();
                if counties.is_empty() {
                    counties.push(prefix.parse::<u32>().unwrap_or(370000));
                }
                (counties, *w)
            })
            .collect();
        Self { groups }
    }

    fn pick_group(&self, rng: &mut ChaCha8Rng) -> usize {
        let items: Vec<(usize, u32)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, (_, w))| (i, *w))
            .collect();
        weighted(rng, &items)
    }

    fn pick_county(&self, rng: &mut ChaCha8Rng, group: usize) -> u32 {
        *self.groups[group].0.choose(rng).unwrap_or(&370000)
    }

    fn group_of(&self, county: u32) -> usize {
        self.groups
            .iter()
            .position(|(cs, _)| cs.contains(&county))
            .unwrap_or(0)
    }
}

impl Default for Regions {
    fn default() -> Self {
        Self::new()
    }
}

/// The ID number of person `index` in a population generated with `seed`.
pub fn person_id(regions: &Regions, seed: u64, index: u64) -> IdNumber {
    let first = date(BIRTH_FIRST.0, BIRTH_FIRST.1, BIRTH_FIRST.2);
    let days = (date(BIRTH_LAST.0, BIRTH_LAST.1, BIRTH_LAST.2) - first).num_days() as u64 + 1;
    let slots = days * 1000;
    let offset = splitmix(seed) % slots;
    let slot = (index.wrapping_mul(ID_STRIDE) % slots + offset) % slots;
    let birth = add_days(first, (slot / 1000) as i64);
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ 0xA5A5_5A5A) ^ index);
    let group = regions.pick_group(&mut rng);
    let county = regions.pick_county(&mut rng, group);
    IdNumber::from_parts(county, birth, (slot % 1000) as u16)
}

/// Institutions and classes, shared by all persons.
pub struct World {
    pub institutions: Vec<institution::Model>,
    pub classes: Vec<class::Model>,
    by_year_group: HashMap<(i32, usize), Vec<usize>>,
    by_year: HashMap<i32, Vec<usize>>,
    by_occupation_level: HashMap<(String, SkillLevel), Vec<usize>>,
    /// Classes that opened before they were filed (planted class-level anomaly).
    pub late_filed_classes: usize,
    pub institutions_outside_directory: usize,
}

fn city_name(county: u32) -> String {
    let r = Region::from_code(&format!("{county:06}"));
    r.city.or(r.province).unwrap_or("山东省").to_string()
}

fn county_name(county: u32) -> String {
    let r = Region::from_code(&format!("{county:06}"));
    r.county.or(r.city).unwrap_or("山东省").to_string()
}

fn uscc(region: u32, n: u64) -> String {
    format!("91{region:06}MA{:07}X", n % 10_000_000)
}

impl World {
    pub fn generate(regions: &Regions, seed: u64, persons: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ 0x05EE_D0FC_1A55));
        let n_inst = (persons / 2000).max(24);
        let mut institutions = Vec::with_capacity(n_inst);
        let mut outside = 0;
        for i in 0..n_inst {
            let group = i % regions.groups.len();
            let county = regions.pick_county(&mut rng, group);
            let kind = weighted(
                &mut rng,
                &[
                    (InstitutionKind::PublicTrainingCenter, 15),
                    (InstitutionKind::TechnicalCollege, 15),
                    (InstitutionKind::PrivateTrainingSchool, 45),
                    (InstitutionKind::Enterprise, 25),
                ],
            );
            let brand = EMPLOYER_BRANDS.choose(&mut rng).copied().unwrap_or("齐鲁");
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
                    EMPLOYER_TRADES.choose(&mut rng).copied().unwrap_or("商贸")
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
                    &mut rng,
                    &[
                        (CreditGrade::A, 40),
                        (CreditGrade::B, 40),
                        (CreditGrade::C, 15),
                        (CreditGrade::D, 5),
                    ],
                ),
                region_code: format!("{county:06}"),
            });
        }

        let n_classes = (persons * 3 / 40).max(120);
        let mut classes = Vec::with_capacity(n_classes);
        let mut late = 0;
        let mut by_year_group: HashMap<(i32, usize), Vec<usize>> = HashMap::new();
        let mut by_year: HashMap<i32, Vec<usize>> = HashMap::new();
        let mut by_occupation_level: HashMap<(String, SkillLevel), Vec<usize>> = HashMap::new();
        for i in 0..n_classes {
            let inst = &institutions[rng.random_range(0..institutions.len())];
            let county: u32 = inst.region_code.parse().unwrap_or(370000);
            let training_type = if inst.kind == InstitutionKind::Enterprise {
                weighted(
                    &mut rng,
                    &[
                        (TrainingType::WorkForTraining, 55),
                        (TrainingType::JobSkillsUpgrade, 30),
                        (TrainingType::Apprenticeship, 15),
                    ],
                )
            } else {
                weighted(
                    &mut rng,
                    &[
                        (TrainingType::EmploymentSkills, 55),
                        (TrainingType::JobSkillsUpgrade, 30),
                        (TrainingType::Entrepreneurship, 15),
                    ],
                )
            };
            let (occ_code, occ_name, special_op) =
                *OCCUPATIONS.choose(&mut rng).unwrap_or(&OCCUPATIONS[0]);
            let level = if special_op {
                SkillLevel::CompletionOnly
            } else {
                weighted(
                    &mut rng,
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
                late += 1;
            }
            let filed_on = if filed_late {
                add_days(start, rng.random_range(1..=10))
            } else {
                add_days(start, -rng.random_range(3..=30))
            };
            let idx = classes.len();
            classes.push(class::Model {
                id: i as i64 + 1,
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
            by_year_group
                .entry((year, regions.group_of(county)))
                .or_default()
                .push(idx);
            by_year.entry(year).or_default().push(idx);
            by_occupation_level
                .entry((occ_code.to_string(), level))
                .or_default()
                .push(idx);
        }
        World {
            institutions,
            classes,
            by_year_group,
            by_year,
            by_occupation_level,
            late_filed_classes: late,
            institutions_outside_directory: outside,
        }
    }

    fn class(&self, idx: usize) -> &class::Model {
        &self.classes[idx]
    }

    fn institution_of(&self, c: &class::Model) -> &institution::Model {
        &self.institutions[(c.institution_id - 1) as usize]
    }

    fn year_classes(&self, year: i32, group: usize) -> &[usize] {
        self.by_year_group
            .get(&(year, group))
            .filter(|v| !v.is_empty())
            .or_else(|| self.by_year.get(&year))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// All rows generated for a chunk of persons, per table.
#[derive(Default)]
pub struct Batch {
    pub schooling: Vec<schooling::Model>,
    pub assistance: Vec<assistance::Model>,
    pub veterans: Vec<veteran::Model>,
    pub poverty: Vec<household_member::Model>,
    pub union: Vec<uni::Model>,
    pub social: Vec<si::Model>,
    pub enrolments: Vec<enrolment::Model>,
    pub certificates: Vec<certificate::Model>,
    pub subsidies: Vec<subsidy::Model>,
    pub anomalies: Vec<(IdNumber, Anomaly)>,
    /// Persons with at least two trainings, for the demo's sample list.
    pub samples: Vec<IdNumber>,
}

/// Row-id counters per table, carried across chunks so ids stay unique and deterministic.
#[derive(Default, Clone)]
pub struct Counters {
    schooling: i64,
    assistance: i64,
    veterans: i64,
    poverty: i64,
    union: i64,
    social: i64,
    enrolments: i64,
    certificates: i64,
    subsidies: i64,
}

fn next(c: &mut i64) -> i64 {
    *c += 1;
    *c
}

/// Groups that entitle a trainee to a living allowance (REQUIREMENTS §4).
#[derive(Default)]
struct Groups {
    ranges: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl Groups {
    fn covers(&self, d: NaiveDate) -> bool {
        self.ranges
            .iter()
            .any(|(from, to)| *from <= d && to.is_none_or(|t| d <= t))
    }
}

struct Ctx<'a> {
    world: &'a World,
    regions: &'a Regions,
    batch: &'a mut Batch,
    counters: &'a mut Counters,
}

/// Generates persons `range` into a batch.
pub fn generate_persons(
    world: &World,
    regions: &Regions,
    seed: u64,
    range: std::ops::Range<u64>,
    counters: &mut Counters,
) -> Batch {
    let mut batch = Batch::default();
    let mut ctx = Ctx {
        world,
        regions,
        batch: &mut batch,
        counters,
    };
    for index in range {
        person(&mut ctx, seed, index);
    }
    batch
}

fn person(ctx: &mut Ctx<'_>, seed: u64, index: u64) {
    let id = person_id(ctx.regions, seed, index);
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ splitmix(index)));
    let today = generation_date();
    let birth = id.birth_date();
    let county: u32 = id.region_code().parse().unwrap_or(370000);
    let male = matches!(id.sex(), crate::id_number::Sex::Male);
    let name = format!(
        "{}{}{}",
        SURNAMES.choose(&mut rng).copied().unwrap_or("王"),
        GIVEN.choose(&mut rng).copied().unwrap_or("明"),
        if rng.random_bool(0.6) {
            GIVEN.choose(&mut rng).copied().unwrap_or("")
        } else {
            ""
        }
    );
    let phone = format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000u32)
    );
    let ids = id.as_str().to_string();
    let region = format!("{county:06}");

    schooling_history(ctx, &mut rng, &ids, &name, birth, county);

    // Pension: men from 60, women from 55.
    let pension_age = if male { 60 } else { 55 };
    let pension_from = date(
        birth.year() + pension_age,
        birth.month(),
        birth.day().min(28),
    );
    let pensioner = pension_from <= today;
    social_insurance(
        ctx,
        &mut rng,
        &ids,
        birth,
        county,
        pensioner.then_some(pension_from),
    );

    let mut groups = Groups::default();
    if rng.random_range(0..100) < 3 {
        let from = date(rng.random_range(2012..=2018), rng.random_range(1..=12), 1);
        let to = rng
            .random_bool(0.4)
            .then(|| date(rng.random_range(2021..=2025), rng.random_range(1..=12), 28));
        groups.ranges.push((from, to));
        ctx.batch.assistance.push(assistance::Model {
            id: next(&mut ctx.counters.assistance),
            id_number: ids.clone(),
            household_no: format!("MZ{region}{:08}", index % 100_000_000),
            kind: weighted(
                &mut rng,
                &[
                    (AssistanceKind::UrbanMinimumSubsistence, 35),
                    (AssistanceKind::RuralMinimumSubsistence, 45),
                    (AssistanceKind::ExtremePoverty, 10),
                    (AssistanceKind::ZeroEmploymentFamily, 10),
                ],
            ),
            address: format!(
                "{}{}{}号",
                Region::from_code(&region).full_name().unwrap_or_default(),
                STREETS.choose(&mut rng).copied().unwrap_or("人民路"),
                rng.random_range(1..300)
            ),
            region_code: region.clone(),
            valid_from: from,
            valid_to: to,
        });
    }
    if rng.random_range(0..1000) < if male { 35 } else { 5 } && birth.year() <= 2002 {
        let discharged = date(
            rng.random_range((birth.year() + 20).max(1990)..=2024.min(birth.year() + 40)),
            rng.random_range(1..=12),
            1,
        );
        let category = weighted(
            &mut rng,
            &[
                (VeteranCategory::SelfEmployedSoldier, 70),
                (VeteranCategory::SelfChosenCareerOfficer, 10),
                (VeteranCategory::DemobilisedCadre, 5),
                (VeteranCategory::Other, 15),
            ],
        );
        if category != VeteranCategory::Other {
            groups.ranges.push((discharged, None));
        }
        ctx.batch.veterans.push(veteran::Model {
            id: next(&mut ctx.counters.veterans),
            id_number: ids.clone(),
            category,
            discharged_on: discharged,
            region_code: region.clone(),
        });
    }
    if rng.random_range(0..100) < 3 {
        let registered = date(rng.random_range(2014..=2016), rng.random_range(1..=12), 1);
        let (status, exit_year) = weighted(
            &mut rng,
            &[
                ((PovertyStatus::Exited, 0), 70),
                ((PovertyStatus::Monitored, 1), 20),
                ((PovertyStatus::Poor, 2), 10),
            ],
        );
        let exit_year = match exit_year {
            0 => Some(rng.random_range(2017..=2020)),
            1 => Some(rng.random_range(2019..=2020)),
            _ => None,
        };
        groups
            .ranges
            .push((registered, exit_year.map(|y| date(y, 12, 31))));
        ctx.batch.poverty.push(household_member::Model {
            id: next(&mut ctx.counters.poverty),
            id_number: ids.clone(),
            household_no: format!("FP{region}{:08}", index % 100_000_000),
            registered_on: registered,
            exit_year,
            status,
            region_code: region.clone(),
        });
    }
    union_records(ctx, &mut rng, &ids, county, birth, &mut groups);

    // Trainings.
    let adult_year = birth.year() + 16;
    let last_year = if pensioner {
        // Keep normal trainings (and their later subsidy payment) clear of the pension.
        (pension_from.year() - 2).min(LAST_TRAINING_YEAR)
    } else {
        LAST_TRAINING_YEAR
    };
    let allowed: Vec<i32> = (FIRST_TRAINING_YEAR.max(adult_year)..=last_year).collect();
    let group = ctx.regions.group_of(county);
    let trainee = Trainee {
        id: &id,
        name: &name,
        phone: &phone,
        groups: &groups,
    };

    let planted = rng.random_range(0..1000) < ANOMALY_PER_MILLE;
    let mut done = false;
    if planted {
        let mut options = vec![
            Anomaly::TooManySubsidisedTrainingsInYear,
            Anomaly::SameOccupationLevelTwice,
            Anomaly::OverlappingClasses,
            Anomaly::WorkForTrainingOverSixMonths,
            Anomaly::SubsidisedInTwoCounties,
        ];
        if pensioner && pension_from.year() <= LAST_TRAINING_YEAR {
            options.push(Anomaly::SubsidyToPensioner);
        }
        if groups.ranges.is_empty() {
            options.push(Anomaly::LivingAllowanceOutsideEligibleGroups);
        }
        if birth.year() + 16 <= FIRST_TRAINING_YEAR {
            let kind = *options
                .choose(&mut rng)
                .unwrap_or(&Anomaly::OverlappingClasses);
            done = plant(ctx, &mut rng, &trainee, group, kind, pension_from);
            if done {
                ctx.batch.anomalies.push((id.clone(), kind));
                ctx.batch.samples.push(id.clone());
            }
        }
    }
    if !done {
        let n = weighted(
            &mut rng,
            &[
                (0usize, 40),
                (1, 25),
                (2, 15),
                (3, 10),
                (4, 5),
                (5, 3),
                (6, 2),
            ],
        );
        let mut years = allowed.clone();
        years.shuffle(&mut rng);
        years.truncate(n);
        years.sort_unstable();
        let mut used: Vec<(String, SkillLevel)> = Vec::new();
        let mut count = 0;
        for y in years {
            let candidates = ctx.world.year_classes(y, group);
            for _ in 0..8 {
                let Some(&ci) = candidates.choose(&mut rng) else {
                    break;
                };
                let c = ctx.world.class(ci);
                let key = (c.occupation_code.clone(), c.level);
                if used.contains(&key) {
                    continue;
                }
                used.push(key);
                enrol(ctx, &mut rng, &trainee, ci, EnrolOpts::normal());
                count += 1;
                break;
            }
        }
        if count >= 2 && ctx.batch.samples.len() < 50 {
            ctx.batch.samples.push(id.clone());
        }
    }
}

fn schooling_history(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    ids: &str,
    name: &str,
    birth: NaiveDate,
    county: u32,
) {
    let today = generation_date();
    if rng.random_range(0..100) >= 95 {
        return;
    }
    let y = birth.year();
    let mut stages: Vec<(SchoolType, i32, i32, String)> = vec![(
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
    let n = stages.len();
    for (i, (t, from, to, school)) in stages.into_iter().enumerate() {
        let enrolled = date(from, 9, 1);
        if enrolled > today {
            break;
        }
        let graduated = date(to, 7, 1);
        ctx.batch.schooling.push(schooling::Model {
            id: next(&mut ctx.counters.schooling),
            id_number: ids.into(),
            student_name: name.into(),
            school_name: school,
            school_type: t,
            enrolled_on: enrolled,
            graduated_on: (graduated <= today).then_some(graduated),
            continued_study: i + 1 < n,
        });
    }
}

fn social_insurance(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    ids: &str,
    birth: NaiveDate,
    county: u32,
    pension_from: Option<NaiveDate>,
) {
    let today = generation_date();
    let region = format!("{county:06}");
    let push = |ctx: &mut Ctx<'_>, rec: si::Model| {
        let mut rec = rec;
        rec.id = next(&mut ctx.counters.social);
        ctx.batch.social.push(rec);
    };
    let blank = |kind| si::Model {
        id: 0,
        id_number: ids.into(),
        kind,
        employer_uscc: None,
        employer_name: None,
        category: None,
        amount_fen: None,
        region_code: region.clone(),
        valid_from: today,
        valid_to: None,
    };
    let work_start = date(
        (birth.year() + rng.random_range(18..=23)).max(1990),
        rng.random_range(1..=12),
        1,
    );
    if work_start < today && rng.random_range(0..100) < 75 {
        let employers = rng.random_range(1..=3);
        let mut from = work_start;
        for e in 0..employers {
            let last = e + 1 == employers;
            let span_days = rng.random_range(365..=365 * 8);
            let mut to = (!last).then(|| add_days(from, span_days));
            if let Some(p) = pension_from {
                if to.is_none_or(|t| t > p) {
                    to = Some(p);
                }
            }
            if to.is_some_and(|t| t >= today) {
                to = None;
            }
            let n: u64 = rng.random_range(0..5000);
            let mut rec = blank(SocialRecordKind::Contribution);
            rec.employer_uscc = Some(uscc(county, 5_000_000 + n));
            rec.employer_name = Some(format!(
                "{}{}{}有限公司",
                county_name(county),
                EMPLOYER_BRANDS[(n as usize) % EMPLOYER_BRANDS.len()],
                EMPLOYER_TRADES[(n as usize / 7) % EMPLOYER_TRADES.len()]
            ));
            rec.valid_from = from;
            rec.valid_to = to;
            push(ctx, rec);
            match to {
                Some(t) if pension_from.is_none_or(|p| t < p) => {
                    from = add_days(t, rng.random_range(1..200))
                }
                _ => break,
            }
            if from >= today {
                break;
            }
        }
    }
    if rng.random_range(0..100) < 6 && birth.year() <= 2004 {
        let mut rec = blank(SocialRecordKind::RegisteredUnemployment);
        rec.valid_from = date(rng.random_range(2018..=2025), rng.random_range(1..=12), 1);
        rec.valid_to = rng
            .random_bool(0.9)
            .then(|| add_days(rec.valid_from, rng.random_range(60..=360)))
            .filter(|t| *t < today);
        push(ctx, rec);
    }
    if rng.random_range(0..100) < 2 {
        let mut rec = blank(SocialRecordKind::EmploymentDifficulty);
        rec.category = DIFFICULTY_CATEGORIES.choose(rng).map(|s| s.to_string());
        rec.valid_from = date(rng.random_range(2017..=2024), rng.random_range(1..=12), 1);
        push(ctx, rec);
    }
    if let Some(p) = pension_from {
        let mut rec = blank(SocialRecordKind::Pension);
        rec.amount_fen = Some(rng.random_range(150_000..=450_000));
        rec.valid_from = p;
        push(ctx, rec);
    }
}

fn union_records(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    ids: &str,
    county: u32,
    birth: NaiveDate,
    groups: &mut Groups,
) {
    if birth.year() > 2004 {
        return;
    }
    let org = format!("{}总工会", county_name(county));
    let push = |ctx: &mut Ctx<'_>, kind, category: Option<String>, from, to| {
        ctx.batch.union.push(uni::Model {
            id: next(&mut ctx.counters.union),
            id_number: ids.into(),
            kind,
            organisation: org.clone(),
            category,
            valid_from: from,
            valid_to: to,
        });
    };
    if rng.random_range(0..100) < 25 {
        let from = date(rng.random_range(2005..=2024), rng.random_range(1..=12), 1);
        push(ctx, UnionRecordKind::Membership, None, from, None);
    }
    if rng.random_range(0..1000) < 15 {
        let from = date(rng.random_range(2014..=2018), rng.random_range(1..=12), 1);
        let to = rng
            .random_bool(0.4)
            .then(|| date(rng.random_range(2021..=2025), 12, 31));
        groups.ranges.push((from, to));
        push(
            ctx,
            UnionRecordKind::DistressedWorker,
            DISTRESS_CATEGORIES.choose(rng).map(|s| s.to_string()),
            from,
            to,
        );
    }
    if rng.random_range(0..1000) < 3 {
        let from = date(rng.random_range(2010..=2025), 5, 1);
        push(
            ctx,
            UnionRecordKind::ModelWorker,
            MODEL_WORKER_TITLES.choose(rng).map(|s| s.to_string()),
            from,
            None,
        );
    }
}

struct Trainee<'a> {
    id: &'a IdNumber,
    name: &'a str,
    phone: &'a str,
    groups: &'a Groups,
}

struct EnrolOpts {
    force_pass: bool,
    /// Pay the living allowance whatever the trainee's groups (planted anomaly).
    force_allowance: bool,
    wft_months: Option<i32>,
    /// Pay the training subsidy a second time from this other county (planted anomaly).
    second_county: Option<String>,
}

impl EnrolOpts {
    fn normal() -> Self {
        Self {
            force_pass: false,
            force_allowance: false,
            wft_months: None,
            second_county: None,
        }
    }

    fn passed() -> Self {
        Self {
            force_pass: true,
            ..Self::normal()
        }
    }
}

fn subsidy_fen(level: SkillLevel) -> i64 {
    match level {
        SkillLevel::Level5 => 100_000,
        SkillLevel::Level4 => 150_000,
        SkillLevel::Level3 => 200_000,
        SkillLevel::Level2 => 250_000,
        SkillLevel::Level1 => 300_000,
        SkillLevel::SpecialAbility => 60_000,
        SkillLevel::CompletionOnly => 40_000,
    }
}

fn enrol(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, t: &Trainee<'_>, ci: usize, opts: EnrolOpts) {
    let c = ctx.world.class(ci).clone();
    let inst = ctx.world.institution_of(&c).clone();
    let result = if opts.force_pass {
        TrainingResult::Passed
    } else {
        weighted(
            rng,
            &[
                (TrainingResult::Passed, 86),
                (TrainingResult::Failed, 9),
                (TrainingResult::Withdrawn, 5),
            ],
        )
    };
    let enrolment_id = next(&mut ctx.counters.enrolments);
    ctx.batch.enrolments.push(enrolment::Model {
        id: enrolment_id,
        id_number: t.id.as_str().into(),
        class_id: c.id,
        trainee_name: t.name.into(),
        phone: t.phone.into(),
        enrolled_on: add_days(c.start_date, -rng.random_range(1..=20)),
        result,
        attended_hours: match result {
            TrainingResult::Passed => c.hours,
            TrainingResult::Failed => c.hours * 3 / 4,
            _ => c.hours / 4,
        },
    });
    if result != TrainingResult::Passed {
        return;
    }
    let paid_on = add_days(c.end_date, rng.random_range(20..=60));
    if c.training_type == TrainingType::WorkForTraining {
        // 以工代训: paid to the employer, no certificate.
        let months = opts.wft_months.unwrap_or_else(|| rng.random_range(1..=6));
        ctx.batch.subsidies.push(subsidy::Model {
            id: next(&mut ctx.counters.subsidies),
            id_number: t.id.as_str().into(),
            kind: SubsidyKind::WorkForTraining,
            amount_fen: 50_000 * i64::from(months),
            paid_on,
            paying_county: c.region_code.clone(),
            enrolment_id: Some(enrolment_id),
            certificate_id: None,
            employer_uscc: Some(inst.uscc.clone()),
            months: Some(months),
        });
        return;
    }
    let occupation_special_op = OCCUPATIONS
        .iter()
        .any(|(code, _, sp)| *sp && *code == c.occupation_code);
    let kind = match c.level {
        _ if occupation_special_op => CertificateKind::SpecialOperation,
        SkillLevel::SpecialAbility => CertificateKind::SpecialAbility,
        SkillLevel::CompletionOnly => CertificateKind::TrainingCompletion,
        _ if rng.random_range(0..10) == 0 => CertificateKind::VocationalQualification,
        _ => CertificateKind::SkillLevel,
    };
    let city = city_name(c.region_code.parse().unwrap_or(370000));
    let issuer = match kind {
        CertificateKind::SpecialOperation => format!("{city}应急管理局"),
        CertificateKind::VocationalQualification => format!("{city}人力资源和社会保障局"),
        CertificateKind::SkillLevel => format!("{city}职业技能鉴定中心"),
        _ => inst.name.clone(),
    };
    let certificate_id = next(&mut ctx.counters.certificates);
    ctx.batch.certificates.push(certificate::Model {
        id: certificate_id,
        id_number: t.id.as_str().into(),
        kind,
        certificate_no: format!("{}{:012}", &c.region_code[..4], certificate_id),
        occupation_code: c.occupation_code.clone(),
        occupation_name: c.occupation_name.clone(),
        level: c.level,
        issued_on: add_days(c.end_date, rng.random_range(3..=15)),
        issuer,
        enrolment_id: Some(enrolment_id),
    });
    let pay = |ctx: &mut Ctx<'_>, kind, amount_fen, county: String| {
        ctx.batch.subsidies.push(subsidy::Model {
            id: next(&mut ctx.counters.subsidies),
            id_number: t.id.as_str().into(),
            kind,
            amount_fen,
            paid_on,
            paying_county: county,
            enrolment_id: Some(enrolment_id),
            certificate_id: (kind == SubsidyKind::Training).then_some(certificate_id),
            employer_uscc: None,
            months: None,
        });
    };
    pay(
        ctx,
        SubsidyKind::Training,
        subsidy_fen(c.level),
        c.region_code.clone(),
    );
    if let Some(other) = opts.second_county {
        pay(ctx, SubsidyKind::Training, subsidy_fen(c.level), other);
    }
    let eligible = t.groups.covers(c.start_date);
    if c.living_allowance_eligible && (eligible || opts.force_allowance) {
        let days = (c.end_date - c.start_date).num_days().max(1);
        pay(
            ctx,
            SubsidyKind::LivingAllowance,
            days * 3_000,
            c.region_code.clone(),
        );
    }
}

/// Plants one anomaly's trainings; false when the world has no fitting classes.
fn plant(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    t: &Trainee<'_>,
    group: usize,
    kind: Anomaly,
    pension_from: NaiveDate,
) -> bool {
    let w = ctx.world;
    let offline_subsidised =
        |c: &class::Model| !c.online && c.training_type != TrainingType::WorkForTraining;
    let overlaps = |a: &class::Model, b: &class::Model| {
        a.start_date <= b.end_date && b.start_date <= a.end_date
    };
    let year = rng.random_range(FIRST_TRAINING_YEAR..=LAST_TRAINING_YEAR);
    let pool = w.year_classes(year, group);
    match kind {
        Anomaly::TooManySubsidisedTrainingsInYear => {
            for _ in 0..200 {
                let mut picked: Vec<usize> = Vec::new();
                for _ in 0..40 {
                    let Some(&ci) = pool.choose(rng) else {
                        return false;
                    };
                    let c = w.class(ci);
                    let clash = picked.iter().any(|&p| {
                        let o = w.class(p);
                        overlaps(o, c)
                            || (o.occupation_code == c.occupation_code && o.level == c.level)
                    });
                    if offline_subsidised(c) && !clash {
                        picked.push(ci);
                    }
                    if picked.len() == 4 {
                        for ci in picked {
                            enrol(ctx, rng, t, ci, EnrolOpts::passed());
                        }
                        return true;
                    }
                }
            }
            false
        }
        Anomaly::SameOccupationLevelTwice => {
            for _ in 0..50 {
                let Some(&a) = pool.choose(rng) else {
                    return false;
                };
                let ca = w.class(a);
                if !offline_subsidised(ca) {
                    continue;
                }
                let same = w
                    .by_occupation_level
                    .get(&(ca.occupation_code.clone(), ca.level))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                if let Some(&b) = same.iter().find(|&&b| {
                    let cb = w.class(b);
                    cb.start_date.year() != ca.start_date.year() && offline_subsidised(cb)
                }) {
                    let (first, second) = if w.class(b).start_date < ca.start_date {
                        (b, a)
                    } else {
                        (a, b)
                    };
                    enrol(ctx, rng, t, first, EnrolOpts::passed());
                    enrol(ctx, rng, t, second, EnrolOpts::passed());
                    return true;
                }
            }
            false
        }
        Anomaly::OverlappingClasses => {
            for _ in 0..50 {
                let Some(&a) = pool.choose(rng) else {
                    return false;
                };
                let ca = w.class(a);
                if !offline_subsidised(ca) {
                    continue;
                }
                if let Some(&b) = w
                    .by_year
                    .get(&year)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .find(|&&b| {
                        let cb = w.class(b);
                        b != a
                            && offline_subsidised(cb)
                            && overlaps(ca, cb)
                            && (cb.occupation_code != ca.occupation_code || cb.level != ca.level)
                    })
                {
                    enrol(ctx, rng, t, a, EnrolOpts::passed());
                    enrol(ctx, rng, t, b, EnrolOpts::passed());
                    return true;
                }
            }
            false
        }
        Anomaly::SubsidyToPensioner => {
            let y =
                rng.random_range(pension_from.year().max(FIRST_TRAINING_YEAR)..=LAST_TRAINING_YEAR);
            let pool = w.year_classes(y, group);
            for _ in 0..50 {
                let Some(&ci) = pool.choose(rng) else {
                    return false;
                };
                let c = w.class(ci);
                if offline_subsidised(c) && c.start_date > pension_from {
                    enrol(ctx, rng, t, ci, EnrolOpts::passed());
                    return true;
                }
            }
            false
        }
        Anomaly::LivingAllowanceOutsideEligibleGroups => {
            for _ in 0..100 {
                let Some(&ci) = pool.choose(rng) else {
                    return false;
                };
                if w.class(ci).living_allowance_eligible {
                    let opts = EnrolOpts {
                        force_allowance: true,
                        ..EnrolOpts::passed()
                    };
                    enrol(ctx, rng, t, ci, opts);
                    return true;
                }
            }
            false
        }
        Anomaly::WorkForTrainingOverSixMonths => {
            for _ in 0..200 {
                let Some(&ci) = pool.choose(rng) else {
                    return false;
                };
                if w.class(ci).training_type == TrainingType::WorkForTraining {
                    let opts = EnrolOpts {
                        wft_months: Some(rng.random_range(7..=10)),
                        ..EnrolOpts::passed()
                    };
                    enrol(ctx, rng, t, ci, opts);
                    return true;
                }
            }
            false
        }
        Anomaly::SubsidisedInTwoCounties => {
            for _ in 0..50 {
                let Some(&ci) = pool.choose(rng) else {
                    return false;
                };
                let c = w.class(ci);
                if !offline_subsidised(c) {
                    continue;
                }
                let other = w
                    .institutions
                    .iter()
                    .map(|i| &i.region_code)
                    .find(|r| **r != c.region_code)
                    .cloned();
                if let Some(other) = other {
                    let opts = EnrolOpts {
                        second_county: Some(other),
                        ..EnrolOpts::passed()
                    };
                    enrol(ctx, rng, t, ci, opts);
                    return true;
                }
            }
            false
        }
    }
}
