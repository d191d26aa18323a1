//! Veterans affairs: discharged service members, mostly men; all but the "other" category
//! are eligible for a training living allowance from discharge on.

use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::veterans::{veteran as row, VeteranCategory};

use super::{date, weighted, Ctx, Groups, Person};

pub(super) fn veteran(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person, groups: &mut Groups) {
    let birth = p.birth;
    // Drawn for everyone, even those too young to have served, so that later draws do not
    // depend on age.
    let roll = rng.random_range(0..1000);
    if roll >= if p.male { 35 } else { 5 } || birth.year() > 2002 {
        return;
    }
    let discharged = date(
        rng.random_range((birth.year() + 20).max(1990)..=2024.min(birth.year() + 40)),
        rng.random_range(1..=12),
        1,
    );
    let category = weighted(
        rng,
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
    ctx.push::<row::Entity>(crate::departments::Department::Veterans, |id| row::Model {
        id,
        id_number: p.ids().into(),
        category,
        discharged_on: discharged,
        region_code: p.region(),
    });
}
