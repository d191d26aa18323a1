//! Poverty alleviation: registered poor-household members, most of whom exited by 2020;
//! eligible for a training living allowance from registration until exit.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::poverty::{household_member as row, PovertyStatus};

use super::{date, weighted, Ctx, Groups, Person};

pub(super) fn household_member(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    p: &Person,
    groups: &mut Groups,
) {
    if rng.random_range(0..100) >= 3 {
        return;
    }
    let registered = date(rng.random_range(2014..=2016), rng.random_range(1..=12), 1);
    let (status, exit_year) = weighted(
        rng,
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
    let region = p.region();
    ctx.push::<row::Entity>(crate::departments::Department::Poverty, |id| row::Model {
        id,
        id_number: p.ids().into(),
        household_no: format!("FP{region}{:08}", p.index % 100_000_000),
        registered_on: registered,
        exit_year,
        status,
        region_code: region,
    });
}
