//! The schema as SQLite's pragmas describe it.

use std::collections::BTreeSet;

use diesel::SqliteConnection;

use super::catalog::{self, rows};
use super::{DIESEL_TABLE, Introspect, Schema};

/// The tables the schema is read from: every one but SQLite's and diesel's.
const TABLES: &str = "SELECT name FROM sqlite_master \
     WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND name <> '__diesel_schema_migrations'";

impl Introspect for SqliteConnection {
    fn schema(&mut self) -> Schema {
        let mut schema = Schema::new();
        // SQLite lets a primary key that is not an INTEGER one hold NULL unless it says NOT
        // NULL; the service never writes one, and PostgreSQL forbids it outright.
        let columns = format!(
            "SELECT t.name AS table_name, c.name, c.type AS declared, \
             c.\"notnull\" = 0 AND c.pk = 0 AS nullable \
             FROM ({TABLES}) t, pragma_table_info(t.name) c"
        );
        catalog::add_columns(&mut schema, rows(self, &columns));
        let indexes = format!(
            "SELECT t.name AS table_name, '' AS index_name, 1 AS is_primary, 1 AS is_unique, \
             0 AS partial, c.name AS column_name, c.pk AS position \
             FROM ({TABLES}) t, pragma_table_info(t.name) c WHERE c.pk > 0 \
             UNION ALL SELECT t.name, l.name, 0, l.\"unique\", l.partial, i.name, i.seqno \
             FROM ({TABLES}) t, pragma_index_list(t.name) l, pragma_index_info(l.name) i \
             WHERE l.origin <> 'pk' ORDER BY table_name, index_name, position"
        );
        catalog::add_indexes(&mut schema, rows(self, &indexes));
        // A reference that names no columns points at the target's primary key.
        let foreign_keys = format!(
            "SELECT t.name AS table_name, CAST(f.id AS TEXT) AS key_name, f.\"table\" AS target, \
             f.\"from\" AS source_column, COALESCE(f.\"to\", (SELECT p.name \
             FROM pragma_table_info(f.\"table\") p WHERE p.pk = f.seq + 1)) AS target_column, \
             f.on_update, f.on_delete \
             FROM ({TABLES}) t, pragma_foreign_key_list(t.name) f ORDER BY t.name, f.id, f.seq"
        );
        catalog::add_foreign_keys(&mut schema, rows(self, &foreign_keys));
        schema
    }

    fn objects(&mut self) -> BTreeSet<String> {
        let sql = format!(
            "SELECT type || ' ' || name AS object FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> '{DIESEL_TABLE}'"
        );
        catalog::objects(rows(self, &sql))
    }
}
