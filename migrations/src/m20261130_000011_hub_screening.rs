//! The population screening's results: one row per run, one per flag found.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HubScreeningRun {
    Table,
    Id,
    StartedAt,
    FinishedAt,
    Persons,
    Flags,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubScreeningFlag {
    Table,
    Id,
    RunId,
    IdNumber,
    Rule,
    Year,
    Severity,
    FlagRegions,
    Years,
    PersonRegions,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HubScreeningRun::Table)
                    .col(big_pk_auto(HubScreeningRun::Id))
                    .col(timestamp_with_time_zone(HubScreeningRun::StartedAt))
                    .col(timestamp_with_time_zone_null(HubScreeningRun::FinishedAt))
                    .col(big_integer(HubScreeningRun::Persons))
                    .col(big_integer(HubScreeningRun::Flags))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubScreeningFlag::Table)
                    .col(big_pk_auto(HubScreeningFlag::Id))
                    .col(big_integer(HubScreeningFlag::RunId))
                    .col(string_len(HubScreeningFlag::IdNumber, 18))
                    .col(string_len(HubScreeningFlag::Rule, 40))
                    .col(integer_null(HubScreeningFlag::Year))
                    .col(string_len(HubScreeningFlag::Severity, 8))
                    .col(text(HubScreeningFlag::FlagRegions))
                    .col(text(HubScreeningFlag::Years))
                    .col(text(HubScreeningFlag::PersonRegions))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_hub_screening_flag_run_rule")
                    .table(HubScreeningFlag::Table)
                    .col(HubScreeningFlag::RunId)
                    .col(HubScreeningFlag::Rule)
                    .col(HubScreeningFlag::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HubScreeningFlag::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(HubScreeningRun::Table).to_owned())
            .await
    }
}
