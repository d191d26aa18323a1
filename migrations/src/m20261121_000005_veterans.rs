//! Veterans affairs: veteran registrations.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum VetVeteran {
    Table,
    Id,
    IdNumber,
    Category,
    DischargedOn,
    RegionCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VetVeteran::Table)
                    .col(big_pk_auto(VetVeteran::Id))
                    .col(string_len(VetVeteran::IdNumber, 18))
                    .col(string_len(VetVeteran::Category, 32))
                    .col(date(VetVeteran::DischargedOn))
                    .col(string_len(VetVeteran::RegionCode, 6))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                VetVeteran::Table,
                VetVeteran::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VetVeteran::Table).to_owned())
            .await
    }
}
