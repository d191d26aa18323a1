//! The domain layer: every department's records about a person as plain serde types, a
//! person's joined [`Archive`], and time ranges — no GraphQL, no SQL, so that GraphQL
//! sections, screening rules, claim checks and caches can all read the same values.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::departments::{Department, DeptMap};
use crate::id_number::IdNumber;

/// One module per department (named in the registry), and the dispatch that needs the
/// concrete records type.
macro_rules! domain_departments {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        $( pub mod $module; )*

        /// A department's records when it holds nothing about a person: for a reader that
        /// knows a department cannot matter for some persons and so does not ask (the
        /// population screening reads the group departments only for persons paid a
        /// living allowance).
        pub fn empty_section(d: Department) -> Arc<dyn Section> {
            match d {
                $( Department::$variant => Arc::new(<$module::Records>::default()), )*
            }
        }
    };
}

crate::departments!(domain_departments);

pub mod provenance;
pub mod reports;

pub use provenance::{Backend, Provenance};

/// A fact valid over a date range, both ends inclusive; `None` as the end means "still
/// valid".
pub trait TimeRanged {
    fn valid_from(&self) -> NaiveDate;
    fn valid_to(&self) -> Option<NaiveDate>;

    fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from() <= date && self.valid_to().is_none_or(|to| date <= to)
    }
}

/// The records valid on `as_of`, or all of them when no date is given.
pub fn filter_as_of<T: TimeRanged>(records: &[T], as_of: Option<NaiveDate>) -> Vec<&T> {
    records
        .iter()
        .filter(|r| as_of.is_none_or(|d| r.valid_on(d)))
        .collect()
}

/// Everything one department holds about one person.
pub trait PersonRecords:
    Default + Clone + Debug + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static
{
    const DEPARTMENT: Department;

    /// Number of records (rows), for tracing and metrics.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Region codes (GB/T 2260) these records link the person to, for region admission.
    fn linked_regions(&self, _out: &mut Vec<String>) {}
}

/// A department's records about one person, with the concrete type erased so that the
/// archive, the sources and the loader need no list of departments.
pub trait Section: Debug + Send + Sync + 'static {
    fn department(&self) -> Department;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
    fn linked_regions(&self, out: &mut Vec<String>);
    fn as_any(&self) -> &dyn Any;
}

impl<T: PersonRecords> Section for T {
    fn department(&self) -> Department {
        T::DEPARTMENT
    }
    fn len(&self) -> usize {
        PersonRecords::len(self)
    }
    fn is_empty(&self) -> bool {
        PersonRecords::is_empty(self)
    }
    fn linked_regions(&self, out: &mut Vec<String>) {
        PersonRecords::linked_regions(self, out)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A department's section could not be read (the detail is in the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} unavailable")]
pub struct Unavailable(pub Department);

/// One person's archive: every department's records, each `Ok` or unavailable.
#[derive(Debug, Clone)]
pub struct Archive {
    pub id: IdNumber,
    sections: DeptMap<Result<Arc<dyn Section>, Unavailable>>,
    /// Each department's read, when the archive was loaded from the sources.
    provenance: DeptMap<Option<Arc<Provenance>>>,
}

impl Archive {
    /// `sections` must hold, for each department, that department's records.
    pub fn new(id: IdNumber, sections: DeptMap<Result<Arc<dyn Section>, Unavailable>>) -> Self {
        Self {
            id,
            sections,
            provenance: DeptMap::from_fn(|_| None),
        }
    }

    /// The same archive, saying where each department's section came from.
    pub fn with_provenance(mut self, provenance: DeptMap<Option<Arc<Provenance>>>) -> Self {
        self.provenance = provenance;
        self
    }

    /// Where department `d`'s section came from (`None`: not read from a source, or the
    /// read failed before anything answered).
    pub fn provenance(&self, d: Department) -> Option<&Arc<Provenance>> {
        self.provenance.get(d).as_ref()
    }

    /// The same archive with one department's records replaced (a claim check adds the
    /// claimed subsidy this way; nothing is written).
    pub fn with_section<T: PersonRecords>(&self, records: T) -> Archive {
        let mut sections = self.sections.clone();
        *sections.get_mut(T::DEPARTMENT) = Ok(Arc::new(records));
        Archive {
            id: self.id.clone(),
            sections,
            provenance: self.provenance.clone(),
        }
    }

    /// Whether department `d`'s records could be read.
    pub fn is_available(&self, d: Department) -> bool {
        self.sections.get(d).is_ok()
    }

    /// One department's records, typed.
    pub fn section<T: PersonRecords>(&self) -> Result<&T, Unavailable> {
        let unavailable = Unavailable(T::DEPARTMENT);
        match self.sections.get(T::DEPARTMENT) {
            Ok(s) => s.as_any().downcast_ref::<T>().ok_or(unavailable),
            Err(e) => Err(*e),
        }
    }

    /// Every department's section, type-erased.
    pub fn sections(
        &self,
    ) -> impl Iterator<Item = (Department, &Result<Arc<dyn Section>, Unavailable>)> {
        self.sections.iter()
    }

    /// Whether any department holds anything about the person. A department that could
    /// not be read cannot rule the person out, so it counts as "maybe".
    pub fn maybe_known(&self) -> bool {
        self.sections
            .values()
            .any(|s| s.as_ref().map_or(true, |s| !s.is_empty()))
    }

    /// The region codes the person is linked to: the ID number's own region plus what
    /// each readable department links them to, sorted and without duplicates.
    pub fn linked_regions(&self) -> Vec<String> {
        let mut codes = vec![self.id.region_code().to_string()];
        for s in self.sections.values().flatten() {
            s.linked_regions(&mut codes);
        }
        codes.sort();
        codes.dedup();
        codes
    }
}
