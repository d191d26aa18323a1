//! Indexes on the references between HRSS training records — whether a class, enrolment
//! or certificate may be retracted (nothing current rests on it) is a look-up, not a scan
//! of a million subsidies.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, table, column)
const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_trn_enrolment_class", "trn_enrolment", "class_id"),
    ("idx_trn_subsidy_enrolment", "trn_subsidy", "enrolment_id"),
    (
        "idx_trn_subsidy_certificate",
        "trn_subsidy",
        "certificate_id",
    ),
    (
        "idx_trn_certificate_enrolment",
        "trn_certificate",
        "enrolment_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new(*table))
                        .col(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
