//! HRSS training's SQL source: enrolments joined (inside the department) with classes and
//! institutions, certificates and subsidies — one statement per batch.

use std::sync::LazyLock;

use entities::hrss_training as db;
use entities::hrss_training::{certificate, class, enrolment, institution, subsidy};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityName, EntityTrait, IdenStatic,
    QueryFilter, QueryOrder,
};

use super::wide::{self, Branch, Join, Read, Rows};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::hrss_training::*;

map_enum!(db::InstitutionKind => InstitutionKind {
    PublicTrainingCenter, TechnicalCollege, PrivateTrainingSchool, Enterprise
});
map_enum!(db::CreditGrade => CreditGrade { A, B, C, D });
map_enum!(db::SkillLevel => SkillLevel {
    Level5, Level4, Level3, Level2, Level1, SpecialAbility, CompletionOnly
});
map_enum!(db::TrainingType => TrainingType {
    EmploymentSkills, JobSkillsUpgrade, Entrepreneurship, Apprenticeship, WorkForTraining
});
map_enum!(db::TrainingResult => TrainingResult { InProgress, Passed, Failed, Withdrawn });
map_enum!(db::CertificateKind => CertificateKind {
    VocationalQualification, SkillLevel, SpecialAbility, SpecialOperation, TrainingCompletion
});
map_enum!(db::SubsidyKind => SubsidyKind {
    Training, SkillAssessment, LivingAllowance, WorkForTraining
});

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::hrss_training::institution::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::HrssTrainingMigrator;

pub struct Query;

/// Which data set a row of the read carries.
const ENROLMENT: i32 = 1;
const CERTIFICATE: i32 = 2;
const SUBSIDY: i32 = 3;

impl SqlQuery for Query {
    type Records = TrainingFile;

    /// Enrolments (with class and institution), certificates and subsidies as three
    /// branches of one statement: as three statements they were three round trips and
    /// three pooled connections per batch.
    fn read() -> &'static Read {
        static READ: LazyLock<Read> = LazyLock::new(|| {
            let (e, c, i) = (enrolment::Entity, class::Entity, institution::Entity);
            let (r, s) = (certificate::Entity, subsidy::Entity);
            Read {
                tables: vec![
                    wide::Table::of::<enrolment::Entity>("e_"),
                    wide::Table::of::<class::Entity>("c_"),
                    wide::Table::of::<institution::Entity>("i_"),
                    wide::Table::of::<certificate::Entity>("r_"),
                    wide::Table::of::<subsidy::Entity>("s_"),
                ],
                branches: vec![
                    Branch {
                        k: ENROLMENT,
                        from: e.table_name(),
                        id_number: enrolment::Column::IdNumber.as_str(),
                        joins: vec![
                            Join {
                                table: c.table_name(),
                                column: class::Column::Id.as_str(),
                                on: (e.table_name(), enrolment::Column::ClassId.as_str()),
                            },
                            Join {
                                table: i.table_name(),
                                column: institution::Column::Id.as_str(),
                                on: (c.table_name(), class::Column::InstitutionId.as_str()),
                            },
                        ],
                    },
                    Branch {
                        k: CERTIFICATE,
                        from: r.table_name(),
                        id_number: certificate::Column::IdNumber.as_str(),
                        joins: Vec::new(),
                    },
                    Branch {
                        k: SUBSIDY,
                        from: s.table_name(),
                        id_number: subsidy::Column::IdNumber.as_str(),
                        joins: Vec::new(),
                    },
                ],
            }
        });
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<TrainingFile>) -> Result<(), DbErr> {
        let mut trainings = Vec::new();
        let mut certificates = Vec::new();
        let mut subsidies = Vec::new();
        for row in rows.iter() {
            match row.k {
                ENROLMENT => trainings.push((
                    row.get::<enrolment::Model>("e_")?,
                    row.optional::<class::Model>("c_")?,
                    row.optional::<institution::Model>("i_")?,
                )),
                CERTIFICATE => certificates.push(row.get::<certificate::Model>("r_")?),
                SUBSIDY => subsidies.push(row.get::<subsidy::Model>("s_")?),
                other => {
                    return Err(DbErr::Custom(format!(
                        "HRSS training's read: unknown row kind {other}"
                    )))
                }
            }
        }
        // A union has no order (an ORDER BY across its branches would sort one mixed
        // list); each list is ordered here as the archive shows it: by date, then id.
        trainings.sort_unstable_by_key(|(e, _, _)| (e.enrolled_on, e.id));
        certificates.sort_unstable_by_key(|c| (c.issued_on, c.id));
        subsidies.sort_unstable_by_key(|s| (s.paid_on, s.id));
        for (e, c, i) in trainings {
            if let Some(f) = out.get_mut(e.id_number.as_str()) {
                f.trainings.push(training(e, c, i));
            }
        }
        for c in certificates {
            if let Some(f) = out.get_mut(c.id_number.as_str()) {
                f.certificates.push(Certificate {
                    id: c.id,
                    id_number: c.id_number,
                    kind: c.kind.into(),
                    certificate_no: c.certificate_no,
                    occupation_code: c.occupation_code,
                    occupation_name: c.occupation_name,
                    level: c.level.into(),
                    issued_on: c.issued_on,
                    issuer: c.issuer,
                    enrolment_id: c.enrolment_id,
                });
            }
        }
        for s in subsidies {
            if let Some(f) = out.get_mut(s.id_number.as_str()) {
                f.subsidies.push(Subsidy {
                    id: s.id,
                    id_number: s.id_number,
                    kind: s.kind.into(),
                    amount_fen: s.amount_fen,
                    paid_on: s.paid_on,
                    paying_county: s.paying_county,
                    enrolment_id: s.enrolment_id,
                    certificate_id: s.certificate_id,
                    employer_uscc: s.employer_uscc,
                    months: s.months,
                });
            }
        }
        Ok(())
    }
}

/// The same read on any connection: the claim path reads a person's records inside the
/// transaction that holds the person's claim guard, never from a cache.
pub async fn read<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<String>,
    out: &mut Grouped<TrainingFile>,
) -> Result<(), DbErr> {
    let part = wide::Part {
        read: Query::read(),
        ids: &ids,
    };
    let rows = wide::read(conn, part).await?;
    Query::decode(&rows, out)
}

fn training(
    e: enrolment::Model,
    c: Option<class::Model>,
    i: Option<institution::Model>,
) -> Training {
    Training {
        enrolment_id: e.id,
        id_number: e.id_number,
        trainee_name: e.trainee_name,
        phone: e.phone,
        enrolled_on: e.enrolled_on,
        result: e.result.into(),
        attended_hours: e.attended_hours,
        class: c.map(|c| TrainingClass {
            id: c.id,
            occupation_code: c.occupation_code,
            occupation_name: c.occupation_name,
            level: c.level.into(),
            training_type: c.training_type.into(),
            living_allowance_eligible: c.living_allowance_eligible,
            online: c.online,
            filed_on: c.filed_on,
            start_date: c.start_date,
            end_date: c.end_date,
            hours: c.hours,
            region_code: c.region_code,
            institution: i.map(|i| Institution {
                id: i.id,
                uscc: i.uscc,
                name: i.name,
                kind: i.kind.into(),
                in_directory: i.in_directory,
                credit_grade: i.credit_grade.into(),
                region_code: i.region_code,
            }),
        }),
    }
}

/// The next `limit` persons, in ID-number order after `after`, with any HRSS training
/// record (enrolment, certificate or subsidy): the population screening streams these.
/// Three index-backed reads merged here: no SQL across tables.
pub async fn trainees_after(
    db: &DatabaseConnection,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::QuerySelect;
    async fn ids<E: EntityTrait>(
        db: &DatabaseConnection,
        col: E::Column,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<String>, DbErr>
    where
        E::Column: ColumnTrait,
    {
        let mut q = E::find().select_only().column(col).distinct();
        if let Some(a) = after {
            q = q.filter(col.gt(a));
        }
        q.order_by_asc(col)
            .limit(limit)
            .into_tuple::<String>()
            .all(db)
            .await
    }
    let (e, c, s) = tokio::try_join!(
        ids::<enrolment::Entity>(db, enrolment::Column::IdNumber, after, limit),
        ids::<certificate::Entity>(db, certificate::Column::IdNumber, after, limit),
        ids::<subsidy::Entity>(db, subsidy::Column::IdNumber, after, limit),
    )?;
    let mut all: Vec<String> = e.into_iter().chain(c).chain(s).collect();
    all.sort_unstable();
    all.dedup();
    all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(all)
}
