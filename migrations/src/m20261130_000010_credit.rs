//! City credit office: the credit blacklist.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CrdBlacklist {
    Table,
    Id,
    IdNumber,
    ListedOn,
    RemovedOn,
    Reason,
    Authority,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CrdBlacklist::Table)
                    .col(big_pk_auto(CrdBlacklist::Id))
                    .col(string_len(CrdBlacklist::IdNumber, 18))
                    .col(date(CrdBlacklist::ListedOn))
                    .col(date_null(CrdBlacklist::RemovedOn))
                    .col(string_len(CrdBlacklist::Reason, 200))
                    .col(string_len(CrdBlacklist::Authority, 100))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                CrdBlacklist::Table,
                CrdBlacklist::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CrdBlacklist::Table).to_owned())
            .await
    }
}
