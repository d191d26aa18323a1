//! Planted anomalies: for a few persons, trainings chosen to break one screening rule,
//! recorded in the batch so tests can check that the rule finds them.

use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::hrss_training::{class, TrainingType};

use super::hrss_training::{enrol, EnrolOpts, Trainee};
use super::{Ctx, Person, ANOMALY_PER_MILLE, FIRST_TRAINING_YEAR, LAST_TRAINING_YEAR};
use crate::seed::Anomaly;

/// Plants an anomaly on about `ANOMALY_PER_MILLE` in a thousand persons. True when one was
/// planted: its trainings then stand in for the person's ordinary ones.
pub(super) fn maybe_plant(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    p: &Person,
    t: &Trainee<'_>,
) -> bool {
    // Drawn for everyone, so that later draws do not depend on who gets an anomaly.
    if rng.random_range(0..1000) >= ANOMALY_PER_MILLE {
        return false;
    }
    let mut options = vec![
        Anomaly::TooManySubsidisedTrainingsInYear,
        Anomaly::SameOccupationLevelTwice,
        Anomaly::OverlappingClasses,
        Anomaly::WorkForTrainingOverSixMonths,
        Anomaly::SubsidisedInTwoCounties,
    ];
    if p.pensioner && p.pension_from.year() <= LAST_TRAINING_YEAR {
        options.push(Anomaly::SubsidyToPensioner);
    }
    if t.groups.never() {
        options.push(Anomaly::LivingAllowanceOutsideEligibleGroups);
    }
    // `plant` picks any training year, so only persons adult in all of them qualify.
    if p.birth.year() + 16 > FIRST_TRAINING_YEAR {
        return false;
    }
    let kind = *options.choose(rng).unwrap_or(&Anomaly::OverlappingClasses);
    if !plant(ctx, rng, t, p.group, kind, p.pension_from) {
        return false;
    }
    ctx.batch.anomalies.push((p.id.clone(), kind));
    ctx.batch.samples.push(p.id.clone());
    true
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
                    // Paid (20 to 60 days after the end) within the same calendar year:
                    // a subsidised training's year is its first payment's.
                    let same_year = super::add_days(c.end_date, 60).year() == year;
                    if offline_subsidised(c) && !clash && same_year {
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
        // Planted by the credit office's generator, which sees the payments.
        Anomaly::BlacklistedSubsidised => false,
    }
}
