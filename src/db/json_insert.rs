//! Large inserts on PostgreSQL as one parameter: the rows travel as a JSON array and
//! `json_to_recordset` turns them back into rows. A thousand version rows as a `VALUES`
//! list are 19,000 bound parameters for the client to build and the server to parse and
//! plan; as JSON they are one string. The columns come from the entity, so a column
//! added to it is never silently left out.

use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    ModelTrait, Statement,
};

/// Inserts `rows` of `E` in one statement, leaving out the columns in `skip` (e.g. a
/// serial id the database assigns), and returns the `returning` column of every row
/// as text, in no particular order. PostgreSQL only.
pub async fn insert<E, C>(
    conn: &C,
    rows: &[E::Model],
    skip: &[E::Column],
    returning: &[E::Column],
) -> Result<Vec<Vec<String>>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    if conn.get_database_backend() != DatabaseBackend::Postgres {
        return Err(DbErr::Custom("JSON inserts are for PostgreSQL only".into()));
    }
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| !skip.iter().any(|s| s.as_str() == c.as_str()))
        .collect();
    let mut defs = Vec::with_capacity(columns.len());
    for c in &columns {
        defs.push(format!(
            "\"{}\" {}",
            c.as_str(),
            pg_type(c.def().get_column_type())?
        ));
    }
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let mut array = Vec::with_capacity(rows.len());
    for row in rows {
        let mut object = serde_json::Map::with_capacity(columns.len());
        for c in &columns {
            object.insert(c.as_str().to_string(), json_of(row.get(*c))?);
        }
        array.push(serde_json::Value::Object(object));
    }
    let returned: Vec<String> = returning
        .iter()
        .map(|c| format!("\"{}\"::text", c.as_str()))
        .collect();
    let sql = format!(
        "INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_to_recordset($1::json) AS x({defs}) RETURNING {returned}",
        table = E::default().table_name(),
        names = names.join(", "),
        defs = defs.join(", "),
        returned = returned.join(", "),
    );
    let payload = serde_json::Value::Array(array).to_string();
    let out = conn
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            sql,
            [Value::String(Some(payload))],
        ))
        .await?;
    let mut values = Vec::with_capacity(out.len());
    for r in &out {
        let mut one = Vec::with_capacity(returning.len());
        for c in returning {
            one.push(r.try_get::<String>("", c.as_str())?);
        }
        values.push(one);
    }
    if values.len() != rows.len() {
        return Err(DbErr::Custom(format!(
            "insert into {} wrote {} rows of {}",
            E::default().table_name(),
            values.len(),
            rows.len()
        )));
    }
    Ok(values)
}

fn pg_type(t: &ColumnType) -> Result<&'static str, DbErr> {
    Ok(match t {
        ColumnType::BigInteger => "bigint",
        ColumnType::Integer => "integer",
        ColumnType::SmallInteger => "smallint",
        ColumnType::Boolean => "boolean",
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => "text",
        ColumnType::Date => "date",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        other => {
            return Err(DbErr::Custom(format!(
                "JSON insert: no mapping for column type {other:?}"
            )))
        }
    })
}

fn json_of(v: Value) -> Result<serde_json::Value, DbErr> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Bool(b) => b.map_or(J::Null, J::Bool),
        Value::SmallInt(i) => i.map_or(J::Null, J::from),
        Value::Int(i) => i.map_or(J::Null, J::from),
        Value::BigInt(i) => i.map_or(J::Null, J::from),
        Value::String(s) => s.map_or(J::Null, J::String),
        Value::ChronoDate(d) => d.map_or(J::Null, |d| J::String(d.to_string())),
        Value::ChronoDateTimeUtc(t) => t.map_or(J::Null, |t| J::String(t.to_rfc3339())),
        // Never the value itself in the message: it may be personal data.
        _ => return Err(DbErr::Custom("JSON insert: unsupported value type".into())),
    })
}
