//! Trade union: membership, distressed-worker and model-worker records.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum UniRecord {
    Table,
    Id,
    IdNumber,
    Kind,
    Organisation,
    Category,
    ValidFrom,
    ValidTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UniRecord::Table)
                    .col(big_pk_auto(UniRecord::Id))
                    .col(string_len(UniRecord::IdNumber, 18))
                    .col(string_len(UniRecord::Kind, 24))
                    .col(string_len(UniRecord::Organisation, 128))
                    .col(string_len_null(UniRecord::Category, 64))
                    .col(date(UniRecord::ValidFrom))
                    .col(date_null(UniRecord::ValidTo))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                UniRecord::Table,
                UniRecord::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UniRecord::Table).to_owned())
            .await
    }
}
