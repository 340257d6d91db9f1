//! The schema as SQLite's pragmas describe it.

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};

use super::{Column, DIESEL_TABLE, ForeignKey, Index, Introspect, Schema, type_class};

/// The tables the schema is read from: every one but SQLite's and diesel's.
const TABLES: &str = "SELECT name FROM sqlite_master \
     WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND name <> '__diesel_schema_migrations'";

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = BigInt)]
    is_unique: i64,
    #[diesel(sql_type = BigInt)]
    partial: i64,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    source_column: String,
    #[diesel(sql_type = Nullable<Text>)]
    target_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

#[derive(QueryableByName)]
struct ObjectRow {
    #[diesel(sql_type = Text)]
    object: String,
}

fn rows<T: QueryableByName<diesel::sqlite::Sqlite> + 'static>(
    conn: &mut SqliteConnection,
    sql: &str,
) -> Vec<T> {
    diesel::sql_query(sql)
        .load(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

impl Introspect for SqliteConnection {
    fn schema(&mut self) -> Schema {
        let mut schema = Schema::new();
        let columns: Vec<ColumnRow> = rows(
            self,
            &format!(
                "SELECT t.name AS table_name, c.name, c.type AS declared, c.\"notnull\" AS not_null, \
                 c.pk FROM ({TABLES}) t, pragma_table_info(t.name) c ORDER BY t.name, c.pk"
            ),
        );
        for row in columns {
            let table = schema.entry(row.table_name).or_default();
            if row.pk > 0 {
                table.primary_key.push(row.name.clone());
            }
            // SQLite lets a primary key that is not an INTEGER one hold NULL unless it says
            // NOT NULL; the service never writes one, and PostgreSQL forbids it outright.
            let nullable = row.not_null == 0 && row.pk == 0;
            let class = type_class(&row.declared);
            table.columns.insert(row.name, Column { class, nullable });
        }
        read_indexes(self, &mut schema);
        read_foreign_keys(self, &mut schema);
        schema
    }

    fn objects(&mut self) -> BTreeSet<String> {
        let sql = format!(
            "SELECT type || ' ' || name AS object FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> '{DIESEL_TABLE}'"
        );
        rows::<ObjectRow>(self, &sql)
            .into_iter()
            .map(|row| row.object)
            .collect()
    }
}

fn read_indexes(conn: &mut SqliteConnection, schema: &mut Schema) {
    let indexes: Vec<IndexRow> = rows(
        conn,
        &format!(
            "SELECT t.name AS table_name, l.name AS index_name, l.\"unique\" AS is_unique, \
             l.partial, i.name AS column_name \
             FROM ({TABLES}) t, pragma_index_list(t.name) l, pragma_index_info(l.name) i \
             WHERE l.origin <> 'pk' ORDER BY t.name, l.name, i.seqno"
        ),
    );
    let mut by_name = BTreeMap::new();
    for row in indexes {
        by_name
            .entry((row.table_name, row.index_name))
            .or_insert_with(|| Index {
                columns: Vec::new(),
                unique: row.is_unique != 0,
                partial: row.partial != 0,
            })
            .columns
            .push(row.column_name);
    }
    for ((table, _), index) in by_name {
        schema.entry(table).or_default().indexes.insert(index);
    }
}

fn read_foreign_keys(conn: &mut SqliteConnection, schema: &mut Schema) {
    let keys: Vec<ForeignKeyRow> = rows(
        conn,
        &format!(
            "SELECT t.name AS table_name, f.id, f.seq, f.\"table\" AS target, \
             f.\"from\" AS source_column, f.\"to\" AS target_column, f.on_update, f.on_delete \
             FROM ({TABLES}) t, pragma_foreign_key_list(t.name) f ORDER BY t.name, f.id, f.seq"
        ),
    );
    let mut by_id = BTreeMap::new();
    for row in keys {
        // A reference that names no columns points at the target's primary key.
        let target_column = row
            .target_column
            .or_else(|| {
                let target = schema.get(&row.target)?;
                target
                    .primary_key
                    .get(usize::try_from(row.seq).ok()?)
                    .cloned()
            })
            .unwrap_or_else(|| panic!("{}: a reference to no column", row.table_name));
        let key = by_id
            .entry((row.table_name, row.id))
            .or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                target: row.target,
                target_columns: Vec::new(),
                on_update: row.on_update,
                on_delete: row.on_delete,
            });
        key.columns.push(row.source_column);
        key.target_columns.push(target_column);
    }
    for ((table, _), key) in by_id {
        schema.entry(table).or_default().foreign_keys.insert(key);
    }
}
