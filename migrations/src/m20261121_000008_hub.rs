//! The hub's own database: consumers, purposes, grants, policy version, audit trail and
//! checkpoints. The audit table is append-only: triggers reject UPDATE and DELETE (and
//! TRUNCATE on PostgreSQL), so only someone who drops the triggers can alter it — and the
//! hash chain and signed checkpoints make that detectable.
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HubPurpose {
    Table,
    Code,
    NameZh,
    NameEn,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubConsumer {
    Table,
    Id,
    KeyId,
    KeyHash,
    Name,
    Kind,
    Department,
    RegionScope,
    Purposes,
    BoundSubject,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubGrant {
    Table,
    Id,
    ConsumerId,
    Purpose,
    FieldPattern,
    Effect,
    RegionScope,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubPolicyVersion {
    Table,
    Id,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubAuditEvent {
    Table,
    Seq,
    OccurredAt,
    ConsumerId,
    ConsumerName,
    ConsumerDepartment,
    Purpose,
    RequestId,
    Subject,
    Fields,
    PolicyVersion,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum HubAuditCheckpoint {
    Table,
    Id,
    Seq,
    HeadHash,
    CreatedAt,
    Signature,
    PublicKey,
}

const PG_GUARD: &str = r#"
CREATE OR REPLACE FUNCTION hub_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'hub_audit_event is append-only (% rejected)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hub_audit_no_update BEFORE UPDATE OR DELETE ON hub_audit_event
  FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only();
CREATE TRIGGER hub_audit_no_truncate BEFORE TRUNCATE ON hub_audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_append_only();
CREATE TRIGGER hub_checkpoint_no_update BEFORE UPDATE OR DELETE ON hub_audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only();
CREATE TRIGGER hub_checkpoint_no_truncate BEFORE TRUNCATE ON hub_audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_append_only();
"#;

const SQLITE_GUARD: [&str; 4] = [
    "CREATE TRIGGER hub_audit_no_update BEFORE UPDATE ON hub_audit_event BEGIN SELECT RAISE(ABORT, 'hub_audit_event is append-only'); END",
    "CREATE TRIGGER hub_audit_no_delete BEFORE DELETE ON hub_audit_event BEGIN SELECT RAISE(ABORT, 'hub_audit_event is append-only'); END",
    "CREATE TRIGGER hub_checkpoint_no_update BEFORE UPDATE ON hub_audit_checkpoint BEGIN SELECT RAISE(ABORT, 'hub_audit_checkpoint is append-only'); END",
    "CREATE TRIGGER hub_checkpoint_no_delete BEFORE DELETE ON hub_audit_checkpoint BEGIN SELECT RAISE(ABORT, 'hub_audit_checkpoint is append-only'); END",
];

const MYSQL_GUARD: [&str; 4] = [
    "CREATE TRIGGER hub_audit_no_update BEFORE UPDATE ON hub_audit_event FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'hub_audit_event is append-only'",
    "CREATE TRIGGER hub_audit_no_delete BEFORE DELETE ON hub_audit_event FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'hub_audit_event is append-only'",
    "CREATE TRIGGER hub_checkpoint_no_update BEFORE UPDATE ON hub_audit_checkpoint FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'hub_audit_checkpoint is append-only'",
    "CREATE TRIGGER hub_checkpoint_no_delete BEFORE DELETE ON hub_audit_checkpoint FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'hub_audit_checkpoint is append-only'",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HubPurpose::Table)
                    .col(string_len(HubPurpose::Code, 64).primary_key())
                    .col(string_len(HubPurpose::NameZh, 128))
                    .col(string_len(HubPurpose::NameEn, 128))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubConsumer::Table)
                    .col(big_pk_auto(HubConsumer::Id))
                    .col(string_len_uniq(HubConsumer::KeyId, 32))
                    .col(string_len(HubConsumer::KeyHash, 64))
                    .col(string_len(HubConsumer::Name, 128))
                    .col(string_len(HubConsumer::Kind, 24))
                    .col(string_len_null(HubConsumer::Department, 32))
                    .col(string_len(HubConsumer::RegionScope, 256))
                    .col(string_len(HubConsumer::Purposes, 512))
                    .col(string_len_null(HubConsumer::BoundSubject, 64))
                    .col(timestamp_with_time_zone(HubConsumer::CreatedAt))
                    .col(timestamp_with_time_zone_null(HubConsumer::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubGrant::Table)
                    .col(big_pk_auto(HubGrant::Id))
                    .col(big_integer(HubGrant::ConsumerId))
                    .col(string_len(HubGrant::Purpose, 64))
                    .col(string_len(HubGrant::FieldPattern, 128))
                    .col(string_len(HubGrant::Effect, 8))
                    .col(string_len_null(HubGrant::RegionScope, 256))
                    .col(timestamp_with_time_zone_null(HubGrant::ExpiresAt))
                    .col(timestamp_with_time_zone(HubGrant::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hub_grant_consumer")
                            .from(HubGrant::Table, HubGrant::ConsumerId)
                            .to(HubConsumer::Table, HubConsumer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubPolicyVersion::Table)
                    .col(integer(HubPolicyVersion::Id).primary_key())
                    .col(big_integer(HubPolicyVersion::Version))
                    .col(timestamp_with_time_zone(HubPolicyVersion::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubAuditEvent::Table)
                    .col(big_integer(HubAuditEvent::Seq).primary_key())
                    .col(timestamp_with_time_zone(HubAuditEvent::OccurredAt))
                    .col(big_integer(HubAuditEvent::ConsumerId))
                    .col(string_len(HubAuditEvent::ConsumerName, 128))
                    .col(string_len_null(HubAuditEvent::ConsumerDepartment, 32))
                    .col(string_len(HubAuditEvent::Purpose, 64))
                    .col(string_len(HubAuditEvent::RequestId, 64))
                    .col(string_len(HubAuditEvent::Subject, 64))
                    .col(text(HubAuditEvent::Fields))
                    .col(big_integer(HubAuditEvent::PolicyVersion))
                    .col(string_len(HubAuditEvent::PrevHash, 64))
                    .col(string_len(HubAuditEvent::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_hub_audit_event_subject")
                    .table(HubAuditEvent::Table)
                    .col(HubAuditEvent::Subject)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HubAuditCheckpoint::Table)
                    .col(big_pk_auto(HubAuditCheckpoint::Id))
                    .col(big_integer(HubAuditCheckpoint::Seq))
                    .col(string_len(HubAuditCheckpoint::HeadHash, 64))
                    .col(timestamp_with_time_zone(HubAuditCheckpoint::CreatedAt))
                    .col(string_len(HubAuditCheckpoint::Signature, 128))
                    .col(string_len(HubAuditCheckpoint::PublicKey, 64))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(PG_GUARD).await?;
            }
            DatabaseBackend::Sqlite => {
                for s in SQLITE_GUARD {
                    db.execute_unprepared(s).await?;
                }
            }
            DatabaseBackend::MySql => {
                for s in MYSQL_GUARD {
                    db.execute_unprepared(s).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HubAuditCheckpoint::Table.into_iden(),
            HubAuditEvent::Table.into_iden(),
            HubPolicyVersion::Table.into_iden(),
            HubGrant::Table.into_iden(),
            HubConsumer::Table.into_iden(),
            HubPurpose::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS hub_audit_append_only()")
                .await?;
        }
        Ok(())
    }
}
