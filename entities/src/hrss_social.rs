//! HRSS social insurance and employment (人社 社保/就业): contributions per employer,
//! registered unemployment, employment difficulty and monthly pension.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum SocialRecordKind {
    /// Contributions at one employer; `valid_from` is the first contribution there.
    #[sea_orm(string_value = "CONTRIBUTION")]
    Contribution,
    #[sea_orm(string_value = "REGISTERED_UNEMPLOYMENT")]
    RegisteredUnemployment,
    /// 就业困难人员; `category` holds the recognised difficulty.
    #[sea_orm(string_value = "EMPLOYMENT_DIFFICULTY")]
    EmploymentDifficulty,
    /// Entitlement to a monthly pension; `amount_fen` is the monthly amount.
    #[sea_orm(string_value = "PENSION")]
    Pension,
}

pub mod record {
    use super::SocialRecordKind;
    use sea_orm::entity::prelude::*;

    /// The shared status table the social-insurance system publishes: one time-ranged fact
    /// per row, so that a batch of persons is answered by one statement.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "si_record")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub kind: SocialRecordKind,
        /// Employer's unified social credit code (USCC), for contributions.
        pub employer_uscc: Option<String>,
        pub employer_name: Option<String>,
        pub category: Option<String>,
        /// Money in fen (1/100 CNY), never floating point.
        pub amount_fen: Option<i64>,
        pub region_code: String,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
