//! Civil affairs: assisted-household membership.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CivAssistance {
    Table,
    Id,
    IdNumber,
    HouseholdNo,
    Kind,
    Address,
    RegionCode,
    ValidFrom,
    ValidTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CivAssistance::Table)
                    .col(big_pk_auto(CivAssistance::Id))
                    .col(string_len(CivAssistance::IdNumber, 18))
                    .col(string_len(CivAssistance::HouseholdNo, 32))
                    .col(string_len(CivAssistance::Kind, 32))
                    .col(string_len(CivAssistance::Address, 256))
                    .col(string_len(CivAssistance::RegionCode, 6))
                    .col(date(CivAssistance::ValidFrom))
                    .col(date_null(CivAssistance::ValidTo))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                CivAssistance::Table,
                CivAssistance::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CivAssistance::Table).to_owned())
            .await
    }
}
