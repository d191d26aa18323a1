//! Builds one person's archive for the rules' unit tests: every department readable and
//! empty unless a test adds records, dates written as `"2024-03-01"`.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::departments::{Department, DeptMap};
use crate::domain::civil_affairs::{AssistanceKind, AssistanceRecord, CivilAffairsRecords};
use crate::domain::credit::{BlacklistEntry, CreditRecords};
use crate::domain::education::{EducationRecords, SchoolType, SchoolingRecord};
use crate::domain::hrss_social::{SocialRecord, SocialRecordKind, SocialRecords};
use crate::domain::hrss_training::{
    Certificate, CertificateKind, CreditGrade, Institution, InstitutionKind, SkillLevel, Subsidy,
    SubsidyKind, Training, TrainingClass, TrainingFile, TrainingResult, TrainingType,
};
use crate::domain::poverty::{PovertyRecord, PovertyRecords, PovertyStatus};
use crate::domain::trade_union::UnionRecords;
use crate::domain::veterans::{VeteranCategory, VeteranRecord, VeteransRecords};
use crate::domain::{Archive, Section, Unavailable};
use crate::id_number::IdNumber;

pub const ID: &str = "371502199001011234";

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
}

#[derive(Default, Clone)]
pub struct Person {
    pub training: TrainingFile,
    pub social: SocialRecords,
    pub education: EducationRecords,
    pub civil: CivilAffairsRecords,
    pub veterans: VeteransRecords,
    pub poverty: PovertyRecords,
    pub credit: CreditRecords,
    pub down: Vec<Department>,
}

pub fn institution() -> Institution {
    Institution {
        id: 7,
        uscc: "91371500MA0000001X".into(),
        name: "聊城市职业技能培训中心".into(),
        kind: InstitutionKind::PublicTrainingCenter,
        in_directory: true,
        credit_grade: CreditGrade::A,
        region_code: "371502".into(),
    }
}

/// An offline employment-skills class, filed in time, at an approved institution.
pub fn class(
    id: i64,
    occupation: &str,
    level: SkillLevel,
    start: &str,
    end: &str,
) -> TrainingClass {
    TrainingClass {
        id,
        occupation_code: occupation.into(),
        occupation_name: format!("工种{occupation}"),
        level,
        training_type: TrainingType::EmploymentSkills,
        living_allowance_eligible: true,
        online: false,
        filed_on: d(start),
        start_date: d(start),
        end_date: d(end),
        hours: 80,
        region_code: "371502".into(),
        institution: Some(institution()),
    }
}

impl Person {
    pub fn enrol(&mut self, id: i64, class: TrainingClass) -> &mut Self {
        self.training.trainings.push(Training {
            enrolment_id: id,
            id_number: ID.into(),
            trainee_name: "张三".into(),
            phone: "13800000000".into(),
            enrolled_on: class.start_date,
            result: TrainingResult::Passed,
            attended_hours: 80,
            class: Some(class),
        });
        self
    }

    pub fn certificate(
        &mut self,
        id: i64,
        occupation: &str,
        level: SkillLevel,
        issued: &str,
        enrolment: Option<i64>,
    ) -> &mut Self {
        self.training.certificates.push(Certificate {
            id,
            id_number: ID.into(),
            kind: CertificateKind::SkillLevel,
            certificate_no: format!("C{id}"),
            occupation_code: occupation.into(),
            occupation_name: format!("工种{occupation}"),
            level,
            issued_on: d(issued),
            issuer: "聊城市人社局".into(),
            enrolment_id: enrolment,
        });
        self
    }

    pub fn subsidy(
        &mut self,
        id: i64,
        kind: SubsidyKind,
        paid: &str,
        enrolment: Option<i64>,
    ) -> &mut Self {
        self.pay(Subsidy {
            id,
            id_number: ID.into(),
            kind,
            amount_fen: 100_000,
            paid_on: d(paid),
            paying_county: "371502".into(),
            enrolment_id: enrolment,
            certificate_id: None,
            employer_uscc: None,
            months: None,
        })
    }

    pub fn pay(&mut self, s: Subsidy) -> &mut Self {
        self.training.subsidies.push(s);
        self
    }

    pub fn social(
        &mut self,
        id: i64,
        kind: SocialRecordKind,
        employer: Option<&str>,
        from: &str,
        to: Option<&str>,
    ) -> &mut Self {
        self.social.records.push(SocialRecord {
            id,
            id_number: ID.into(),
            kind,
            employer_uscc: employer.map(String::from),
            employer_name: employer.map(|e| format!("企业{e}")),
            category: None,
            amount_fen: None,
            region_code: "371502".into(),
            valid_from: d(from),
            valid_to: to.map(d),
        });
        self
    }

    pub fn assistance(
        &mut self,
        id: i64,
        kind: AssistanceKind,
        from: &str,
        to: Option<&str>,
    ) -> &mut Self {
        self.civil.assistance.push(AssistanceRecord {
            id,
            id_number: ID.into(),
            kind,
            household_no: "H1".into(),
            address: "聊城市东昌府区".into(),
            region_code: "371502".into(),
            valid_from: d(from),
            valid_to: to.map(d),
        });
        self
    }

    pub fn veteran(&mut self, id: i64, category: VeteranCategory, discharged: &str) -> &mut Self {
        self.veterans.records.push(VeteranRecord {
            id,
            id_number: ID.into(),
            category,
            discharged_on: d(discharged),
            region_code: "371502".into(),
        });
        self
    }

    pub fn poor(&mut self, id: i64, registered: &str, exit_year: Option<i32>) -> &mut Self {
        self.poverty.households.push(PovertyRecord {
            id,
            id_number: ID.into(),
            household_no: "P1".into(),
            registered_on: d(registered),
            exit_year,
            status: PovertyStatus::Exited,
            region_code: "371502".into(),
        });
        self
    }

    pub fn school(
        &mut self,
        id: i64,
        t: SchoolType,
        from: &str,
        to: Option<&str>,
        continued: bool,
    ) -> &mut Self {
        self.education.schooling.push(SchoolingRecord {
            id,
            id_number: ID.into(),
            student_name: "张三".into(),
            school_name: "聊城一中".into(),
            school_type: t,
            enrolled_on: d(from),
            graduated_on: to.map(d),
            continued_study: continued,
        });
        self
    }

    pub fn listed(&mut self, id: i64, listed: &str, removed: Option<&str>) -> &mut Self {
        self.credit.blacklist.push(BlacklistEntry {
            id,
            id_number: ID.into(),
            listed_on: d(listed),
            removed_on: removed.map(d),
            reason: "拖欠农民工工资".into(),
            authority: "聊城市发展和改革委员会".into(),
        });
        self
    }

    pub fn archive(&self) -> Archive {
        let id = IdNumber::parse(ID).expect("a valid test ID");
        let sections = DeptMap::from_fn(|dept| -> Result<Arc<dyn Section>, Unavailable> {
            if self.down.contains(&dept) {
                return Err(Unavailable(dept));
            }
            Ok(match dept {
                Department::HrssTraining => Arc::new(self.training.clone()),
                Department::HrssSocial => Arc::new(self.social.clone()),
                Department::Education => Arc::new(self.education.clone()),
                Department::CivilAffairs => Arc::new(self.civil.clone()),
                Department::Veterans => Arc::new(self.veterans.clone()),
                Department::Poverty => Arc::new(self.poverty.clone()),
                Department::TradeUnion => Arc::new(UnionRecords::default()),
                Department::Credit => Arc::new(self.credit.clone()),
            })
        });
        Archive::new(id, sections)
    }

    /// The flags of one rule.
    pub fn flags(&self, rule: crate::screening::ScreeningRule) -> Vec<crate::screening::Flag> {
        crate::screening::screen_rules(&self.archive(), &[rule]).flags
    }
}
