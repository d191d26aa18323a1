//! Every group commit of the audit trail signs its head: the last event of each commit
//! carries an Ed25519 signature over (seq, hash, time), so no committed event is ever
//! outside a signed checkpoint.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HubAuditEvent {
    Table,
    Signature,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HubAuditEvent::Table)
                    .add_column(string_len_null(HubAuditEvent::Signature, 128))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(HubAuditEvent::Table)
                    .drop_column(HubAuditEvent::Signature)
                    .to_owned(),
            )
            .await
    }
}
