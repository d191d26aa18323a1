//! The eligible groups for the training living allowance (生活费补贴, 000 (八), 001 (十六)),
//! each judged on a day from the owning department's records. A distressed-worker file
//! (trade union) or registered unemployment alone is not a group.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::departments::Department;
use crate::domain::civil_affairs::{AssistanceKind, CivilAffairsRecords};
use crate::domain::education::{EducationRecords, SchoolType};
use crate::domain::hrss_social::{SocialRecordKind, SocialRecords};
use crate::domain::poverty::PovertyRecords;
use crate::domain::veterans::{VeteranCategory, VeteransRecords};
use crate::domain::{Archive, TimeRanged};

use super::{Evidence, RecordKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EligibleGroup {
    RegisteredPoor,
    UrbanMinimumSubsistence,
    RuralMinimumSubsistence,
    ExtremePoverty,
    ZeroEmploymentFamily,
    EmploymentDifficulty,
    SelfEmployedSoldier,
    SelfChosenCareerOfficer,
    DemobilisedCadre,
    /// 两后生: junior- or senior-high leavers who did not go on studying.
    TwoAfterGraduate,
}

impl EligibleGroup {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::RegisteredPoor => "建档立卡贫困人员",
            Self::UrbanMinimumSubsistence => "城市低保",
            Self::RuralMinimumSubsistence => "农村低保",
            Self::ExtremePoverty => "特困供养",
            Self::ZeroEmploymentFamily => "零就业家庭",
            Self::EmploymentDifficulty => "就业困难人员",
            Self::SelfEmployedSoldier => "自主就业退役士兵",
            Self::SelfChosenCareerOfficer => "自主择业军转干部",
            Self::DemobilisedCadre => "复员干部",
            Self::TwoAfterGraduate => "两后生",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::RegisteredPoor => "registered poor",
            Self::UrbanMinimumSubsistence => "urban minimum subsistence",
            Self::RuralMinimumSubsistence => "rural minimum subsistence",
            Self::ExtremePoverty => "extreme poverty",
            Self::ZeroEmploymentFamily => "zero-employment family",
            Self::EmploymentDifficulty => "employment difficulty",
            Self::SelfEmployedSoldier => "self-employed discharged soldier",
            Self::SelfChosenCareerOfficer => "self-chosen-career officer",
            Self::DemobilisedCadre => "demobilised cadre",
            Self::TwoAfterGraduate => "junior/senior-high leaver not in further study",
        }
    }
}

/// One group the person is in, and the record that puts them there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub group: EligibleGroup,
    pub evidence: Evidence,
}

/// The group departments, in the order `eligibility` lists them.
pub const GROUP_DEPARTMENTS: [Department; 5] = [
    Department::Poverty,
    Department::CivilAffairs,
    Department::HrssSocial,
    Department::Veterans,
    Department::Education,
];

pub fn poverty(r: &PovertyRecords, d: NaiveDate) -> Vec<Membership> {
    r.households
        .iter()
        .filter(|h| h.registered_on <= d && h.exit_year.is_none_or(|y| d.year() <= y))
        .map(|h| Membership {
            group: EligibleGroup::RegisteredPoor,
            evidence: Evidence::new(Department::Poverty, RecordKind::PovertyHousehold, h.id),
        })
        .collect()
}

pub fn civil_affairs(r: &CivilAffairsRecords, d: NaiveDate) -> Vec<Membership> {
    r.assistance
        .iter()
        .filter(|a| a.valid_on(d))
        .map(|a| Membership {
            group: match a.kind {
                AssistanceKind::UrbanMinimumSubsistence => EligibleGroup::UrbanMinimumSubsistence,
                AssistanceKind::RuralMinimumSubsistence => EligibleGroup::RuralMinimumSubsistence,
                AssistanceKind::ExtremePoverty => EligibleGroup::ExtremePoverty,
                AssistanceKind::ZeroEmploymentFamily => EligibleGroup::ZeroEmploymentFamily,
            },
            evidence: Evidence::new(Department::CivilAffairs, RecordKind::Assistance, a.id),
        })
        .collect()
}

pub fn hrss_social(r: &SocialRecords, d: NaiveDate) -> Vec<Membership> {
    r.records
        .iter()
        .filter(|s| s.kind == SocialRecordKind::EmploymentDifficulty && s.valid_on(d))
        .map(|s| Membership {
            group: EligibleGroup::EmploymentDifficulty,
            evidence: Evidence::new(Department::HrssSocial, RecordKind::SocialRecord, s.id),
        })
        .collect()
}

pub fn veterans(r: &VeteransRecords, d: NaiveDate) -> Vec<Membership> {
    r.records
        .iter()
        .filter(|v| v.discharged_on <= d)
        .filter_map(|v| {
            let group = match v.category {
                VeteranCategory::SelfEmployedSoldier => EligibleGroup::SelfEmployedSoldier,
                VeteranCategory::SelfChosenCareerOfficer => EligibleGroup::SelfChosenCareerOfficer,
                VeteranCategory::DemobilisedCadre => EligibleGroup::DemobilisedCadre,
                VeteranCategory::Other => return None,
            };
            Some(Membership {
                group,
                evidence: Evidence::new(Department::Veterans, RecordKind::Veteran, v.id),
            })
        })
        .collect()
}

/// 两后生 on `d`: left junior or senior high school on an earlier day without going on,
/// and in no school on `d` (a school's graduation day is still a school day).
pub fn education(r: &EducationRecords, d: NaiveDate) -> Vec<Membership> {
    if r.schooling.iter().any(|s| s.valid_on(d)) {
        return Vec::new();
    }
    r.schooling
        .iter()
        .filter(|s| {
            matches!(
                s.school_type,
                SchoolType::JuniorHigh | SchoolType::SeniorHigh
            ) && !s.continued_study
                && s.graduated_on.is_some_and(|g| g < d)
        })
        .map(|s| Membership {
            group: EligibleGroup::TwoAfterGraduate,
            evidence: Evidence::new(Department::Education, RecordKind::Schooling, s.id),
        })
        .collect()
}

/// One group department's groups on `d`; `None` when its records could not be read.
pub fn of_department(archive: &Archive, d: Department, day: NaiveDate) -> Option<Vec<Membership>> {
    Some(match d {
        Department::Poverty => poverty(archive.section().ok()?, day),
        Department::CivilAffairs => civil_affairs(archive.section().ok()?, day),
        Department::HrssSocial => hrss_social(archive.section().ok()?, day),
        Department::Veterans => veterans(archive.section().ok()?, day),
        Department::Education => education(archive.section().ok()?, day),
        _ => Vec::new(),
    })
}

/// Every group the person is in on `day`, from every group department (those that could
/// not be read give nothing; callers that must know check availability first).
pub fn groups_on(archive: &Archive, day: NaiveDate) -> Vec<Membership> {
    GROUP_DEPARTMENTS
        .iter()
        .filter_map(|d| of_department(archive, *d, day))
        .flatten()
        .collect()
}

/// The records a group judgement looks at: every record of the kinds that can make a
/// group (the evidence of a "in no group" finding).
pub fn records_looked_at(archive: &Archive) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Ok(r) = archive.section::<PovertyRecords>() {
        out.extend(
            r.households
                .iter()
                .map(|h| Evidence::new(Department::Poverty, RecordKind::PovertyHousehold, h.id)),
        );
    }
    if let Ok(r) = archive.section::<CivilAffairsRecords>() {
        out.extend(
            r.assistance
                .iter()
                .map(|a| Evidence::new(Department::CivilAffairs, RecordKind::Assistance, a.id)),
        );
    }
    if let Ok(r) = archive.section::<SocialRecords>() {
        out.extend(
            r.records
                .iter()
                .filter(|s| s.kind == SocialRecordKind::EmploymentDifficulty)
                .map(|s| Evidence::new(Department::HrssSocial, RecordKind::SocialRecord, s.id)),
        );
    }
    if let Ok(r) = archive.section::<VeteransRecords>() {
        out.extend(
            r.records
                .iter()
                .map(|v| Evidence::new(Department::Veterans, RecordKind::Veteran, v.id)),
        );
    }
    if let Ok(r) = archive.section::<EducationRecords>() {
        out.extend(
            r.schooling
                .iter()
                .map(|s| Evidence::new(Department::Education, RecordKind::Schooling, s.id)),
        );
    }
    out
}
