//! Deterministic generation of the synthetic population: the training "world" (institutions
//! and classes) and, person by person, every department's records — with planted anomalies
//! that the screening rules must find.
//!
//! Each person is generated from an RNG seeded by `(seed, index)`, so a person's records do
//! not depend on chunking, and an ID can be recomputed without generating anything else.
//! The departments draw from that one RNG in a fixed order (see `person`): reordering the
//! calls, or a draw inside one of them, changes every later record of the person.

mod anomalies;
mod regions;
mod world;

/// One generator module per department (named in the registry); `person` calls them in
/// a fixed order.
macro_rules! seed_departments {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        $( mod $module; )*
    };
}

crate::departments!(seed_departments);

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use sea_orm::EntityTrait;

use super::catalog::{GIVEN, SURNAMES};
use super::table::Tables;
use super::Anomaly;
use crate::id_number::IdNumber;
use regions::{city_name, county_name};

pub use regions::{person_id, Regions};
pub use world::World;

/// The generator's "today": fixed, so the same seed gives the same data on any day.
pub fn generation_date() -> NaiveDate {
    date(2026, 6, 30)
}

const FIRST_TRAINING_YEAR: i32 = 2019;
const LAST_TRAINING_YEAR: i32 = 2025;
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

fn uscc(region: u32, n: u64) -> String {
    format!("91{region:06}MA{:07}X", n % 10_000_000)
}

/// All rows generated for a chunk of persons, per table.
#[derive(Default)]
pub struct Batch {
    pub tables: Tables,
    pub anomalies: Vec<(IdNumber, Anomaly)>,
    /// Persons with at least two trainings (or an anomaly), for the demo's sample list.
    pub samples: Vec<IdNumber>,
}

/// Row-id counters per table, carried across chunks so ids stay unique and deterministic.
#[derive(Default, Clone)]
pub struct Counters(std::collections::HashMap<&'static str, i64>);

impl Counters {
    /// The next id of table `E`.
    fn next<E: EntityTrait>(&mut self) -> i64 {
        let c = self.0.entry(E::default().table_name()).or_default();
        *c += 1;
        *c
    }
}

/// The eligible groups for the living allowance, exactly as screening judges them
/// (`screening::groups`): the seeder pays an allowance only inside them, and plants
/// `LivingAllowanceOutsideEligibleGroups` only on persons never in one.
#[derive(Default)]
struct Groups {
    /// Poverty, civil-affairs, employment-difficulty and veteran memberships.
    ranges: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// 两后生: graduation days of junior/senior-high records not followed by further study.
    left_school: Vec<NaiveDate>,
    /// Every schooling period (enrolled … graduated, inclusive).
    schooling: Vec<(NaiveDate, Option<NaiveDate>)>,
}

fn within(d: NaiveDate, (from, to): &(NaiveDate, Option<NaiveDate>)) -> bool {
    *from <= d && to.is_none_or(|t| d <= t)
}

impl Groups {
    fn covers(&self, d: NaiveDate) -> bool {
        self.ranges.iter().any(|r| within(d, r))
            || (self.left_school.iter().any(|g| *g < d)
                && !self.schooling.iter().any(|r| within(d, r)))
    }

    /// In no group on any day.
    fn never(&self) -> bool {
        self.ranges.is_empty() && self.left_school.is_empty()
    }
}

/// Shared by every department's generator: the world to enrol into, and the chunk's rows
/// and id counters to append to.
struct Ctx<'a> {
    world: &'a World,
    regions: &'a Regions,
    batch: &'a mut Batch,
    counters: &'a mut Counters,
}

impl Ctx<'_> {
    /// Appends a row of `E`, owned by `department`, with the table's next id.
    fn push<E>(
        &mut self,
        department: crate::departments::Department,
        row: impl FnOnce(i64) -> E::Model,
    ) where
        E: EntityTrait + 'static,
        E::Model: sea_orm::ModelTrait<Entity = E> + Send + Sync + std::fmt::Debug + 'static,
        E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + From<E::Model> + Send,
    {
        let id = self.counters.next::<E>();
        self.batch.tables.rows::<E>(department).push(row(id));
    }

    /// The next id of table `E` (for a row that others refer to before it is added).
    fn next_id<E: EntityTrait>(&mut self) -> i64 {
        self.counters.next::<E>()
    }

    /// Appends a row of `E` whose id was taken with [`Ctx::next_id`].
    fn add<E>(&mut self, department: crate::departments::Department, row: E::Model)
    where
        E: EntityTrait + 'static,
        E::Model: sea_orm::ModelTrait<Entity = E> + Send + Sync + std::fmt::Debug + 'static,
        E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + From<E::Model> + Send,
    {
        self.batch.tables.rows::<E>(department).push(row);
    }
}

/// What every department's records repeat about the person, fixed before any of them is
/// generated.
struct Person {
    index: u64,
    id: IdNumber,
    name: String,
    phone: String,
    birth: NaiveDate,
    county: u32,
    /// The seed region the person lives in; trainings are drawn from its classes first.
    group: usize,
    male: bool,
    /// Men draw a pension from 60, women from 55 — whether or not that date has come.
    pension_from: NaiveDate,
    pensioner: bool,
}

impl Person {
    fn ids(&self) -> &str {
        self.id.as_str()
    }

    fn region(&self) -> String {
        format!("{:06}", self.county)
    }
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
    let pension_from = date(
        birth.year() + if male { 60 } else { 55 },
        birth.month(),
        birth.day().min(28),
    );
    let p = Person {
        index,
        id,
        name,
        phone,
        birth,
        county,
        group: ctx.regions.group_of(county),
        male,
        pension_from,
        pensioner: pension_from <= generation_date(),
    };

    // The draw order below is part of the output; see the module comment.
    let mut groups = Groups::default();
    education::schooling(ctx, &mut rng, &p, &mut groups);
    hrss_social::records(ctx, &mut rng, &p, &mut groups);
    civil_affairs::assistance(ctx, &mut rng, &p, &mut groups);
    veterans::veteran(ctx, &mut rng, &p, &mut groups);
    poverty::household_member(ctx, &mut rng, &p, &mut groups);
    trade_union::records(ctx, &mut rng, &p);

    let trainee = hrss_training::Trainee::new(&p, &groups);
    if !anomalies::maybe_plant(ctx, &mut rng, &p, &trainee) {
        hrss_training::trainings(ctx, &mut rng, &p, &trainee);
    }
    credit::blacklist(ctx, &mut rng, &p);
}
