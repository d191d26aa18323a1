//! HRSS social insurance: contribution spells with successive employers, registered
//! unemployment, employment-difficulty status and the pension.

use chrono::Datelike;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::hrss_social::{record as si, SocialRecordKind};

use super::{add_days, county_name, date, generation_date, uscc, Ctx, Groups, Person};
use crate::seed::catalog::{DIFFICULTY_CATEGORIES, EMPLOYER_BRANDS, EMPLOYER_TRADES};

pub(super) fn records(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person, groups: &mut Groups) {
    let (ids, birth, county) = (p.ids(), p.birth, p.county);
    let pension_from = p.pensioner.then_some(p.pension_from);
    let today = generation_date();
    let region = p.region();
    let push = |ctx: &mut Ctx<'_>, rec: si::Model| {
        ctx.push::<si::Entity>(crate::departments::Department::HrssSocial, |id| si::Model {
            id,
            ..rec
        });
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
        groups.ranges.push((rec.valid_from, rec.valid_to));
        push(ctx, rec);
    }
    if let Some(p) = pension_from {
        let mut rec = blank(SocialRecordKind::Pension);
        rec.amount_fen = Some(rng.random_range(150_000..=450_000));
        rec.valid_from = p;
        push(ctx, rec);
    }
}
