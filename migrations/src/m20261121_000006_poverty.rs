//! Poverty alleviation: registered-poor household members.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PovHouseholdMember {
    Table,
    Id,
    IdNumber,
    HouseholdNo,
    RegisteredOn,
    ExitYear,
    Status,
    RegionCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PovHouseholdMember::Table)
                    .col(big_pk_auto(PovHouseholdMember::Id))
                    .col(string_len(PovHouseholdMember::IdNumber, 18))
                    .col(string_len(PovHouseholdMember::HouseholdNo, 32))
                    .col(date(PovHouseholdMember::RegisteredOn))
                    .col(integer_null(PovHouseholdMember::ExitYear))
                    .col(string_len(PovHouseholdMember::Status, 16))
                    .col(string_len(PovHouseholdMember::RegionCode, 6))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                PovHouseholdMember::Table,
                PovHouseholdMember::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PovHouseholdMember::Table).to_owned())
            .await
    }
}
