//! Enrolments of persons in classes, with their results (先报名、后培训).
use super::TrainingResult;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trn_enrolment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub id_number: String,
    pub class_id: i64,
    /// Name and phone as given at enrolment (real-name registration, 实名制).
    pub trainee_name: String,
    pub phone: String,
    pub enrolled_on: Date,
    pub result: TrainingResult,
    pub attended_hours: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::class::Entity",
        from = "Column::ClassId",
        to = "super::class::Column::Id"
    )]
    Class,
}

impl Related<super::class::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Class.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
