//! The seed regions and the ID numbers of the persons living in them: which counties a
//! person can be from, and each person's ID number, computable from `(seed, index)` alone.

use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{add_days, date, splitmix, weighted};
use crate::id_number::{counties_under, IdNumber, Region};
use crate::seed::catalog::REGIONS;

const BIRTH_FIRST: (i32, u32, u32) = (1961, 1, 1);
const BIRTH_LAST: (i32, u32, u32) = (2006, 12, 31);
/// Prime stride of the index → (birth date, sequence) permutation; coprime with the slot
/// count, so distinct indexes always get distinct ID numbers.
const ID_STRIDE: u64 = 1_000_003;

/// County codes of each seed region (development zones, codes ending 7x, left out).
pub struct Regions {
    pub(super) groups: Vec<(Vec<u32>, u32)>,
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

    pub(super) fn pick_county(&self, rng: &mut ChaCha8Rng, group: usize) -> u32 {
        *self.groups[group].0.choose(rng).unwrap_or(&370000)
    }

    pub(super) fn group_of(&self, county: u32) -> usize {
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

pub(super) fn city_name(county: u32) -> String {
    let r = Region::from_code(&format!("{county:06}"));
    r.city.or(r.province).unwrap_or("山东省").to_string()
}

pub(super) fn county_name(county: u32) -> String {
    let r = Region::from_code(&format!("{county:06}"));
    r.county.or(r.city).unwrap_or("山东省").to_string()
}
