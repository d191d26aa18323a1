//! The city credit blacklist: a few persons in a thousand, some listed while a subsidy was
//! paid to them (planted for `BLACKLISTED_SUBSIDISED`), others listed the day after their
//! last payment or removed the day before their first — near misses that must not fire.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::credit::blacklist as row;

use super::{add_days, date, Ctx, Person};
use crate::seed::Anomaly;

const REASONS: &[&str] = &[
    "以欺骗手段骗取职业培训补贴",
    "拖欠农民工工资",
    "虚假申报社会保险待遇",
    "失信被执行人（法院判决未履行）",
    "提供虚假材料申领就业补助资金",
];

const AUTHORITIES: &[&str] = &[
    "聊城市发展和改革委员会",
    "济南市发展和改革委员会",
    "聊城市人力资源和社会保障局",
    "济南市中级人民法院",
];

/// Runs after the person's trainings, so it can see what was paid to them (and draws
/// last, so that no other department's rows change).
pub(super) fn blacklist(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person) {
    let roll = rng.random_range(0..1000);
    if roll >= 5 {
        return;
    }
    let paid: Vec<_> = ctx
        .batch
        .tables
        .get::<entities::hrss_training::subsidy::Entity>()
        .iter()
        .rev()
        .take_while(|s| s.id_number == p.ids())
        .map(|s| s.paid_on)
        .collect();
    let (first, last) = (paid.iter().min().copied(), paid.iter().max().copied());
    let reason = REASONS.choose(rng).copied().unwrap_or(REASONS[0]);
    let authority = AUTHORITIES.choose(rng).copied().unwrap_or(AUTHORITIES[0]);
    let (listed_on, removed_on) = match (roll, first, last) {
        // Listed on or before a payment and not removed before it.
        (0..=2, Some(_), Some(last)) => {
            let listed = add_days(last, -rng.random_range(0..=400));
            let removed = rng
                .random_bool(0.5)
                .then(|| add_days(last, rng.random_range(0..=300)));
            ctx.batch
                .anomalies
                .push((p.id.clone(), Anomaly::BlacklistedSubsidised));
            ctx.batch.samples.push(p.id.clone());
            (listed, removed)
        }
        // Near misses: listed the day after the last payment, or removed the day before
        // the first.
        (3, Some(_), Some(last)) => (add_days(last, 1), None),
        (_, Some(first), Some(_)) => (
            add_days(first, -rng.random_range(30..=700)),
            Some(add_days(first, -1)),
        ),
        _ => {
            let listed = date(
                rng.random_range(2018..=2025),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
            );
            let removed = rng
                .random_bool(0.4)
                .then(|| add_days(listed, rng.random_range(180..=1000)));
            (listed, removed)
        }
    };
    ctx.push::<row::Entity>(crate::departments::Department::Credit, |id| row::Model {
        id,
        id_number: p.ids().into(),
        listed_on,
        removed_on,
        reason: reason.into(),
        authority: authority.into(),
    });
}
