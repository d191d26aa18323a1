//! Training classes (培训班), filed with the labour department before they open.
use super::{SkillLevel, TrainingType};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_class")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub institution_id: i64,
    /// Occupation code from the national occupation classification, e.g. `4-10-01-02`.
    pub occupation_code: String,
    pub occupation_name: String,
    pub level: SkillLevel,
    pub training_type: TrainingType,
    /// Whether trainees from eligible groups may draw a living allowance (生活费补贴).
    pub living_allowance_eligible: bool,
    /// Online classes do not block a trainee's time, so overlaps are only checked offline.
    pub online: bool,
    /// Date the class was filed (备案); "file before opening".
    pub filed_on: Date,
    pub start_date: Date,
    pub end_date: Date,
    pub hours: i32,
    pub region_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::institution::Entity",
        from = "Column::InstitutionId",
        to = "super::institution::Column::Id"
    )]
    Institution,
    #[sea_orm(has_many = "super::enrolment::Entity")]
    Enrolment,
}

impl Related<super::institution::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Institution.def()
    }
}

impl Related<super::enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
