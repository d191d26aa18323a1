//! Bulk writes of generated rows: `COPY … FROM STDIN` on PostgreSQL, multi-row `INSERT`s
//! in one transaction on SQLite and MySQL. Row by row would take hours at a million persons.

use sea_orm::sea_query::Value;
use sea_orm::sqlx::postgres::PgPoolCopyExt;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    ModelTrait, TransactionTrait,
};

use crate::db::DeptDb;

use super::SeedError;

/// Writes all `rows` of entity `E` into the department's database.
pub async fn write<E>(db: &DeptDb, rows: Vec<E::Model>) -> Result<(), SeedError>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model> + Send,
{
    if rows.is_empty() {
        return Ok(());
    }
    match db.conn.get_database_backend() {
        DatabaseBackend::Postgres => copy_in::<E>(db, &rows).await,
        _ => insert_batches::<E>(db, rows).await,
    }
}

async fn insert_batches<E>(db: &DeptDb, rows: Vec<E::Model>) -> Result<(), SeedError>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model> + Send,
{
    // SQLite allows 32,766 bound values per statement; MySQL 65,535.
    let per_statement = (20_000 / E::Column::iter().count()).max(1);
    let txn = db.conn.begin().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows
            .by_ref()
            .take(per_statement)
            .map(|m| {
                // Explicit ids are kept, so every column is written.
                E::ActiveModel::from(m).reset_all()
            })
            .collect();
        E::insert_many(chunk).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn copy_in<E>(db: &DeptDb, rows: &[E::Model]) -> Result<(), SeedError>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E>,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    let statement = format!(
        "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
        E::default().table_name(),
        names.join(", ")
    );
    let pool = db.conn.get_postgres_connection_pool();
    let mut copy = pool.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(1 << 20);
    for row in rows {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                buf.push(',');
            }
            csv_value(&mut buf, row.get(*c))?;
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

fn csv_value(buf: &mut String, v: Value) -> Result<(), SeedError> {
    use std::fmt::Write;
    let w = match v {
        Value::Bool(Some(b)) => write!(buf, "{}", if b { "t" } else { "f" }),
        Value::Int(Some(n)) => write!(buf, "{n}"),
        Value::BigInt(Some(n)) => write!(buf, "{n}"),
        Value::ChronoDate(Some(d)) => write!(buf, "{}", d.format("%Y-%m-%d")),
        Value::String(Some(s)) => {
            buf.push('"');
            buf.push_str(&s.replace('"', "\"\""));
            buf.push('"');
            Ok(())
        }
        // NULL is an empty unquoted field in CSV COPY.
        Value::Bool(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::ChronoDate(None)
        | Value::String(None) => Ok(()),
        other => return Err(SeedError::Unsupported(format!("{other:?}"))),
    };
    w.map_err(|e| SeedError::Unsupported(e.to_string()))
}

/// After explicit-id inserts, moves each PostgreSQL id sequence past the largest id.
pub async fn reset_sequence<E: EntityTrait>(db: &DeptDb) -> Result<(), DbErr> {
    if db.conn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let table = E::default().table_name().to_string();
    db.conn
        .execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load. Without them PostgreSQL
/// estimates thousands of rows per ID and joins by scanning whole tables.
pub async fn analyze<E: EntityTrait>(db: &DeptDb) -> Result<(), DbErr> {
    let table = E::default().table_name().to_string();
    let sql = match db.conn.get_database_backend() {
        DatabaseBackend::Postgres => format!("ANALYZE {table}"),
        DatabaseBackend::MySql => format!("ANALYZE TABLE {table}"),
        _ => format!("ANALYZE {table}"),
    };
    db.conn.execute_unprepared(&sql).await?;
    Ok(())
}

/// True when the entity's table has no row.
pub async fn is_empty<E: EntityTrait>(db: &DeptDb) -> Result<bool, DbErr> {
    Ok(E::find().one(&db.conn).await?.is_none())
}
