//! Education: schooling records.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum EduSchooling {
    Table,
    Id,
    IdNumber,
    StudentName,
    SchoolName,
    SchoolType,
    EnrolledOn,
    GraduatedOn,
    ContinuedStudy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EduSchooling::Table)
                    .col(big_pk_auto(EduSchooling::Id))
                    .col(string_len(EduSchooling::IdNumber, 18))
                    .col(string_len(EduSchooling::StudentName, 64))
                    .col(string_len(EduSchooling::SchoolName, 128))
                    .col(string_len(EduSchooling::SchoolType, 24))
                    .col(date(EduSchooling::EnrolledOn))
                    .col(date_null(EduSchooling::GraduatedOn))
                    .col(boolean(EduSchooling::ContinuedStudy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::id_number_index(
                EduSchooling::Table,
                EduSchooling::IdNumber,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EduSchooling::Table).to_owned())
            .await
    }
}
