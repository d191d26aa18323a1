//! Civil affairs: minimum-subsistence and extreme-poverty assistance, which also makes the
//! person eligible for a training living allowance while it lasts.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::civil_affairs::{assistance as row, AssistanceKind};

use super::{date, weighted, Ctx, Groups, Person};
use crate::id_number::Region;
use crate::seed::catalog::STREETS;

pub(super) fn assistance(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person, groups: &mut Groups) {
    if rng.random_range(0..100) >= 3 {
        return;
    }
    let region = p.region();
    let from = date(rng.random_range(2012..=2018), rng.random_range(1..=12), 1);
    let to = rng
        .random_bool(0.4)
        .then(|| date(rng.random_range(2021..=2025), rng.random_range(1..=12), 28));
    groups.ranges.push((from, to));
    ctx.push::<row::Entity>(crate::departments::Department::CivilAffairs, |id| {
        row::Model {
            id,
            id_number: p.ids().into(),
            household_no: format!("MZ{region}{:08}", p.index % 100_000_000),
            kind: weighted(
                rng,
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
                STREETS.choose(rng).copied().unwrap_or("人民路"),
                rng.random_range(1..300)
            ),
            region_code: region,
            valid_from: from,
            valid_to: to,
        }
    });
}
