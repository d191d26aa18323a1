//! Wide unions: a department's read — or the reads of several departments that share one
//! database — as one `UNION ALL` statement whose rows all have one shape: `k` says which
//! branch a row answers, then every column of every table read, each under its table's
//! prefix; a branch fills its own tables' columns and NULLs the rest.
//!
//! Each statement is a round trip, a pooled connection and a server-side transaction:
//! eight of them per cold `person` look-up were most of what the hub and PostgreSQL spent
//! on it (issue 17). A wide union keeps "one statement per department per batch" and lets
//! departments on one database share it ([`super::round_trip`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use sea_orm::sea_query::{
    Alias, ColumnType, Expr, ExprTrait, Query as Sql, SelectStatement, UnionType, Value,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryResult, Statement, TryGetError,
};

/// Branches per read at most: a row's `k` is its read's position × this + its branch.
const BRANCHES: i32 = 64;

/// One table a read returns columns of, under `prefix`.
pub struct Table {
    name: &'static str,
    prefix: &'static str,
    columns: Vec<(&'static str, ColumnType)>,
}

impl Table {
    pub fn of<E: EntityTrait + Default>(prefix: &'static str) -> Self {
        Self {
            name: E::default().table_name(),
            prefix,
            columns: E::Column::iter()
                .map(|c| (c.as_str(), c.def().get_column_type().clone()))
                .collect(),
        }
    }
}

/// One branch: the rows of table `from` whose `id_number` column is one of the batch's,
/// left-joined with `joins`; it fills the columns of `from` and of the joined tables.
pub struct Branch {
    pub k: i32,
    pub from: &'static str,
    pub id_number: &'static str,
    pub joins: Vec<Join>,
}

/// `LEFT JOIN table ON table.column = on.0.on.1`.
pub struct Join {
    pub table: &'static str,
    pub column: &'static str,
    pub on: (&'static str, &'static str),
}

impl Branch {
    fn reads(&self, table: &str) -> bool {
        self.from == table || self.joins.iter().any(|j| j.table == table)
    }
}

/// A department's whole read: its tables and its branches over them.
pub struct Read {
    pub tables: Vec<Table>,
    pub branches: Vec<Branch>,
}

impl Read {
    /// The read of a department with one table: every row of `E` of the batch's persons,
    /// its columns under [`SINGLE`].
    pub fn single<E: EntityTrait + Default>(id_number: E::Column) -> Self {
        Self {
            tables: vec![Table::of::<E>(SINGLE)],
            branches: vec![Branch {
                k: 0,
                from: E::default().table_name(),
                id_number: id_number.as_str(),
                joins: Vec::new(),
            }],
        }
    }
}

/// The column prefix of a [`Read::single`].
pub const SINGLE: &str = "t_";

/// One read of one statement: `read` for the persons `ids`.
pub struct Part<'a> {
    pub read: &'a Read,
    pub ids: &'a [String],
}

/// The rows of one read, each with its own branch's `k`.
pub struct Rows {
    ns: String,
    rows: Vec<(i32, QueryResult)>,
}

/// One row of a read.
pub struct Row<'a> {
    pub k: i32,
    ns: &'a str,
    res: &'a QueryResult,
}

impl Rows {
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(k, res)| Row {
            k: *k,
            ns: &self.ns,
            res,
        })
    }

    /// Every row as a record of the table under `prefix`, ordered by `key`: a union has
    /// no order, so each person's list is ordered here (by date, then id).
    pub fn sorted<M: FromQueryResult, K: Ord>(
        &self,
        prefix: &str,
        key: impl FnMut(&M) -> K,
    ) -> Result<Vec<M>, DbErr> {
        let prefix = format!("{}{prefix}", self.ns);
        let mut all = self
            .rows
            .iter()
            .map(|(_, res)| M::from_query_result(res, &prefix))
            .collect::<Result<Vec<M>, DbErr>>()?;
        all.sort_unstable_by_key(key);
        Ok(all)
    }
}

impl Row<'_> {
    /// The record of the table under `prefix`.
    pub fn get<M: FromQueryResult>(&self, prefix: &str) -> Result<M, DbErr> {
        M::from_query_result(self.res, &format!("{}{prefix}", self.ns))
    }

    /// A left-joined record: absent (its columns NULL) is `None`; any other failure to
    /// decode stays an error (sea-orm's `from_query_result_optional` would swallow it).
    pub fn optional<M: FromQueryResult>(&self, prefix: &str) -> Result<Option<M>, DbErr> {
        match M::from_query_result_nullable(self.res, &format!("{}{prefix}", self.ns)) {
            Ok(v) => Ok(Some(v)),
            Err(TryGetError::Null(_)) => Ok(None),
            Err(TryGetError::DbErr(e)) => Err(e),
        }
    }
}

/// Reads `part` alone, in one statement.
pub async fn read<C: ConnectionTrait>(conn: &C, part: Part<'_>) -> Result<Rows, DbErr> {
    let mut all = read_many(conn, &[part]).await?;
    all.pop()
        .ok_or_else(|| DbErr::Custom("a wide read lost its part".into()))
}

/// Reads `parts` in one statement; their rows in the order of `parts`. A single part's
/// columns carry only their tables' prefixes; several parts' are set apart as `p<i>_`.
pub async fn read_many<C: ConnectionTrait>(
    conn: &C,
    parts: &[Part<'_>],
) -> Result<Vec<Rows>, DbErr> {
    let ns = |i: usize| {
        if parts.len() == 1 {
            String::new()
        } else {
            format!("p{i}_")
        }
    };
    let stmt = prepared(conn.get_database_backend(), parts, &ns)?;
    let mut out: Vec<Rows> = (0..parts.len())
        .map(|i| Rows {
            ns: ns(i),
            rows: Vec::new(),
        })
        .collect();
    for row in conn.query_all_raw(stmt).await? {
        let k: i32 = row.try_get("", "k")?;
        let part = usize::try_from(k / BRANCHES)
            .ok()
            .and_then(|i| out.get_mut(i))
            .ok_or_else(|| DbErr::Custom(format!("wide read: unknown row kind {k}")))?;
        part.rows.push((k % BRANCHES, row));
    }
    Ok(out)
}

/// Statement texts by shape — which reads, for how many IDs each — so that a statement is
/// built once: with every department together it has about a thousand aliased columns,
/// and building it per request cost the hub more than the round trips it saves.
static TEXTS: LazyLock<Mutex<HashMap<Shape, Arc<str>>>> = LazyLock::new(Default::default);

/// Shapes kept at most (a batch of up to `SHARED_MAX_IDS` IDs has few of them; a stream
/// of odd ones must not grow the map without bound).
const TEXTS_MAX: usize = 1024;

#[derive(PartialEq, Eq, Hash)]
struct Shape {
    backend: u8,
    /// Each part's read (by address: every read is a `static`) and its number of IDs.
    parts: Vec<(usize, usize)>,
}

/// The statement for `parts`: its text from [`TEXTS`] (built on first use), its values —
/// each branch's `k`, then its part's IDs — composed here.
fn prepared(
    backend: DbBackend,
    parts: &[Part<'_>],
    ns: &dyn Fn(usize) -> String,
) -> Result<Statement, DbErr> {
    if parts.iter().any(|p| p.ids.is_empty()) {
        // A ping: an empty `IN` is written as a comparison of two bound values, not kept.
        return Ok(backend.build(&statement(backend, parts, ns)?));
    }
    let shape = Shape {
        backend: match backend {
            DbBackend::Postgres => 1,
            DbBackend::MySql => 2,
            _ => 3,
        },
        parts: parts
            .iter()
            .map(|p| (std::ptr::from_ref(p.read) as usize, p.ids.len()))
            .collect(),
    };
    let mut values = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        for b in &part.read.branches {
            values.push(Value::Int(Some(k_of(p, b)?)));
            values.extend(part.ids.iter().map(|id| Value::String(Some(id.clone()))));
        }
    }
    let cached = TEXTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&shape)
        .cloned();
    let sql = match cached {
        Some(sql) => sql,
        None => {
            let built = backend.build(&statement(backend, parts, ns)?);
            // The composed values must be exactly what the builder binds, in its order.
            if built.values.as_ref().map(|v| &v.0) != Some(&values) {
                return Err(DbErr::Custom(
                    "wide read: composed values differ from the statement's".into(),
                ));
            }
            let sql: Arc<str> = built.sql.into();
            let mut texts = TEXTS.lock().unwrap_or_else(PoisonError::into_inner);
            if texts.len() < TEXTS_MAX {
                texts.insert(shape, sql.clone());
            }
            sql
        }
    };
    Ok(Statement::from_sql_and_values(backend, &*sql, values))
}

/// The `k` of branch `b` of the part at `p`.
fn k_of(p: usize, b: &Branch) -> Result<i32, DbErr> {
    if !(0..BRANCHES).contains(&b.k) {
        return Err(DbErr::Custom(format!(
            "wide read: branch {} out of range",
            b.k
        )));
    }
    i32::try_from(p)
        .ok()
        .and_then(|p| p.checked_mul(BRANCHES))
        .and_then(|k| k.checked_add(b.k))
        .ok_or_else(|| DbErr::Custom("wide read: too many parts".into()))
}

fn statement(
    backend: DbBackend,
    parts: &[Part<'_>],
    ns: &dyn Fn(usize) -> String,
) -> Result<SelectStatement, DbErr> {
    let mut branches = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        for b in &part.read.branches {
            let first = branches.is_empty();
            branches.push(branch(backend, parts, ns, p, b, k_of(p, b)?, first)?);
        }
    }
    let mut branches = branches.into_iter();
    let mut stmt = branches
        .next()
        .ok_or_else(|| DbErr::Custom("wide read without a branch".into()))?;
    for b in branches {
        stmt.union(UnionType::All, b);
    }
    Ok(stmt)
}

/// Branch `b` of part `mine`: `k`, then every part's tables' columns — those `b` reads as
/// read, the others as NULL. A union takes its column names from its first branch, and
/// PostgreSQL its column types from the first branch that has one (a bare NULL takes the
/// type of the branches before it), so only the `first` names its columns and types its
/// NULLs: the text is a third as long.
fn branch(
    backend: DbBackend,
    parts: &[Part<'_>],
    ns: &dyn Fn(usize) -> String,
    mine: usize,
    b: &Branch,
    k: i32,
    first: bool,
) -> Result<SelectStatement, DbErr> {
    let mut q = Sql::select();
    q.expr_as(Expr::val(k), "k");
    for (p, part) in parts.iter().enumerate() {
        let ns = ns(p);
        for t in &part.read.tables {
            let read = p == mine && b.reads(t.name);
            for (col, ty) in &t.columns {
                let expr = if read {
                    Expr::col((Alias::new(t.name), Alias::new(*col)))
                } else if first {
                    Expr::cust(null_of(backend, ty)?)
                } else {
                    Expr::cust("NULL")
                };
                if first {
                    q.expr_as(expr, format!("{ns}{}{col}", t.prefix));
                } else {
                    q.expr(expr);
                }
            }
        }
    }
    q.from(Alias::new(b.from));
    for j in &b.joins {
        q.left_join(
            Alias::new(j.table),
            Expr::col((Alias::new(j.table), Alias::new(j.column)))
                .equals((Alias::new(j.on.0), Alias::new(j.on.1))),
        );
    }
    let ids = parts.get(mine).map(|p| p.ids).unwrap_or_default();
    q.and_where(
        Expr::col((Alias::new(b.from), Alias::new(b.id_number))).is_in(ids.iter().cloned()),
    );
    Ok(q)
}

/// A NULL that unites with the column's type in every branch. PostgreSQL resolves a union's
/// column types branch by branch and takes a bare NULL for text, which a date column then
/// refuses; MariaDB and SQLite take the other branches' type for a bare NULL.
pub fn null_of(backend: DbBackend, ty: &ColumnType) -> Result<&'static str, DbErr> {
    if backend != DbBackend::Postgres {
        return Ok("NULL");
    }
    Ok(match ty {
        ColumnType::BigInteger => "NULL::bigint",
        ColumnType::Integer => "NULL::integer",
        ColumnType::SmallInteger => "NULL::smallint",
        ColumnType::Date => "NULL::date",
        ColumnType::Boolean => "NULL::boolean",
        ColumnType::String(_) | ColumnType::Char(_) | ColumnType::Text => "NULL::text",
        other => {
            return Err(DbErr::Custom(format!(
                "wide read has no typed NULL for column type {other:?}"
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_department_has_a_typed_null_on_postgres() {
        for (d, read) in crate::sources::sql::reads() {
            for t in &read.tables {
                for (col, ty) in &t.columns {
                    assert!(
                        null_of(DbBackend::Postgres, ty).is_ok(),
                        "{d:?} {col} {ty:?}"
                    );
                }
            }
        }
        assert!(null_of(DbBackend::Postgres, &ColumnType::Json).is_err());
    }

    #[test]
    fn parts_are_set_apart_and_each_branch_fills_only_its_own_columns() {
        let reads = crate::sources::sql::reads();
        let ids = ["110105194912310021".to_string()];
        let parts: Vec<Part<'_>> = reads
            .iter()
            .map(|(_, r)| Part { read: r, ids: &ids })
            .collect();
        let ns = |i: usize| format!("p{i}_");
        let sql = statement(DbBackend::Postgres, &parts, &ns)
            .expect("statement")
            .to_string(sea_orm::sea_query::PostgresQueryBuilder);
        let branches: usize = reads.iter().map(|(_, r)| r.branches.len()).sum();
        assert_eq!(sql.matches("UNION ALL").count(), branches - 1, "{sql}");
        // The second part's first branch is k = 64; the first branch names every
        // part's columns under the part's prefix and types their NULLs.
        assert!(sql.contains("64 AS \"k\""), "{sql}");
        let mut selects = sql.split("UNION ALL");
        let first = selects.next().expect("a first branch");
        assert!(first.contains("AS \"p1_t_id_number\""), "{first}");
        assert!(first.contains("NULL::date"), "{first}");
        for select in selects {
            assert!(
                !select.contains("::") && !select.contains("p1_t_"),
                "{select}"
            );
        }
        // Every branch reads from one table (joining others only in its own part).
        for select in sql.split("UNION ALL") {
            assert_eq!(select.matches("FROM").count(), 1, "{select}");
        }
    }

    #[test]
    fn a_kept_text_binds_what_the_builder_would() {
        let reads = crate::sources::sql::reads();
        let ids: Vec<String> = (0..3).map(|i| format!("11010519491231002{i}")).collect();
        for backend in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
            for n in [0, 1, 3] {
                for parts in [1, reads.len()] {
                    let parts: Vec<Part<'_>> = reads
                        .iter()
                        .take(parts)
                        .map(|(_, r)| Part {
                            read: r,
                            ids: &ids[..n],
                        })
                        .collect();
                    let ns = |i: usize| format!("p{i}_");
                    let built = backend.build(&statement(backend, &parts, &ns).expect("built"));
                    // The first call builds and keeps the text, the second reuses it.
                    for _ in 0..2 {
                        let kept = prepared(backend, &parts, &ns).expect("prepared");
                        assert_eq!(kept.sql, built.sql, "{backend:?} {n}");
                        assert_eq!(kept.values, built.values, "{backend:?} {n}");
                    }
                }
            }
        }
    }
}
