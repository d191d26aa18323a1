//! Federation of trade unions (总工会): membership, distressed-worker files, model-worker titles.
use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum UnionRecordKind {
    #[sea_orm(string_value = "MEMBERSHIP")]
    Membership,
    /// 困难职工档案; `category` holds the hardship category.
    #[sea_orm(string_value = "DISTRESSED_WORKER")]
    DistressedWorker,
    /// 劳动模范; `category` holds the title, e.g. 市级劳动模范.
    #[sea_orm(string_value = "MODEL_WORKER")]
    ModelWorker,
}

pub mod record {
    use super::UnionRecordKind;
    use sea_orm::entity::prelude::*;

    /// The union publishes its person-level facts as one time-ranged record table.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "uni_record")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub kind: UnionRecordKind,
        pub organisation: String,
        pub category: Option<String>,
        pub valid_from: Date,
        pub valid_to: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
