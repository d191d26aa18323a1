//! City credit office (发展和改革委员会 信用办): the published credit blacklist.

pub mod blacklist {
    use sea_orm::entity::prelude::*;

    /// One listing on the city credit blacklist; `removed_on` is null while listed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "crd_blacklist")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub id_number: String,
        pub listed_on: Date,
        pub removed_on: Option<Date>,
        pub reason: String,
        pub authority: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
