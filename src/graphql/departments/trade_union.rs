//! The trade union's part of `Person`: membership, distressed-worker files, titles.

use async_graphql::{Enum, Object};

use crate::domain::filter_as_of;
use crate::domain::trade_union::{self as domain, UnionRecord, UnionRecords};
use crate::graphql::scalars::Date;

use super::SectionOf;
use crate::departments::Department;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::mask::MaskKind;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "domain::UnionRecordKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum UnionRecordKind {
    Membership,
    /// 困难职工; `category` is the hardship category.
    DistressedWorker,
    /// 劳动模范; `category` is the title.
    ModelWorker,
}

crate::gql_enums!(UnionRecordKind => domain::UnionRecordKind);

crate::shared_object!(
    UnionRecord {
        kind: UnionRecordKind => TradeUnion, Conditional, plain, None;
        organisation: &String => TradeUnion, Unconditional, plain, None;
        category: &Option<String> => TradeUnion, Conditional, sensitive, None;
        valid_from: Date => TradeUnion, Conditional, plain, None;
        valid_to: Option<Date> => TradeUnion, Conditional, plain, None;
    }
);

/// What the trade union shares about a person.
pub type UnionSection = SectionOf<UnionRecords>;

#[Object(name = "UnionSection")]
impl UnionSection {
    /// Where this section came from: owner, answering system, backend, read time and
    /// the source's as-of time.
    #[graphql(directive = share::apply(
        Department::TradeUnion,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn provenance(&self) -> Option<&crate::domain::Provenance> {
        self.read_from()
    }

    /// Union records, optionally of one kind and valid on one date.
    #[graphql(directive = share::apply(
        Department::TradeUnion,
        SharingClass::Conditional,
        true,
        MaskKind::None,
    ))]
    async fn records(
        &self,
        kind: Option<UnionRecordKind>,
        as_of: Option<Date>,
    ) -> async_graphql::Result<Option<Vec<&UnionRecord>>> {
        let kind = kind.map(domain::UnionRecordKind::from);
        Ok(Some(
            filter_as_of(&self.get()?.records, as_of.map(|d| d.0))
                .into_iter()
                .filter(|r| kind.is_none_or(|k| r.kind == k))
                .collect(),
        ))
    }
}

/// This department's fields on `Person` (merged into it).
pub struct PersonFields(pub std::sync::Arc<crate::domain::Archive>);

#[async_graphql::Object(name = "PersonTradeUnion")]
impl PersonFields {
    /// Trade union: membership, distressed-worker file, model-worker titles.
    #[graphql(directive = share::apply(
        Department::TradeUnion,
        SharingClass::Unconditional,
        false,
        MaskKind::None,
    ))]
    async fn union(&self) -> async_graphql::Result<Option<UnionSection>> {
        Ok(Some(SectionOf::of(&self.0)?))
    }
}
