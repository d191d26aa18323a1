//! The archive as the rules read it: the person's trainings (an enrolment with the
//! certificates linked to it, or a certificate without enrolment), which training each
//! subsidy belongs to, and which trainings count as *subsidised* — the contract's terms,
//! worked out once per person.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use crate::departments::Department;
use crate::domain::credit::CreditRecords;
use crate::domain::hrss_social::SocialRecords;
use crate::domain::hrss_training::{
    Certificate, SkillLevel, Subsidy, SubsidyKind, Training, TrainingClass, TrainingFile,
    TrainingType,
};
use crate::domain::Archive;

use super::{Evidence, RecordKind};

/// One training: an enrolment (with its linked certificates), or a certificate with no
/// enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrainingKey {
    Enrolment(i64),
    Certificate(i64),
}

/// One training and everything that belongs to it.
#[derive(Debug, Default)]
pub struct Unit<'a> {
    /// The enrolment; `None` for a certificate-only training (or an enrolment id that a
    /// subsidy names but the archive does not hold).
    pub enrolment: Option<&'a Training>,
    /// The certificate of a certificate-only training.
    pub certificate: Option<&'a Certificate>,
    /// Certificates whose `enrolment_id` is this enrolment.
    pub linked_certificates: Vec<&'a Certificate>,
    /// Every subsidy that belongs to it (any kind), oldest first.
    pub subsidies: Vec<&'a Subsidy>,
}

impl<'a> Unit<'a> {
    pub fn class(&self) -> Option<&'a TrainingClass> {
        self.enrolment.and_then(|e| e.class.as_ref())
    }

    /// An enrolment in a 以工代训 class: never a subsidised training.
    fn work_for_training_class(&self) -> bool {
        self.class()
            .is_some_and(|c| c.training_type == TrainingType::WorkForTraining)
    }

    pub fn subsidies_of(&self, kind: SubsidyKind) -> impl Iterator<Item = &'a Subsidy> + '_ {
        self.subsidies
            .iter()
            .copied()
            .filter(move |s| s.kind == kind)
    }

    /// Has at least one `TRAINING` subsidy, and is not a 以工代训 class.
    pub fn subsidised(&self) -> bool {
        !self.work_for_training_class() && self.subsidies_of(SubsidyKind::Training).next().is_some()
    }

    /// The calendar year of the earliest `TRAINING` subsidy.
    pub fn year(&self) -> Option<i32> {
        self.subsidies_of(SubsidyKind::Training)
            .map(|s| s.paid_on)
            .min()
            .map(|d| d.year())
    }

    /// The class's occupation and level, or the certificate's for a certificate-only
    /// training.
    pub fn occupation_level(&self) -> Option<(&'a str, SkillLevel)> {
        if let Some(e) = self.enrolment {
            return e
                .class
                .as_ref()
                .map(|c| (c.occupation_code.as_str(), c.level));
        }
        self.certificate
            .map(|c| (c.occupation_code.as_str(), c.level))
    }

    /// When it took place: the class's start, or the certificate's issue date.
    pub fn start(&self) -> Option<NaiveDate> {
        match self.enrolment {
            Some(e) => e.class.as_ref().map(|c| c.start_date),
            None => self.certificate.map(|c| c.issued_on),
        }
    }

    /// Its own record: the enrolment or the certificate.
    pub fn record(&self, key: TrainingKey) -> Evidence {
        match key {
            TrainingKey::Enrolment(id) => Evidence::training(RecordKind::Enrolment, id),
            TrainingKey::Certificate(id) => Evidence::training(RecordKind::Certificate, id),
        }
    }
}

/// The rules' view of one person.
pub struct Facts<'a> {
    pub archive: &'a Archive,
    pub training: &'a TrainingFile,
    /// Every training, by key (in key order, so flags come out the same each time).
    pub units: BTreeMap<TrainingKey, Unit<'a>>,
    /// Which training each subsidy belongs to.
    subsidy_unit: HashMap<i64, TrainingKey>,
    /// Every subsidy, oldest first.
    subsidies: Vec<&'a Subsidy>,
}

impl<'a> Facts<'a> {
    /// `None` when HRSS training could not be read (every rule reads it).
    pub fn of(archive: &'a Archive) -> Option<Self> {
        let training = archive.section::<TrainingFile>().ok()?;
        let mut units: BTreeMap<TrainingKey, Unit<'a>> = BTreeMap::new();
        for t in &training.trainings {
            units
                .entry(TrainingKey::Enrolment(t.enrolment_id))
                .or_default()
                .enrolment = Some(t);
        }
        let enrolled: std::collections::HashSet<i64> =
            training.trainings.iter().map(|t| t.enrolment_id).collect();
        // A certificate's training: the enrolment it names, when the person has it.
        let cert_key = |c: &Certificate| match c.enrolment_id {
            Some(e) if enrolled.contains(&e) => TrainingKey::Enrolment(e),
            _ => TrainingKey::Certificate(c.id),
        };
        for c in &training.certificates {
            match cert_key(c) {
                k @ TrainingKey::Enrolment(_) => {
                    units.entry(k).or_default().linked_certificates.push(c)
                }
                k @ TrainingKey::Certificate(_) => {
                    units.entry(k).or_default().certificate = Some(c)
                }
            }
        }
        let mut subsidy_unit = HashMap::new();
        let mut subsidies: Vec<&Subsidy> = training.subsidies.iter().collect();
        subsidies.sort_by_key(|s| (s.paid_on, s.id));
        for s in subsidies.iter().copied() {
            let key = match (s.enrolment_id, s.certificate_id) {
                (Some(e), _) => Some(TrainingKey::Enrolment(e)),
                (None, Some(c)) => Some(
                    training
                        .certificates
                        .iter()
                        .find(|x| x.id == c)
                        .map_or(TrainingKey::Certificate(c), cert_key),
                ),
                (None, None) => None,
            };
            if let Some(k) = key {
                units.entry(k).or_default().subsidies.push(s);
                subsidy_unit.insert(s.id, k);
            }
        }
        Some(Self {
            archive,
            training,
            units,
            subsidy_unit,
            subsidies,
        })
    }

    /// The training a subsidy belongs to.
    pub fn unit_of(&self, subsidy: &Subsidy) -> Option<(TrainingKey, &Unit<'a>)> {
        let k = *self.subsidy_unit.get(&subsidy.id)?;
        self.units.get(&k).map(|u| (k, u))
    }

    /// The subsidy's enrolment, found the contract's way.
    pub fn enrolment_of(&self, subsidy: &Subsidy) -> Option<&'a Training> {
        self.unit_of(subsidy).and_then(|(_, u)| u.enrolment)
    }

    /// The subsidised trainings.
    pub fn subsidised(&self) -> impl Iterator<Item = (TrainingKey, &Unit<'a>)> {
        self.units
            .iter()
            .filter(|(_, u)| u.subsidised())
            .map(|(k, u)| (*k, u))
    }

    /// Every subsidy, oldest first.
    pub fn subsidies(&self) -> impl Iterator<Item = &'a Subsidy> + '_ {
        self.subsidies.iter().copied()
    }

    pub fn social(&self) -> Option<&'a SocialRecords> {
        self.archive.section::<SocialRecords>().ok()
    }

    pub fn credit(&self) -> Option<&'a CreditRecords> {
        self.archive.section::<CreditRecords>().ok()
    }
}

/// `Evidence` for a subsidy.
pub fn subsidy(s: &Subsidy) -> Evidence {
    Evidence::training(RecordKind::Subsidy, s.id)
}

/// `Evidence` for a class.
pub fn class(c: &TrainingClass) -> Evidence {
    Evidence::training(RecordKind::Class, c.id)
}

/// `Evidence` for a record of another department.
pub fn other(department: Department, record: RecordKind, id: i64) -> Evidence {
    Evidence::new(department, record, id)
}

/// A date as the explanations write it.
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
