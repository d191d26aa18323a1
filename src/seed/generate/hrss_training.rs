//! HRSS vocational training: a person's enrolments and, for those passed, the certificate
//! and the subsidies paid — both for ordinary trainings and for the planted anomalies.

use chrono::Datelike;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use entities::hrss_training::{
    certificate, enrolment, subsidy, CertificateKind, SkillLevel, SubsidyKind, TrainingResult,
    TrainingType,
};

use super::{add_days, city_name, weighted, Ctx, Groups, Person};
use super::{FIRST_TRAINING_YEAR, LAST_TRAINING_YEAR};
use crate::id_number::IdNumber;
use crate::seed::catalog::OCCUPATIONS;

pub(super) struct Trainee<'a> {
    id: &'a IdNumber,
    name: &'a str,
    phone: &'a str,
    pub(super) groups: &'a Groups,
}

impl<'a> Trainee<'a> {
    /// `groups` must be complete: the living allowance is paid only while one of them covers
    /// the class's start.
    pub(super) fn new(p: &'a Person, groups: &'a Groups) -> Self {
        Self {
            id: &p.id,
            name: &p.name,
            phone: &p.phone,
            groups,
        }
    }
}

pub(super) struct EnrolOpts {
    pub(super) force_pass: bool,
    /// Pay the living allowance whatever the trainee's groups (planted anomaly).
    pub(super) force_allowance: bool,
    pub(super) wft_months: Option<i32>,
    /// Pay the training subsidy a second time from this other county (planted anomaly).
    pub(super) second_county: Option<String>,
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

    pub(super) fn passed() -> Self {
        Self {
            force_pass: true,
            ..Self::normal()
        }
    }
}

/// The person's ordinary trainings: a few, in distinct years, never the same occupation at
/// the same level twice.
pub(super) fn trainings(ctx: &mut Ctx<'_>, rng: &mut ChaCha8Rng, p: &Person, t: &Trainee<'_>) {
    let last_year = if p.pensioner {
        // Keep normal trainings (and their later subsidy payment) clear of the pension.
        (p.pension_from.year() - 2).min(LAST_TRAINING_YEAR)
    } else {
        LAST_TRAINING_YEAR
    };
    let mut years: Vec<i32> = (FIRST_TRAINING_YEAR.max(p.birth.year() + 16)..=last_year).collect();
    let n = weighted(
        rng,
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
    years.shuffle(rng);
    years.truncate(n);
    years.sort_unstable();
    let mut used: Vec<(String, SkillLevel)> = Vec::new();
    let mut count = 0;
    for y in years {
        let candidates = ctx.world.year_classes(y, p.group);
        for _ in 0..8 {
            let Some(&ci) = candidates.choose(rng) else {
                break;
            };
            let c = ctx.world.class(ci);
            let key = (c.occupation_code.clone(), c.level);
            if used.contains(&key) {
                continue;
            }
            used.push(key);
            enrol(ctx, rng, t, ci, EnrolOpts::normal());
            count += 1;
            break;
        }
    }
    if count >= 2 && ctx.batch.samples.len() < 50 {
        ctx.batch.samples.push(p.id.clone());
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

pub(super) fn enrol(
    ctx: &mut Ctx<'_>,
    rng: &mut ChaCha8Rng,
    t: &Trainee<'_>,
    ci: usize,
    opts: EnrolOpts,
) {
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
    let enrolment_id = ctx.next_id::<enrolment::Entity>();
    ctx.add::<enrolment::Entity>(
        crate::departments::Department::HrssTraining,
        enrolment::Model {
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
        },
    );
    if result != TrainingResult::Passed {
        return;
    }
    let paid_on = add_days(c.end_date, rng.random_range(20..=60));
    if c.training_type == TrainingType::WorkForTraining {
        // 以工代训: paid to the employer, no certificate, for a new hire — contributions
        // there from the class's start, paid within that same year (002 §1).
        let months = opts.wft_months.unwrap_or_else(|| rng.random_range(1..=6));
        let year_end = super::date(c.start_date.year(), 12, 31);
        let paid_on = paid_on.min(year_end);
        ctx.push::<entities::hrss_social::record::Entity>(
            crate::departments::Department::HrssSocial,
            |id| entities::hrss_social::record::Model {
                id,
                id_number: t.id.as_str().into(),
                kind: entities::hrss_social::SocialRecordKind::Contribution,
                employer_uscc: Some(inst.uscc.clone()),
                employer_name: Some(inst.name.clone()),
                category: None,
                amount_fen: None,
                region_code: c.region_code.clone(),
                valid_from: c.start_date,
                valid_to: None,
            },
        );
        ctx.push::<subsidy::Entity>(crate::departments::Department::HrssTraining, |id| {
            subsidy::Model {
                id,
                id_number: t.id.as_str().into(),
                kind: SubsidyKind::WorkForTraining,
                amount_fen: 50_000 * i64::from(months),
                paid_on,
                paying_county: c.region_code.clone(),
                enrolment_id: Some(enrolment_id),
                certificate_id: None,
                employer_uscc: Some(inst.uscc.clone()),
                months: Some(months),
            }
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
    let certificate_id = ctx.next_id::<certificate::Entity>();
    ctx.add::<certificate::Entity>(
        crate::departments::Department::HrssTraining,
        certificate::Model {
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
        },
    );
    let pay = |ctx: &mut Ctx<'_>, kind, amount_fen, county: String| {
        ctx.push::<subsidy::Entity>(crate::departments::Department::HrssTraining, |id| {
            subsidy::Model {
                id,
                id_number: t.id.as_str().into(),
                kind,
                amount_fen,
                paid_on,
                paying_county: county,
                enrolment_id: Some(enrolment_id),
                certificate_id: (kind == SubsidyKind::Training).then_some(certificate_id),
                employer_uscc: None,
                months: None,
            }
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
