//! HRSS training: institutions, classes, enrolments, certificates, subsidies.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum TrnInstitution {
    Table,
    Id,
    Uscc,
    Name,
    Kind,
    InDirectory,
    CreditGrade,
    RegionCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrnClass {
    Table,
    Id,
    InstitutionId,
    OccupationCode,
    OccupationName,
    Level,
    TrainingType,
    LivingAllowanceEligible,
    Online,
    FiledOn,
    StartDate,
    EndDate,
    Hours,
    RegionCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrnEnrolment {
    Table,
    Id,
    IdNumber,
    ClassId,
    TraineeName,
    Phone,
    EnrolledOn,
    Result,
    AttendedHours,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrnCertificate {
    Table,
    Id,
    IdNumber,
    Kind,
    CertificateNo,
    OccupationCode,
    OccupationName,
    Level,
    IssuedOn,
    Issuer,
    EnrolmentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrnSubsidy {
    Table,
    Id,
    IdNumber,
    Kind,
    AmountFen,
    PaidOn,
    PayingCounty,
    EnrolmentId,
    CertificateId,
    EmployerUscc,
    Months,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrnInstitution::Table)
                    .col(big_pk_auto(TrnInstitution::Id))
                    .col(string_len_uniq(TrnInstitution::Uscc, 18))
                    .col(string_len(TrnInstitution::Name, 128))
                    .col(string_len(TrnInstitution::Kind, 32))
                    .col(boolean(TrnInstitution::InDirectory))
                    .col(string_len(TrnInstitution::CreditGrade, 1))
                    .col(string_len(TrnInstitution::RegionCode, 6))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrnClass::Table)
                    .col(big_pk_auto(TrnClass::Id))
                    .col(big_integer(TrnClass::InstitutionId))
                    .col(string_len(TrnClass::OccupationCode, 16))
                    .col(string_len(TrnClass::OccupationName, 64))
                    .col(string_len(TrnClass::Level, 24))
                    .col(string_len(TrnClass::TrainingType, 32))
                    .col(boolean(TrnClass::LivingAllowanceEligible))
                    .col(boolean(TrnClass::Online))
                    .col(date(TrnClass::FiledOn))
                    .col(date(TrnClass::StartDate))
                    .col(date(TrnClass::EndDate))
                    .col(integer(TrnClass::Hours))
                    .col(string_len(TrnClass::RegionCode, 6))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trn_class_institution")
                            .from(TrnClass::Table, TrnClass::InstitutionId)
                            .to(TrnInstitution::Table, TrnInstitution::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrnEnrolment::Table)
                    .col(big_pk_auto(TrnEnrolment::Id))
                    .col(string_len(TrnEnrolment::IdNumber, 18))
                    .col(big_integer(TrnEnrolment::ClassId))
                    .col(string_len(TrnEnrolment::TraineeName, 64))
                    .col(string_len(TrnEnrolment::Phone, 20))
                    .col(date(TrnEnrolment::EnrolledOn))
                    .col(string_len(TrnEnrolment::Result, 16))
                    .col(integer(TrnEnrolment::AttendedHours))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trn_enrolment_class")
                            .from(TrnEnrolment::Table, TrnEnrolment::ClassId)
                            .to(TrnClass::Table, TrnClass::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrnCertificate::Table)
                    .col(big_pk_auto(TrnCertificate::Id))
                    .col(string_len(TrnCertificate::IdNumber, 18))
                    .col(string_len(TrnCertificate::Kind, 32))
                    .col(string_len(TrnCertificate::CertificateNo, 32))
                    .col(string_len(TrnCertificate::OccupationCode, 16))
                    .col(string_len(TrnCertificate::OccupationName, 64))
                    .col(string_len(TrnCertificate::Level, 24))
                    .col(date(TrnCertificate::IssuedOn))
                    .col(string_len(TrnCertificate::Issuer, 128))
                    .col(big_integer_null(TrnCertificate::EnrolmentId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrnSubsidy::Table)
                    .col(big_pk_auto(TrnSubsidy::Id))
                    .col(string_len(TrnSubsidy::IdNumber, 18))
                    .col(string_len(TrnSubsidy::Kind, 24))
                    .col(big_integer(TrnSubsidy::AmountFen))
                    .col(date(TrnSubsidy::PaidOn))
                    .col(string_len(TrnSubsidy::PayingCounty, 6))
                    .col(big_integer_null(TrnSubsidy::EnrolmentId))
                    .col(big_integer_null(TrnSubsidy::CertificateId))
                    .col(string_len_null(TrnSubsidy::EmployerUscc, 18))
                    .col(integer_null(TrnSubsidy::Months))
                    .to_owned(),
            )
            .await?;
        for index in [
            crate::id_number_index(TrnEnrolment::Table, TrnEnrolment::IdNumber),
            crate::id_number_index(TrnCertificate::Table, TrnCertificate::IdNumber),
            crate::id_number_index(TrnSubsidy::Table, TrnSubsidy::IdNumber),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TrnSubsidy::Table.into_iden(),
            TrnCertificate::Table.into_iden(),
            TrnEnrolment::Table.into_iden(),
            TrnClass::Table.into_iden(),
            TrnInstitution::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
