//! HRSS training's one read statement: enrolments (with class and institution),
//! certificates and subsidies of a batch as one `UNION ALL`, and the decoding of its rows.
//!
//! Three statements were three round trips and three pooled connections per batch — a
//! fifth of a cold archive request's statements. Every branch yields the same row shape:
//! `k` says which data set the row belongs to, then every column of the five tables under
//! a prefix; a branch fills its own tables' columns and NULLs the rest.

use entities::hrss_training::{certificate, class, enrolment, institution, subsidy};
use sea_orm::sea_query::{ColumnType, Expr, ExprTrait, Query as Sql, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, QueryResult, TryGetError,
};

/// Which data set a row of the union carries.
const ENROLMENT: i32 = 1;
const CERTIFICATE: i32 = 2;
const SUBSIDY: i32 = 3;

/// One decoded row of the union.
pub enum Row {
    Enrolment(
        enrolment::Model,
        Option<class::Model>,
        Option<institution::Model>,
    ),
    Certificate(certificate::Model),
    Subsidy(subsidy::Model),
}

/// Reads the three data sets of the persons `ids` in one statement (no order: the caller
/// sorts each list).
pub async fn read<C: ConnectionTrait>(conn: &C, ids: Vec<String>) -> Result<Vec<Row>, DbErr> {
    let backend = conn.get_database_backend();
    let (e, c, i) = (enrolment::Entity, class::Entity, institution::Entity);
    let mut stmt = branch(
        backend,
        ENROLMENT,
        e,
        enrolment::Column::IdNumber,
        &ids,
        &[e.table_name(), c.table_name(), i.table_name()],
    )?;
    stmt.left_join(
        c,
        Expr::col((c, class::Column::Id)).equals((e, enrolment::Column::ClassId)),
    )
    .left_join(
        i,
        Expr::col((i, institution::Column::Id)).equals((c, class::Column::InstitutionId)),
    );
    let (r, s) = (certificate::Entity, subsidy::Entity);
    let certificates = branch(
        backend,
        CERTIFICATE,
        r,
        certificate::Column::IdNumber,
        &ids,
        &[r.table_name()],
    )?;
    let subsidies = branch(
        backend,
        SUBSIDY,
        s,
        subsidy::Column::IdNumber,
        &ids,
        &[s.table_name()],
    )?;
    stmt.union(UnionType::All, certificates)
        .union(UnionType::All, subsidies);
    conn.query_all(&stmt).await?.iter().map(decode).collect()
}

/// One branch: `k`, then every table's columns — those of the tables it `reads` (its own
/// and any it joins) as read, the others as NULL.
fn branch<E: EntityTrait>(
    backend: DbBackend,
    k: i32,
    from: E,
    id_number: E::Column,
    ids: &[String],
    reads: &[&str],
) -> Result<SelectStatement, DbErr> {
    let reads = |table: &str| reads.contains(&table);
    let mut q = Sql::select();
    q.expr_as(Expr::val(k), "k");
    columns::<enrolment::Entity>(&mut q, backend, "e_", reads(enrolment::Entity.table_name()))?;
    columns::<class::Entity>(&mut q, backend, "c_", reads(class::Entity.table_name()))?;
    columns::<institution::Entity>(
        &mut q,
        backend,
        "i_",
        reads(institution::Entity.table_name()),
    )?;
    columns::<certificate::Entity>(
        &mut q,
        backend,
        "r_",
        reads(certificate::Entity.table_name()),
    )?;
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
            q.expr_as(
                Expr::cust(null_of(backend, col.def().get_column_type())?),
                alias,
            );
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
        other => {
            return Err(DbErr::Custom(format!(
                "HRSS training's union read: unknown row kind {other}"
            )))
        }
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
        E::Column::iter()
            .map(|c| c.def().get_column_type().clone())
            .collect()
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
