//! Whole tables as portable rows, for backups: read from either backend in one canonical form,
//! written into either. A row is a JSON array of its columns in name order; instants are
//! `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC), flags `true`/`false`, so that the same data reads the
//! same on both backends and a table's checksum survives a move between them.

use diesel::RunQueryDsl;
use diesel::pg::Pg;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DbConn, DbResult};

/// Every table, parents before the tables that refer to them: the order a restore writes in.
pub const TABLES: [&str; 29] = [
    "region_settings",
    "units",
    "users",
    "api_tokens",
    "calendars",
    "calendar_holidays",
    "sla_policies",
    "sla_targets",
    "audit_log",
    "services",
    "criticality_steps",
    "supervisions",
    "ticket_counters",
    "tickets",
    "ticket_comments",
    "ticket_events",
    "idempotency_keys",
    "outages",
    "alerts",
    "ticket_sla",
    "availability_breaches",
    "critical_breaches",
    "committee_letters",
    "service_closures",
    "problem_links",
    "digests",
    "notifications",
    "trail_links",
    "trail_head",
];

/// A column's kind, as both backends' catalogues name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `TEXT`.
    Text,
    /// `INTEGER`, `BIGINT`.
    Integer,
    /// `BOOLEAN`.
    Boolean,
    /// `TIMESTAMP` (UTC, no zone).
    Timestamp,
    /// `DOUBLE PRECISION` / `REAL`.
    Real,
}

impl Kind {
    fn of(declared: &str) -> Option<Kind> {
        Some(match declared.to_ascii_lowercase().as_str() {
            "text" => Kind::Text,
            "integer" | "bigint" => Kind::Integer,
            "boolean" => Kind::Boolean,
            "timestamp" | "timestamp without time zone" => Kind::Timestamp,
            "real" | "double precision" => Kind::Real,
            _ => return None,
        })
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
}

#[derive(diesel::QueryableByName)]
struct Declared {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
}

fn unknown(what: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(what.into())
}

/// A table's columns, in name order, as the database's catalogue declares them.
pub fn columns(conn: &mut DbConn, table: &str) -> DbResult<Vec<Column>> {
    let declared: Vec<Declared> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS kind \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind::<Text, _>(table)
        .load(pg)?,
        DbConn::Sqlite(sqlite) => {
            diesel::sql_query("SELECT name, type AS kind FROM pragma_table_info(?)")
                .bind::<Text, _>(table)
                .load(sqlite)?
        }
    };
    if declared.is_empty() {
        return Err(unknown(format!("no table {table}")));
    }
    let mut columns = declared
        .into_iter()
        .map(|Declared { name, kind }| match Kind::of(&kind) {
            Some(kind) => Ok(Column { name, kind }),
            None => Err(unknown(format!(
                "{table}.{name} has a type no backup knows: {kind}"
            ))),
        })
        .collect::<DbResult<Vec<_>>>()?;
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(columns)
}

/// Every row of `table` in canonical form, sorted, so that the same rows give the same lines
/// whatever order the database returns them in.
pub fn rows(conn: &mut DbConn, table: &str, columns: &[Column]) -> DbResult<Vec<String>> {
    let names = columns
        .iter()
        .map(|column| format!("\"{}\"", column.name))
        .collect::<Vec<_>>()
        .join(", ");
    let lines: Vec<Line> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(format!(
            "SELECT json_build_array({names})::text AS row FROM {table}"
        ))
        .load(pg)?,
        DbConn::Sqlite(sqlite) => {
            diesel::sql_query(format!("SELECT json_array({names}) AS row FROM {table}"))
                .load(sqlite)?
        }
    };
    let mut rows = lines
        .into_iter()
        .map(|Line { row }| {
            let values: Vec<Value> = serde_json::from_str(&row).map_err(|e| {
                unknown(format!(
                    "{table}: a row the database wrote is not JSON: {e}"
                ))
            })?;
            let canonical = values
                .into_iter()
                .zip(columns)
                .map(|(value, column)| canonical(value, column.kind))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| unknown(format!("{table}: a value does not fit its column")))?;
            Ok(Value::Array(canonical).to_string())
        })
        .collect::<DbResult<Vec<_>>>()?;
    rows.sort_unstable();
    Ok(rows)
}

/// A value as both backends should read it.
fn canonical(value: Value, kind: Kind) -> Option<Value> {
    Some(match (kind, value) {
        (_, Value::Null) => Value::Null,
        (Kind::Text, text @ Value::String(_)) => text,
        (Kind::Integer, Value::Number(n)) => Value::from(n.as_i64()?),
        (Kind::Boolean, Value::Bool(flag)) => Value::Bool(flag),
        (Kind::Boolean, Value::Number(n)) => Value::Bool(n.as_i64()? != 0),
        (Kind::Real, Value::Number(n)) => Value::from(n.as_f64()?),
        (Kind::Timestamp, Value::String(text)) => {
            Value::String(instant(&text)?.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        }
        _ => return None,
    })
}

fn instant(text: &str) -> Option<chrono::NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
}

/// Binds each value with its column's SQL type.
macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Bound::Text(v) => query.bind::<Nullable<Text>, _>(v),
                Bound::Integer(v) => query.bind::<Nullable<BigInt>, _>(v),
                Bound::Boolean(v) => query.bind::<Nullable<Bool>, _>(v),
                Bound::Timestamp(v) => query.bind::<Nullable<Timestamp>, _>(v),
                Bound::Real(v) => query.bind::<Nullable<Double>, _>(v),
            };
        }
        query
    }};
}

/// Rows of one statement: well under both backends' limit on bound values.
const VALUES_PER_STATEMENT: usize = 30_000;

/// Writes canonical rows (as [`rows`] gives them) into `table`.
pub fn insert(
    conn: &mut DbConn,
    table: &str,
    columns: &[Column],
    rows: &[Vec<Value>],
) -> DbResult<()> {
    let names = columns
        .iter()
        .map(|column| format!("\"{}\"", column.name))
        .collect::<Vec<_>>()
        .join(", ");
    let per_statement = (VALUES_PER_STATEMENT / columns.len().max(1)).clamp(1, 500);
    let numbered = matches!(conn, DbConn::Pg(_));
    for batch in rows.chunks(per_statement) {
        let mut placeholder = 0;
        let tuples = batch
            .iter()
            .map(|_| {
                let marks = columns
                    .iter()
                    .map(|_| {
                        placeholder += 1;
                        if numbered {
                            format!("${placeholder}")
                        } else {
                            "?".to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({marks})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO {table} ({names}) VALUES {tuples}");
        let values = batch
            .iter()
            .flat_map(|row| row.iter().zip(columns))
            .map(|(value, column)| Bound::of(value, column.kind))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| unknown(format!("{table}: a value does not fit its column")))?;
        match conn {
            DbConn::Pg(pg) => {
                bind_all!(diesel::sql_query(sql).into_boxed::<Pg>(), values).execute(pg)?
            }
            DbConn::Sqlite(sqlite) => {
                bind_all!(diesel::sql_query(sql).into_boxed::<Sqlite>(), values).execute(sqlite)?
            }
        };
    }
    Ok(())
}

/// A value ready to bind.
enum Bound {
    Text(Option<String>),
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Timestamp(Option<chrono::NaiveDateTime>),
    Real(Option<f64>),
}

impl Bound {
    /// `None` if the value does not fit the kind.
    fn of(value: &Value, kind: Kind) -> Option<Bound> {
        Some(match kind {
            Kind::Text => Bound::Text(nullable(value, |v| v.as_str().map(str::to_owned))?),
            Kind::Integer => Bound::Integer(nullable(value, Value::as_i64)?),
            Kind::Boolean => Bound::Boolean(nullable(value, Value::as_bool)?),
            Kind::Timestamp => Bound::Timestamp(nullable(value, |v| v.as_str().and_then(instant))?),
            Kind::Real => Bound::Real(nullable(value, Value::as_f64)?),
        })
    }
}

/// `Some(None)` for a null, `Some(Some(x))` for a value that reads as `x`, `None` otherwise.
fn nullable<T>(value: &Value, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
    if value.is_null() {
        Some(None)
    } else {
        read(value).map(Some)
    }
}

/// The tables the database holds, besides diesel's own.
pub fn tables(conn: &mut DbConn) -> DbResult<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let names: Vec<Name> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema()",
        )
        .load(pg)?,
        DbConn::Sqlite(sqlite) => {
            diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table'").load(sqlite)?
        }
    };
    Ok(names
        .into_iter()
        .map(|name| name.name)
        .filter(|name| !name.starts_with("__diesel") && !name.starts_with("sqlite_"))
        .collect())
}

/// A copy of the SQLite database at `target` (an empty or absent file), made by SQLite itself:
/// one consistent moment of the file while writers go on.
pub fn copy_sqlite(conn: &mut DbConn, target: &std::path::Path) -> DbResult<()> {
    let target = target.to_string_lossy().replace('\'', "''");
    diesel::sql_query(format!("VACUUM INTO '{target}'"))
        .execute(conn)
        .map(drop)
}

/// How many rows `table` holds.
pub fn count(conn: &mut DbConn, table: &str) -> DbResult<i64> {
    let sql = format!("SELECT COUNT(*) AS count FROM {table}");
    let count: Count = match conn {
        DbConn::Pg(pg) => diesel::sql_query(sql).get_result(pg)?,
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).get_result(sqlite)?,
    };
    Ok(count.count)
}

/// The newest migration applied: the schema's version.
pub fn schema_version(conn: &mut DbConn) -> DbResult<String> {
    let sql = "SELECT MAX(version) AS version FROM __diesel_schema_migrations";
    let version: Version = match conn {
        DbConn::Pg(pg) => diesel::sql_query(sql).get_result(pg)?,
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).get_result(sqlite)?,
    };
    Ok(version.version.unwrap_or_default())
}

/// Removes the rows the migrations themselves write (the chain's genesis head), so that a
/// restore can write the archive's.
pub fn clear_seeded(conn: &mut DbConn) -> DbResult<()> {
    diesel::sql_query("DELETE FROM trail_head")
        .execute(conn)
        .map(drop)
}
