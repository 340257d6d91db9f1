//! The two backends' migrations build the same schema, and each down migration undoes its up.
//! Types are compared by class (SQLite has affinities, not PostgreSQL's exact types), and
//! indexes and keys by their columns, since the two name implicit ones differently.

mod catalog;
mod postgres;
mod sqlite;

use std::collections::{BTreeMap, BTreeSet};

use diesel::backend::Backend;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use servicedesk::db::{DatabaseUrl, DbConn, run_migrations};

use crate::support::PgDatabase;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Diesel's own bookkeeping, present on both whatever the migrations do.
const DIESEL_TABLE: &str = "__diesel_schema_migrations";

/// Every table but diesel's, by name.
pub type Schema = BTreeMap<String, Table>;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub primary_key: Vec<String>,
    pub indexes: BTreeSet<Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub class: &'static str,
    pub nullable: bool,
}

/// Any index but the primary key's; a UNIQUE constraint counts as a unique index.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// `None` for an expression.
    pub columns: Vec<Option<String>>,
    pub unique: bool,
    pub partial: bool,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub target: String,
    pub target_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
}

/// What a test reads back from a database of either backend.
pub trait Introspect {
    fn schema(&mut self) -> Schema;
    /// Every named object (table, index, view, trigger, sequence, type, function) but
    /// diesel's, as "kind name": what a full revert must leave empty.
    fn objects(&mut self) -> BTreeSet<String>;
}

/// A declared type's class: what the service's one diesel schema can read on both backends.
pub fn type_class(declared: &str) -> &'static str {
    let declared = declared.to_ascii_lowercase();
    let has = |word: &str| declared.contains(word);
    if has("bool") {
        "bool"
    } else if has("timestamp") || has("datetime") {
        "timestamp"
    } else if has("int") {
        "integer"
    } else if has("double") || has("real") || has("float") || has("numeric") {
        "real"
    } else if has("bytea") || has("blob") {
        "bytes"
    } else if has("text") || has("char") || has("uuid") || has("json") {
        "text"
    } else if declared == "date" {
        "date"
    } else {
        panic!("no type class for the declared type {declared:?}: add it to type_class")
    }
}

fn fresh_sqlite(dir: &tempfile::TempDir) -> diesel::SqliteConnection {
    let url = DatabaseUrl::Sqlite(dir.path().join("schema.db"));
    match url.establish().expect("open SQLite") {
        DbConn::Sqlite(conn) => conn,
        DbConn::Pg(_) => unreachable!("an sqlite:// URL opens SQLite"),
    }
}

fn fresh_postgres(db: &PgDatabase) -> diesel::PgConnection {
    match DatabaseUrl::Postgres(db.url.clone())
        .establish()
        .expect("open PostgreSQL")
    {
        DbConn::Pg(conn) => conn,
        DbConn::Sqlite(_) => unreachable!("a postgres:// URL opens PostgreSQL"),
    }
}

fn migration_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_ship_the_same_migrations() {
    assert_eq!(
        migration_names("migrations/postgres"),
        migration_names("migrations/sqlite")
    );
}

#[test]
fn both_backends_build_the_same_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sqlite = DbConn::Sqlite(fresh_sqlite(&dir));
    run_migrations(&mut sqlite).expect("SQLite migrations");
    let pg_db = PgDatabase::create();
    let mut pg = DbConn::Pg(fresh_postgres(&pg_db));
    run_migrations(&mut pg).expect("PostgreSQL migrations");
    let (DbConn::Sqlite(sqlite), DbConn::Pg(pg)) = (&mut sqlite, &mut pg) else {
        unreachable!("each connection is of the backend it was opened as")
    };
    let (sqlite, pg) = (sqlite.schema(), pg.schema());

    assert!(!sqlite.is_empty(), "the migrations made no table");
    let names: BTreeSet<&String> = sqlite.keys().chain(pg.keys()).collect();
    for name in names {
        assert_eq!(
            sqlite.get(name),
            pg.get(name),
            "table {name}: SQLite (left) and PostgreSQL (right) differ"
        );
    }
}

/// Runs the migrations one at a time (`migrations` makes the set anew for each call, as
/// diesel takes it by value); after each, its down must bring back exactly the
/// schema before it, and reverting them all must leave nothing but diesel's table.
fn each_down_undoes_its_up<C, B>(conn: &mut C, migrations: fn() -> EmbeddedMigrations)
where
    C: MigrationHarness<B> + Introspect,
    B: Backend,
{
    let count = conn
        .pending_migrations(migrations())
        .expect("list migrations")
        .len();
    assert!(count > 0, "no migrations found");
    for _ in 0..count {
        let before = (conn.schema(), conn.objects());
        let version = conn
            .run_next_migration(migrations())
            .expect("up")
            .as_owned();
        conn.revert_last_migration(migrations())
            .unwrap_or_else(|e| panic!("down of {version}: {e}"));
        assert_eq!(
            (conn.schema(), conn.objects()),
            before,
            "the down of {version} does not undo its up"
        );
        conn.run_next_migration(migrations())
            .unwrap_or_else(|e| panic!("{version} again after its down: {e}"));
    }
    conn.revert_all_migrations(migrations())
        .expect("revert all migrations");
    assert_eq!(conn.objects(), BTreeSet::new(), "left after every down");
}

#[test]
fn sqlite_downs_undo_their_ups() {
    let dir = tempfile::tempdir().expect("temp dir");
    each_down_undoes_its_up(&mut fresh_sqlite(&dir), || SQLITE);
}

#[test]
fn postgres_downs_undo_their_ups() {
    let db = PgDatabase::create();
    each_down_undoes_its_up(&mut fresh_postgres(&db), || POSTGRES);
}
