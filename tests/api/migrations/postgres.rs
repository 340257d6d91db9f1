//! The schema as PostgreSQL's catalogue describes it (schema `public`).

use std::collections::BTreeSet;

use diesel::PgConnection;

use super::catalog::{self, rows};
use super::{DIESEL_TABLE, Introspect, Schema};

/// The tables the schema is read from: every one in `public` but diesel's.
const TABLES: &str = "SELECT c.oid, c.relname::text AS name FROM pg_class c \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations'";

/// PostgreSQL's one-letter referential actions, in the words SQLite reports them with.
fn action(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
         WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END"
    )
}

impl Introspect for PgConnection {
    fn schema(&mut self) -> Schema {
        let mut schema = Schema::new();
        let columns = format!(
            "SELECT t.name AS table_name, a.attname::text AS name, \
             format_type(a.atttypid, a.atttypmod) AS declared, NOT a.attnotnull AS nullable \
             FROM ({TABLES}) t JOIN pg_attribute a ON a.attrelid = t.oid \
             WHERE a.attnum > 0 AND NOT a.attisdropped"
        );
        catalog::add_columns(&mut schema, rows(self, &columns));
        let indexes = format!(
            "SELECT t.name AS table_name, i.relname::text AS index_name, \
             x.indisprimary AS is_primary, x.indisunique AS is_unique, \
             x.indpred IS NOT NULL AS partial, a.attname::text AS column_name \
             FROM ({TABLES}) t JOIN pg_index x ON x.indrelid = t.oid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             ORDER BY t.name, i.relname, k.ord"
        );
        catalog::add_indexes(&mut schema, rows(self, &indexes));
        let foreign_keys = format!(
            "SELECT t.name AS table_name, f.conname::text AS key_name, r.relname::text AS target, \
             a.attname::text AS source_column, ra.attname::text AS target_column, \
             {} AS on_update, {} AS on_delete \
             FROM ({TABLES}) t JOIN pg_constraint f ON f.conrelid = t.oid AND f.contype = 'f' \
             JOIN pg_class r ON r.oid = f.confrelid \
             CROSS JOIN LATERAL unnest(f.conkey, f.confkey) WITH ORDINALITY AS k(source, target, ord) \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.source \
             JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = k.target \
             ORDER BY t.name, f.conname, k.ord",
            action("f.confupdtype"),
            action("f.confdeltype"),
        );
        catalog::add_foreign_keys(&mut schema, rows(self, &foreign_keys));
        schema
    }

    fn objects(&mut self) -> BTreeSet<String> {
        let sql = format!(
            "SELECT c.relkind::text || ' ' || c.relname AS object FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname NOT LIKE '{DIESEL_TABLE}%' \
             UNION ALL SELECT 'function ' || p.proname FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
             UNION ALL SELECT 'trigger ' || g.tgname FROM pg_trigger g \
             JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND NOT g.tgisinternal \
             UNION ALL SELECT 'type ' || t.typname FROM pg_type t \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm')"
        );
        catalog::objects(rows(self, &sql))
    }
}
