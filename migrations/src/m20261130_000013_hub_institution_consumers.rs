//! Training-institution consumers: bound to one institution by its USCC.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HubConsumer {
    Table,
    InstitutionUscc,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HubConsumer::Table)
                    .add_column(string_len_null(HubConsumer::InstitutionUscc, 18))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HubConsumer::Table)
                    .drop_column(HubConsumer::InstitutionUscc)
                    .to_owned(),
            )
            .await
    }
}
