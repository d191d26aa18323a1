//! One file per rule: each a pure function from a person's [`Facts`] to its flags, with
//! its unit tests (a case that fires and the near misses that must not) beside it.

use super::{Facts, Flag, ScreeningRule};

mod annual_limit;
mod blacklisted_subsidised;
mod class_filed_late;
mod duplicate_subsidy;
mod institution_not_approved;
mod living_allowance_ineligible;
mod lower_level_after_higher;
mod overlapping_classes;
mod pensioner_subsidised;
mod repeated_occupation_level;
mod work_for_training_not_new_hire;
mod work_for_training_over_6_months;

#[cfg(test)]
pub(crate) mod testkit;

pub(super) fn run(rule: ScreeningRule, f: &Facts<'_>) -> Vec<Flag> {
    match rule {
        ScreeningRule::AnnualLimit => annual_limit::run(f),
        ScreeningRule::RepeatedOccupationLevel => repeated_occupation_level::run(f),
        ScreeningRule::LowerLevelAfterHigher => lower_level_after_higher::run(f),
        ScreeningRule::OverlappingClasses => overlapping_classes::run(f),
        ScreeningRule::PensionerSubsidised => pensioner_subsidised::run(f),
        ScreeningRule::LivingAllowanceIneligible => living_allowance_ineligible::run(f),
        ScreeningRule::WorkForTrainingOver6Months => work_for_training_over_6_months::run(f),
        ScreeningRule::WorkForTrainingNotNewHire => work_for_training_not_new_hire::run(f),
        ScreeningRule::ClassFiledLate => class_filed_late::run(f),
        ScreeningRule::InstitutionNotApproved => institution_not_approved::run(f),
        ScreeningRule::DuplicateSubsidy => duplicate_subsidy::run(f),
        ScreeningRule::BlacklistedSubsidised => blacklisted_subsidised::run(f),
    }
}

/// The level as the explanations write it.
pub(super) fn level_name(
    l: crate::domain::hrss_training::SkillLevel,
) -> (&'static str, &'static str) {
    use crate::domain::hrss_training::SkillLevel as L;
    match l {
        L::Level5 => ("五级/初级工", "level 5"),
        L::Level4 => ("四级/中级工", "level 4"),
        L::Level3 => ("三级/高级工", "level 3"),
        L::Level2 => ("二级/技师", "level 2"),
        L::Level1 => ("一级/高级技师", "level 1"),
        L::SpecialAbility => ("专项职业能力", "special ability"),
        L::CompletionOnly => ("培训合格", "completion only"),
    }
}

pub(super) fn kind_name(
    k: crate::domain::hrss_training::SubsidyKind,
) -> (&'static str, &'static str) {
    use crate::domain::hrss_training::SubsidyKind as K;
    match k {
        K::Training => ("职业培训补贴", "training subsidy"),
        K::SkillAssessment => ("技能评价补贴", "skill-assessment subsidy"),
        K::LivingAllowance => ("生活费补贴", "living allowance"),
        K::WorkForTraining => ("以工代训补贴", "work-for-training subsidy"),
    }
}
