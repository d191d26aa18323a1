//! Education bureau (教育体育局): schooling history per person.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum SchoolType {
    #[sea_orm(string_value = "JUNIOR_HIGH")]
    JuniorHigh,
    #[sea_orm(string_value = "SENIOR_HIGH")]
    SeniorHigh,
    #[sea_orm(string_value = "SECONDARY_VOCATIONAL")]
    SecondaryVocational,
    #[sea_orm(string_value = "TECHNICAL_SCHOOL")]
    TechnicalSchool,
    #[sea_orm(string_value = "COLLEGE")]
    College,
    #[sea_orm(string_value = "UNIVERSITY")]
    University,
}

pub mod schooling {
    use super::SchoolType;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "edu_schooling")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub student_name: String,
        pub school_name: String,
        pub school_type: SchoolType,
        pub enrolled_on: Date,
        /// `None` while the person is still in school.
        pub graduated_on: Option<Date>,
        /// Whether the graduate went on to further study (decides 两后生).
        pub continued_study: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
