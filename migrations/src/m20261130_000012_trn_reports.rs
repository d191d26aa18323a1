//! HRSS training's write side: the version log of every report (one row per version of a
//! record, keyed by the reporter's own `external_id`) and the per-person claim guard rows
//! that serialise subsidy claims across hub instances.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum TrnReport {
    Table,
    Id,
    ReporterId,
    Reporter,
    ExternalId,
    Kind,
    Action,
    Record,
    RecordId,
    Version,
    PreviousId,
    Corrects,
    IdNumber,
    Content,
    Snapshot,
    Reason,
    OverrideBy,
    OverrideReason,
    OverrideRules,
    RequestId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrnClaimGuard {
    Table,
    IdNumber,
    Claims,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrnReport::Table)
                    .col(big_pk_auto(TrnReport::Id))
                    .col(big_integer(TrnReport::ReporterId))
                    .col(string_len(TrnReport::Reporter, 128))
                    .col(string_len(TrnReport::ExternalId, 64))
                    .col(string_len(TrnReport::Kind, 16))
                    .col(string_len(TrnReport::Action, 12))
                    .col(string_len(TrnReport::Record, 16))
                    .col(big_integer(TrnReport::RecordId))
                    .col(integer(TrnReport::Version))
                    .col(big_integer_null(TrnReport::PreviousId))
                    .col(big_integer_null(TrnReport::Corrects))
                    .col(string_len_null(TrnReport::IdNumber, 18))
                    .col(text(TrnReport::Content))
                    .col(text_null(TrnReport::Snapshot))
                    .col(string_len_null(TrnReport::Reason, 500))
                    .col(string_len_null(TrnReport::OverrideBy, 128))
                    .col(string_len_null(TrnReport::OverrideReason, 500))
                    .col(string_len_null(TrnReport::OverrideRules, 500))
                    .col(string_len(TrnReport::RequestId, 64))
                    .col(timestamp_with_time_zone(TrnReport::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // Idempotency: one report per reporter and external ID, whoever writes it.
        manager
            .create_index(
                Index::create()
                    .name("uq_trn_report_external")
                    .table(TrnReport::Table)
                    .col(TrnReport::ReporterId)
                    .col(TrnReport::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One successor per report: two corrections of the same report cannot both land.
        manager
            .create_index(
                Index::create()
                    .name("uq_trn_report_corrects")
                    .table(TrnReport::Table)
                    .col(TrnReport::Corrects)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One version n per record: two writers racing on one record cannot both land.
        manager
            .create_index(
                Index::create()
                    .name("uq_trn_report_record_version")
                    .table(TrnReport::Table)
                    .col(TrnReport::Record)
                    .col(TrnReport::RecordId)
                    .col(TrnReport::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                TrnReport::Table,
                TrnReport::IdNumber,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrnClaimGuard::Table)
                    .col(string_len(TrnClaimGuard::IdNumber, 18).primary_key())
                    .col(big_integer(TrnClaimGuard::Claims))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrnClaimGuard::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TrnReport::Table).to_owned())
            .await
    }
}
