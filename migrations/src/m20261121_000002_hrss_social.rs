//! HRSS social insurance and employment: the shared status-record table.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SiRecord {
    Table,
    Id,
    IdNumber,
    Kind,
    EmployerUscc,
    EmployerName,
    Category,
    AmountFen,
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
                    .table(SiRecord::Table)
                    .col(big_pk_auto(SiRecord::Id))
                    .col(string_len(SiRecord::IdNumber, 18))
                    .col(string_len(SiRecord::Kind, 32))
                    .col(string_len_null(SiRecord::EmployerUscc, 18))
                    .col(string_len_null(SiRecord::EmployerName, 128))
                    .col(string_len_null(SiRecord::Category, 64))
                    .col(big_integer_null(SiRecord::AmountFen))
                    .col(string_len(SiRecord::RegionCode, 6))
                    .col(date(SiRecord::ValidFrom))
                    .col(date_null(SiRecord::ValidTo))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(SiRecord::Table, SiRecord::IdNumber))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SiRecord::Table).to_owned())
            .await
    }
}
