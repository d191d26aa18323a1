//! Training institutions (培训机构) with directory and credit status.
use super::{CreditGrade, InstitutionKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_institution")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unified social credit code (统一社会信用代码), 18 characters.
    #[sea_orm(unique)]
    pub uscc: String,
    pub name: String,
    pub kind: InstitutionKind,
    /// On the published directory of approved institutions (目录清单).
    pub in_directory: bool,
    pub credit_grade: CreditGrade,
    pub region_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::class::Entity")]
    Class,
}

impl Related<super::class::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Class.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
