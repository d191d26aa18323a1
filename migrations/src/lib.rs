//! Schema migrations: one migrator per department, each with its own history table, so
//! that every department's database can be migrated (and rolled back) on its own.
pub use sea_orm_migration::prelude::*;

mod m20261121_000001_hrss_training;
mod m20261121_000002_hrss_social;
mod m20261121_000003_education;
mod m20261121_000004_civil_affairs;
mod m20261121_000005_veterans;
mod m20261121_000006_poverty;
mod m20261121_000007_trade_union;
mod m20261121_000008_hub;
mod m20261130_000009_hub_signed_heads;
mod m20261130_000010_credit;
mod m20261130_000011_hub_screening;
mod m20261130_000012_trn_reports;
mod m20261130_000013_hub_institution_consumers;
mod m20261130_000014_trn_reference_indexes;

/// Declares a department migrator with its own `seaql_migrations_<dept>` history table.
macro_rules! department_migrator {
    ($name:ident, $table:literal, [$($m:path),* $(,)?]) => {
        pub struct $name;

        #[async_trait::async_trait]
        impl MigratorTrait for $name {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                vec![$(Box::new($m)),*]
            }

            fn migration_table_name() -> DynIden {
                Alias::new($table).into_iden()
            }
        }
    };
}

department_migrator!(
    HrssTrainingMigrator,
    "seaql_migrations_hrss_training",
    [
        m20261121_000001_hrss_training::Migration,
        m20261130_000012_trn_reports::Migration,
        m20261130_000014_trn_reference_indexes::Migration,
    ]
);
department_migrator!(
    HrssSocialMigrator,
    "seaql_migrations_hrss_social",
    [m20261121_000002_hrss_social::Migration]
);
department_migrator!(
    EducationMigrator,
    "seaql_migrations_education",
    [m20261121_000003_education::Migration]
);
department_migrator!(
    CivilAffairsMigrator,
    "seaql_migrations_civil_affairs",
    [m20261121_000004_civil_affairs::Migration]
);
department_migrator!(
    VeteransMigrator,
    "seaql_migrations_veterans",
    [m20261121_000005_veterans::Migration]
);
department_migrator!(
    PovertyMigrator,
    "seaql_migrations_poverty",
    [m20261121_000006_poverty::Migration]
);
department_migrator!(
    TradeUnionMigrator,
    "seaql_migrations_trade_union",
    [m20261121_000007_trade_union::Migration]
);
department_migrator!(
    CreditMigrator,
    "seaql_migrations_credit",
    [m20261130_000010_credit::Migration]
);
// The hub's own tables (consumers, grants, audit trail), in the hub database.
department_migrator!(
    HubMigrator,
    "seaql_migrations_hub",
    [
        m20261121_000008_hub::Migration,
        m20261130_000009_hub_signed_heads::Migration,
        m20261130_000011_hub_screening::Migration,
        m20261130_000013_hub_institution_consumers::Migration
    ]
);

/// Creates `CREATE INDEX idx_<table>_id_number ON <table> (id_number)`: every department
/// table is read by ID number in batches, so this index is what keeps a batch one cheap statement.
pub(crate) fn id_number_index<T: Iden + Copy + 'static, C: Iden + 'static>(
    table: T,
    column: C,
) -> IndexCreateStatement {
    Index::create()
        .name(format!("idx_{}_id_number", table.to_string()))
        .table(table)
        .col(column)
        .to_owned()
}
