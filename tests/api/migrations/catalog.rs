//! What both backends' catalogue queries return, one row per column of a key or index, and
//! how those rows become the tables' keys and indexes.

use std::collections::{BTreeMap, BTreeSet};

use diesel::query_builder::SqlQuery;
use diesel::query_dsl::LoadQuery;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::{Connection, QueryableByName};

use super::{Column, ForeignKey, Index, Schema, type_class};

/// Loads `sql`'s rows; a catalogue query that fails is a broken test.
pub fn rows<C, T>(conn: &mut C, sql: &str) -> Vec<T>
where
    C: Connection,
    for<'a> SqlQuery: LoadQuery<'a, C, T>,
{
    diesel::RunQueryDsl::load(diesel::sql_query(sql), conn).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[derive(QueryableByName)]
pub struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
pub struct IndexRow {
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
    /// `None` for an expression.
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

#[derive(QueryableByName)]
pub struct ForeignKeyRow {
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
pub struct ObjectRow {
    #[diesel(sql_type = Text)]
    object: String,
}

pub fn add_columns(schema: &mut Schema, rows: Vec<ColumnRow>) {
    for row in rows {
        let column = Column {
            class: type_class(&row.declared),
            nullable: row.nullable,
        };
        let table = schema.entry(row.table_name).or_default();
        table.columns.insert(row.name, column);
    }
}

/// Rows in order of their column within each index; primary keys' become the table's key.
pub fn add_indexes(schema: &mut Schema, rows: Vec<IndexRow>) {
    let mut by_name = BTreeMap::new();
    for row in rows {
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

/// Rows in order of their column within each key.
pub fn add_foreign_keys(schema: &mut Schema, rows: Vec<ForeignKeyRow>) {
    let mut by_name = BTreeMap::new();
    for row in rows {
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

pub fn objects(rows: Vec<ObjectRow>) -> BTreeSet<String> {
    rows.into_iter().map(|row| row.object).collect()
}
