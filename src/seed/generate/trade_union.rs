//! Trade union: membership, distressed-worker files and model-worker titles. A
//! distressed-worker file alone is not an eligible group for the living allowance.

use chrono::Datelike;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::trade_union::{record as uni, UnionRecordKind};

use super::{county_name, date, Ctx, Person};
use crate::seed::catalog::{DISTRESS_CATEGORIES, MODEL_WORKER_TITLES};

pub(super) fn records(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person) {
    let (ids, county, birth) = (p.ids(), p.county, p.birth);
    if birth.year() > 2004 {
        return;
    }
    let org = format!("{}总工会", county_name(county));
    let push = |ctx: &mut Ctx<'_>, kind, category: Option<String>, from, to| {
        ctx.push::<uni::Entity>(crate::departments::Department::TradeUnion, |id| {
            uni::Model {
                id,
                id_number: ids.into(),
                kind,
                organisation: org.clone(),
                category,
                valid_from: from,
                valid_to: to,
            }
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
