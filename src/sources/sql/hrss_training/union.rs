//! HRSS training's one read statement: enrolments (with class and institution),
//! certificates and subsidies of a batch as one `UNION ALL`, and the decoding of its rows.
//!
//! Three statements were three round trips and three pooled connections per batch — a
//! fifth of a cold archive request's statements. Every branch yields the same row shape:
//! `k` says which data set the row belongs to, then every column of the five tables under
//! a prefix; a branch fills its own tables' columns and NULLs the rest.

use entities::hrss_training::{certificate, class, enrolment, institution, subsidy};
use sea_orm::sea_query::{
    ColumnType, Expr, ExprTrait, Query as Sql, SelectStatement, UnionType,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryResult, TryGetError,
};

/// Which data set a row of the union carries.
const ENROLMENT: i32 = 1;
const CERTIFICATE: i32 = 2;
const SUBSIDY: i32 = 3;

/// One decoded row of the union.
pub enum Row {
    Enrolment(enrolment::Model, Option<class::Model>, Option<institution::Model>),
    Certificate(certificate::Model),
    Subsidy(subsidy::Model),
}

/// Reads the three data sets of the persons `ids` in one statement (no order: the caller
/// sorts each list).
pub async fn read<C: ConnectionTrait>(conn: &C, ids: Vec<String>) -> Result<Vec<Row>, DbErr> {
    let backend = conn.get_database_backend();
    let mut stmt = branch(backend, ENROLMENT, enrolment::Entity, enrolment::Column::IdNumber, &ids)?;
    stmt.left_join(
        class::Entity,
        Expr::col((class::Entity, class::Column::Id))
            .equals((enrolment::Entity, enrolment::Column::ClassId)),
    )
    .left_join(
        institution::Entity,
        Expr::col((institution::Entity, institution::Column::Id))
            .equals((class::Entity, class::Column::InstitutionId)),
    );
    let certificates = branch(
        backend,
        CERTIFICATE,
        certificate::Entity,
        certificate::Column::IdNumber,
        &ids,
    )?;
    let subsidies = branch(backend, SUBSIDY, subsidy::Entity, subsidy::Column::IdNumber, &ids)?;
    stmt.union(UnionType::All, certificates)
        .union(UnionType::All, subsidies);
    conn.query_all(&stmt).await?.iter().map(decode).collect()
}

/// One branch: `k`, then every table's columns — its own (and, for enrolments, the joined
/// class's and institution's) as read, the others as NULL.
fn branch<E: EntityTrait>(
    backend: DbBackend,
    k: i32,
    from: E,
    id_number: E::Column,
    ids: &[String],
) -> Result<SelectStatement, DbErr> {
    let reads = |table: &str| {
        table == from.table_name()
            || (k == ENROLMENT
                && (table == class::Entity.table_name() || table == institution::Entity.table_name()))
    };
    let mut q = Sql::select();
    q.expr_as(Expr::val(k), "k");
    columns::<enrolment::Entity>(&mut q, backend, "e_", reads(enrolment::Entity.table_name()))?;
    columns::<class::Entity>(&mut q, backend, "c_", reads(class::Entity.table_name()))?;
    columns::<institution::Entity>(&mut q, backend, "i_", reads(institution::Entity.table_name()))?;
    columns::<certificate::Entity>(&mut q, backend, "r_", reads(certificate::Entity.table_name()))?;
    columns::<subsidy::Entity>(&mut q, backend, "s_", reads(subsidy::Entity.table_name()))?;
    q.from(from)
        .and_where(Expr::col((from, id_number)).is_in(ids.iter().cloned()));
    Ok(q)
}

fn columns<E: EntityTrait + Default>(
    q: &mut SelectStatement,
    backend: DbBackend,
    prefix: &str,
    read: bool,
) -> Result<(), DbErr> {
    for col in E::Column::iter() {
        let alias = format!("{prefix}{}", col.as_str());
        if read {
            q.expr_as(Expr::col((E::default(), col)), alias);
        } else {
            q.expr_as(Expr::cust(null_of(backend, col.def().get_column_type())?), alias);
        }
    }
    Ok(())
}

/// A NULL that unites with the column's type in every branch. PostgreSQL resolves a union's
/// column types branch by branch and takes a bare NULL for text, which a date column then
/// refuses; MariaDB and SQLite take the other branches' type for a bare NULL.
pub fn null_of(backend: DbBackend, ty: &ColumnType) -> Result<&'static str, DbErr> {
    if backend != DbBackend::Postgres {
        return Ok("NULL");
    }
    Ok(match ty {
        ColumnType::BigInteger => "CAST(NULL AS bigint)",
        ColumnType::Integer => "CAST(NULL AS integer)",
        ColumnType::Date => "CAST(NULL AS date)",
        ColumnType::Boolean => "CAST(NULL AS boolean)",
        ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text => "CAST(NULL AS text)",
        other => {
            return Err(DbErr::Custom(format!(
                "HRSS training's union read has no typed NULL for column type {other:?}"
            )))
        }
    })
}

fn decode(row: &QueryResult) -> Result<Row, DbErr> {
    Ok(match row.try_get::<i32>("", "k")? {
        ENROLMENT => Row::Enrolment(
            enrolment::Model::from_query_result(row, "e_")?,
            optional(class::Model::from_query_result_nullable(row, "c_"))?,
            optional(institution::Model::from_query_result_nullable(row, "i_"))?,
        ),
        CERTIFICATE => Row::Certificate(certificate::Model::from_query_result(row, "r_")?),
        SUBSIDY => Row::Subsidy(subsidy::Model::from_query_result(row, "s_")?),
        other => return Err(DbErr::Custom(format!("HRSS training's union read: unknown row kind {other}"))),
    })
}

/// A joined record that is absent (its columns NULL) is `None`; any other failure to decode
/// stays an error (sea-orm's `from_query_result_optional` would swallow it).
fn optional<T>(r: Result<T, TryGetError>) -> Result<Option<T>, DbErr> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(TryGetError::Null(_)) => Ok(None),
        Err(TryGetError::DbErr(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_column<E: EntityTrait>() -> Vec<ColumnType> {
        E::Column::iter().map(|c| c.def().get_column_type().clone()).collect()
    }

    #[test]
    fn every_column_of_the_five_tables_has_a_typed_null_on_postgres() {
        let all = [
            every_column::<enrolment::Entity>(),
            every_column::<class::Entity>(),
            every_column::<institution::Entity>(),
            every_column::<certificate::Entity>(),
            every_column::<subsidy::Entity>(),
        ];
        for ty in all.iter().flatten() {
            assert!(null_of(DbBackend::Postgres, ty).is_ok(), "{ty:?}");
        }
        assert!(null_of(DbBackend::Postgres, &ColumnType::Json).is_err());
    }
}
