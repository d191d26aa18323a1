//! Each department's part of `Person`, as GraphQL types wrapping the domain types.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::domain::{Archive, PersonRecords};
use crate::error::HubError;

/// One module per department (named in the registry): its GraphQL types and catalog.
macro_rules! graphql_departments {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        $( pub mod $module; )*
    };
}

crate::departments!(graphql_departments);

/// A department's section of one person's archive. Built only once the section was read,
/// so [`SectionOf::get`] fails only if that invariant is broken.
pub struct SectionOf<T> {
    archive: Arc<Archive>,
    _records: PhantomData<fn() -> T>,
}

impl<T: PersonRecords> SectionOf<T> {
    /// The section, or `SOURCE_UNAVAILABLE` naming the department.
    pub fn of(archive: &Arc<Archive>) -> Result<Self, HubError> {
        archive
            .section::<T>()
            .map_err(|e| HubError::SourceUnavailable(e.0))?;
        Ok(Self {
            archive: archive.clone(),
            _records: PhantomData,
        })
    }

    /// Where the section came from.
    pub fn read_from(&self) -> Option<&crate::domain::Provenance> {
        self.archive.provenance(T::DEPARTMENT).map(|p| p.as_ref())
    }

    pub fn get(&self) -> Result<&T, HubError> {
        self.archive
            .section::<T>()
            .map_err(|e| HubError::SourceUnavailable(e.0))
    }
}
