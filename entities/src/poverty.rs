//! Poverty-alleviation office (扶贫办 / 乡村振兴局): registered-poor (建档立卡) household membership.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PovertyStatus {
    /// Still registered as poor.
    #[sea_orm(string_value = "POOR")]
    Poor,
    /// Lifted out of poverty (脱贫), no longer monitored.
    #[sea_orm(string_value = "EXITED")]
    Exited,
    /// Lifted out but under monitoring against relapse (防返贫监测).
    #[sea_orm(string_value = "MONITORED")]
    Monitored,
}

pub mod household_member {
    use super::PovertyStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pov_household_member")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub household_no: String,
        pub registered_on: Date,
        /// Year the household exited poverty; `None` while still poor.
        pub exit_year: Option<i32>,
        pub status: PovertyStatus,
        pub region_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
