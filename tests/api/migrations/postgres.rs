//! The schema as PostgreSQL's catalogue describes it (schema `public`).

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::{Bool, Nullable, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl};

use super::{Column, DIESEL_TABLE, ForeignKey, Index, Introspect, Schema, type_class};

/// The tables the schema is read from: every one in `public` but diesel's.
const TABLES: &str = "SELECT c.oid, c.relname::text AS name FROM pg_class c \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations'";

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    key_name: String,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    source_column: String,
    #[diesel(sql_type = Text)]
    target_column: String,
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

/// PostgreSQL's one-letter referential actions, in the words SQLite reports them with.
const ACTION: &str = "CASE {} WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
     WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END";

fn rows<T: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    sql: &str,
) -> Vec<T> {
    diesel::sql_query(sql)
        .load(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

impl Introspect for PgConnection {
    fn schema(&mut self) -> Schema {
        let mut schema = Schema::new();
        let columns: Vec<ColumnRow> = rows(
            self,
            &format!(
                "SELECT t.name AS table_name, a.attname::text AS name, \
                 format_type(a.atttypid, a.atttypmod) AS declared, a.attnotnull AS not_null \
                 FROM ({TABLES}) t JOIN pg_attribute a ON a.attrelid = t.oid \
                 WHERE a.attnum > 0 AND NOT a.attisdropped"
            ),
        );
        for row in columns {
            let column = Column {
                class: type_class(&row.declared),
                nullable: !row.not_null,
            };
            let table = schema.entry(row.table_name).or_default();
            table.columns.insert(row.name, column);
        }
        read_indexes(self, &mut schema);
        read_foreign_keys(self, &mut schema);
        schema
    }

    fn objects(&mut self) -> BTreeSet<String> {
        let sql = format!(
            "SELECT c.relkind::text || ' ' || c.relname AS object FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname NOT LIKE '{DIESEL_TABLE}%' \
             UNION ALL SELECT 'function ' || p.proname FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
             UNION ALL SELECT 'type ' || t.typname FROM pg_type t \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm')"
        );
        rows::<ObjectRow>(self, &sql)
            .into_iter()
            .map(|row| row.object)
            .collect()
    }
}

fn read_indexes(conn: &mut PgConnection, schema: &mut Schema) {
    let indexes: Vec<IndexRow> = rows(
        conn,
        &format!(
            "SELECT t.name AS table_name, i.relname::text AS index_name, \
             x.indisprimary AS is_primary, x.indisunique AS is_unique, \
             x.indpred IS NOT NULL AS partial, a.attname::text AS column_name \
             FROM ({TABLES}) t JOIN pg_index x ON x.indrelid = t.oid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             ORDER BY t.name, i.relname, k.ord"
        ),
    );
    let mut by_name = BTreeMap::new();
    for row in indexes {
        if row.is_primary {
            let column = row.column_name.expect("a primary key is on columns");
            let table = schema.entry(row.table_name).or_default();
            table.primary_key.push(column);
            continue;
        }
        by_name
            .entry((row.table_name, row.index_name))
            .or_insert_with(|| Index {
                columns: Vec::new(),
                unique: row.is_unique,
                partial: row.partial,
            })
            .columns
            .push(row.column_name);
    }
    for ((table, _), index) in by_name {
        schema.entry(table).or_default().indexes.insert(index);
    }
}

fn read_foreign_keys(conn: &mut PgConnection, schema: &mut Schema) {
    let keys: Vec<ForeignKeyRow> = rows(
        conn,
        &format!(
            "SELECT t.name AS table_name, f.conname::text AS key_name, r.relname::text AS target, \
             a.attname::text AS source_column, ra.attname::text AS target_column, \
             {} AS on_update, {} AS on_delete \
             FROM ({TABLES}) t JOIN pg_constraint f ON f.conrelid = t.oid AND f.contype = 'f' \
             JOIN pg_class r ON r.oid = f.confrelid \
             CROSS JOIN LATERAL unnest(f.conkey, f.confkey) WITH ORDINALITY AS k(source, target, ord) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.source \
             JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = k.target \
             ORDER BY t.name, f.conname, k.ord",
            ACTION.replace("{}", "f.confupdtype"),
            ACTION.replace("{}", "f.confdeltype"),
        ),
    );
    let mut by_name = BTreeMap::new();
    for row in keys {
        let key = by_name
            .entry((row.table_name, row.key_name))
            .or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                target: row.target,
                target_columns: Vec::new(),
                on_update: row.on_update,
                on_delete: row.on_delete,
            });
        key.columns.push(row.source_column);
        key.target_columns.push(row.target_column);
    }
    for ((table, _), key) in by_name {
        schema.entry(table).or_default().foreign_keys.insert(key);
    }
}
