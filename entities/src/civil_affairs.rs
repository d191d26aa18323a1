//! Civil affairs bureau (民政局): minimum-subsistence, extreme-poverty and zero-employment households.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AssistanceKind {
    #[sea_orm(string_value = "URBAN_MINIMUM_SUBSISTENCE")]
    UrbanMinimumSubsistence,
    #[sea_orm(string_value = "RURAL_MINIMUM_SUBSISTENCE")]
    RuralMinimumSubsistence,
    #[sea_orm(string_value = "EXTREME_POVERTY")]
    ExtremePoverty,
    #[sea_orm(string_value = "ZERO_EMPLOYMENT_FAMILY")]
    ZeroEmploymentFamily,
}

pub mod assistance {
    use super::AssistanceKind;
    use sea_orm::entity::prelude::*;

    /// One person's membership of an assisted household, valid from/to.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "civ_assistance")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub household_no: String,
        pub kind: AssistanceKind,
        /// Household address as registered; region code of the county it lies in.
        pub address: String,
        pub region_code: String,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
