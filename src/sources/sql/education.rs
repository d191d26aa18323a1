//! The education bureau's SQL source: `edu_schooling`.

use entities::education::{schooling, SchoolType as DbSchoolType};
use std::sync::LazyLock;

use sea_orm::DbErr;

use super::wide::{Read, Rows, SINGLE};
use super::{map_enum, Grouped, SqlQuery};
use crate::domain::education::{EducationRecords, SchoolType, SchoolingRecord};

map_enum!(DbSchoolType => SchoolType {
    JuniorHigh, SeniorHigh, SecondaryVocational, TechnicalSchool, College, University
});

/// A table that is empty exactly when nothing was ever loaded for this department.
pub type Table = entities::education::schooling::Entity;

/// This department's migrator (its own history table).
pub type Migrator = migrations::EducationMigrator;

pub struct Query;

impl SqlQuery for Query {
    type Records = EducationRecords;

    fn read() -> &'static Read {
        static READ: LazyLock<Read> =
            LazyLock::new(|| Read::single::<schooling::Entity>(schooling::Column::IdNumber));
        &READ
    }

    fn decode(rows: &Rows, out: &mut Grouped<EducationRecords>) -> Result<(), DbErr> {
        for m in rows.sorted(SINGLE, |m: &schooling::Model| (m.enrolled_on, m.id))? {
            if let Some(p) = out.get_mut(m.id_number.as_str()) {
                p.schooling.push(SchoolingRecord {
                    id: m.id,
                    id_number: m.id_number,
                    student_name: m.student_name,
                    school_name: m.school_name,
                    school_type: m.school_type.into(),
                    enrolled_on: m.enrolled_on,
                    graduated_on: m.graduated_on,
                    continued_study: m.continued_study,
                });
            }
        }
        Ok(())
    }
}
