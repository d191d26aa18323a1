//! Each department's part of `Person`, as GraphQL types wrapping the domain types.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::domain::{Archive, PersonRecords};
use crate::error::HubError;

pub mod civil_affairs;
pub mod credit;
pub mod education;
pub mod hrss_social;
pub mod hrss_training;
pub mod poverty;
pub mod trade_union;
pub mod veterans;

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

    pub fn get(&self) -> Result<&T, HubError> {
        self.archive
            .section::<T>()
            .map_err(|e| HubError::SourceUnavailable(e.0))
    }
}
