//! Veterans affairs bureau (退役军人事务局): veteran category and discharge date.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum VeteranCategory {
    /// 自主就业退役士兵
    #[sea_orm(string_value = "SELF_EMPLOYED_SOLDIER")]
    SelfEmployedSoldier,
    /// 自主择业军队转业干部
    #[sea_orm(string_value = "SELF_CHOSEN_CAREER_OFFICER")]
    SelfChosenCareerOfficer,
    /// 复员干部
    #[sea_orm(string_value = "DEMOBILISED_CADRE")]
    DemobilisedCadre,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

pub mod veteran {
    use super::VeteranCategory;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "vet_veteran")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub category: VeteranCategory,
        pub discharged_on: Date,
        pub region_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
