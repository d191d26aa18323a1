//! `Person`: identity derived from the ID number plus one section per department, each
//! read from the person's archive (loaded once per request through the archive loader).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{Datelike, NaiveDate};

use super::scalars::Date;
use crate::departments::Department;
use crate::domain::Archive;
use crate::id_number::{self, IdNumber};
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

/// What `Person` has whatever the departments hold: the ID number, what it says, and the
/// judgements over the whole archive.
pub struct PersonCore {
    archive: Arc<Archive>,
}

/// `Person` is its core fields merged with each department's own (each department's
/// GraphQL module contributes its `PersonFields`), so a new department adds its section
/// in its own file.
macro_rules! person_object {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        /// A person in the archive, keyed by resident ID number. Each department's section
        /// is null (with a `SOURCE_UNAVAILABLE` error naming the department) when that
        /// department's source cannot be read; the rest of the person still comes back.
        #[derive(async_graphql::MergedObject)]
        pub struct Person(PersonCore, $( super::departments::$module::PersonFields, )*);

        impl Person {
            pub fn new(archive: Arc<Archive>) -> Self {
                Person(
                    PersonCore { archive: archive.clone() },
                    $( super::departments::$module::PersonFields(archive.clone()), )*
                )
            }
        }
    };
}

crate::departments!(person_object);

#[Object(name = "PersonCore")]
impl PersonCore {
    /// The normalised 18-character ID number.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Unconditional,
        true,
        MaskKind::IdNumber,
    ))]
    async fn id_number(&self) -> Option<&IdNumber> {
        Some(&self.archive.id)
    }

    /// Facts derived from the ID number itself.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn identity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Identity>> {
        Ok(Some(Identity::of(&self.archive.id, super::today(ctx)?)))
    }

    /// Screening (有效筛选): the flags of the rules this consumer may see, the rules that
    /// could not be judged, and the rules withheld from it.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn screening(&self) -> Option<super::screening::Screening> {
        Some(super::screening::Screening::new(self.archive.clone()))
    }

    /// Where every department's section came from (a department whose source could not
    /// be read is absent), in registry order. HRSS training's lists (`trainings`,
    /// `certificates`, `subsidies`) have theirs here only.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<Vec<&crate::domain::Provenance>> {
        Some(
            Department::ALL
                .iter()
                .filter_map(|d| self.archive.provenance(*d).map(|p| p.as_ref()))
                .collect(),
        )
    }

    /// Living-allowance groups and other answers about one day, each governed by the
    /// department whose records decide it.
    #[graphql(directive = share::apply(
        Department::HrssTraining,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn eligibility(&self, as_of: Date) -> Option<super::screening::Eligibility> {
        Some(super::screening::Eligibility {
            archive: self.archive.clone(),
            day: as_of.0,
        })
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Sex {
    Male,
    Female,
}

/// Administrative division of the ID number's first six digits (GB/T 2260). Names are
/// null where the code is not in the table (codes change; that does not make an ID invalid).
#[derive(SimpleObject, Debug, Clone)]
pub struct Region {
    pub code: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub full_name: Option<String>,
}

/// What the ID number itself says about its holder.
#[derive(Debug, Clone)]
pub struct Identity {
    pub masked_id_number: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub age: i32,
    pub region: Region,
}

crate::shared_object!(
    /// What the ID number itself says about its holder.
    Identity {
        /// `371502********123X`
        masked_id_number: &String => HrssTraining, Unconditional, plain, None;
        birth_date: Date => HrssTraining, Conditional, sensitive, None;
        sex: &Sex => HrssTraining, Unconditional, plain, None;
        /// Age in whole years today.
        age: &i32 => HrssTraining, Unconditional, plain, None;
        region: &Region => HrssTraining, Unconditional, plain, None;
    }
);

impl Identity {
    /// What `id` says, with the age on `today`.
    pub fn of(id: &IdNumber, today: NaiveDate) -> Self {
        let birth = id.birth_date();
        let mut age = today.year() - birth.year();
        if (today.month(), today.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        let r = id.region();
        Identity {
            masked_id_number: id.masked(),
            birth_date: birth,
            sex: match id.sex() {
                id_number::Sex::Male => Sex::Male,
                id_number::Sex::Female => Sex::Female,
            },
            age,
            region: Region {
                full_name: r.full_name(),
                code: r.code,
                province: r.province.map(Into::into),
                city: r.city.map(Into::into),
                county: r.county.map(Into::into),
            },
        }
    }
}
