//! The credit office's part of `Person`: listings on the city credit blacklist.

use async_graphql::Object;

use crate::domain::credit::{BlacklistEntry, CreditRecords};
use crate::domain::filter_as_of;
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

crate::shared_object!(
    /// A listing on the city credit blacklist (失信名单), from `listedOn` to `removedOn`
    /// inclusive; `removedOn` is null while the person is still listed.
    BlacklistEntry {
        listed_on: Date => Credit, Conditional, plain, None;
        removed_on: Option<Date> => Credit, Conditional, plain, None;
        reason: &String => Credit, Conditional, sensitive, None;
        authority: &String => Credit, Conditional, plain, None;
    }
);

/// What the credit office shares about a person.
pub type CreditSection = SectionOf<CreditRecords>;

#[Object(name = "CreditSection")]
impl CreditSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::Credit,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Blacklist listings; with `asOf`, only one in force on that date. Whether there are
    /// any is itself credit status: a list under the policy like any record field.
    #[graphql(directive = share::apply(
        Department::Credit,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn blacklist(
        &self,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&BlacklistEntry>>> {
        Ok(Some(filter_as_of(
            &self.get()?.blacklist,
            as_of.map(|d| d.0),
        )))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonCredit")]
impl PersonFields {
    /// City credit office: listings on the credit blacklist.
    #[graphql(directive = share::apply(
        Department::Credit,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn credit(&self) -> async_graphql::Result<Option<CreditSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
