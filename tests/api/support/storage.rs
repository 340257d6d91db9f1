//! Where a test's data lives: a temporary directory, and on PostgreSQL a throwaway database.

use std::collections::HashMap;

use diesel::{Connection, RunQueryDsl};
use servicedesk::config::Config;

use super::{Backend, JWT_SECRET, PRESET, faulty_fs};

/// A throwaway PostgreSQL database, dropped when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database on the test server.
    pub fn create() -> Self {
        Self::create_from(None)
    }

    /// Creates a copy of the database `template`.
    pub fn copy_of(template: &str) -> Self {
        Self::create_from(Some(template))
    }

    /// A database created on the test server (see [`admin_url`]), empty or from `template`. No PostgreSQL is a failure, never a
    /// skip. Loopback needs no TLS, and libpq's TLS teardown at process exit can crash a test
    /// whose server threads still hold connections.
    fn create_from(template: Option<&str>) -> Self {
        let database = Self::named(&format!("sdtest_{}", uuid::Uuid::now_v7().simple()));
        let mut admin = database.admin();
        let from = template.map_or(String::new(), |template| format!(" TEMPLATE {template}"));
        diesel::sql_query(format!("CREATE DATABASE {}{from}", database.name))
            .execute(&mut admin)
            .expect("create test database");
        database
    }

    /// The database of this name on the test server, which the value drops when it goes.
    pub fn named(name: &str) -> Self {
        let admin_url = admin_url();
        let url = with_database(&admin_url, name);
        Self {
            admin_url,
            name: name.to_owned(),
            url,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` as the administrator, connected to the maintenance database.
    pub fn admin_execute(&self, sql: &str) {
        diesel::sql_query(sql)
            .execute(&mut self.admin())
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn admin(&self) -> diesel::PgConnection {
        diesel::PgConnection::establish(&self.admin_url).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is needed for the tests ({}): {e}; run scripts/test.sh",
                self.admin_url
            )
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

/// The maintenance database of the test server: `SERVICEDESK_TEST_POSTGRES_URL`, else the
/// local one on 127.0.0.1:5432.
pub fn admin_url() -> String {
    std::env::var("SERVICEDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres?sslmode=disable".into())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Where a test's data lives; kept alive as long as the server runs.
pub struct Storage {
    /// A file system mounted over `dir`; first, so that it is unmounted before `dir` goes.
    pub mounted: Option<faulty_fs::Mounted>,
    pub dir: tempfile::TempDir,
    pub pg: Option<PgDatabase>,
}

impl Storage {
    pub fn new(backend: Backend) -> Self {
        Self {
            mounted: None,
            dir: tempfile::tempdir().expect("temp dir"),
            pg: (backend == Backend::Postgres).then(PgDatabase::create),
        }
    }

    /// Where the SQLite database of this storage is (when it has no PostgreSQL one).
    pub fn sqlite_file(&self) -> std::path::PathBuf {
        self.dir.path().join("servicedesk.db")
    }

    /// The `SERVICEDESK_DATABASE_URL` of this storage.
    pub fn database_url(&self) -> String {
        match &self.pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}", self.sqlite_file().display()),
        }
    }

    /// The environment a server on this storage gets.
    pub fn env(&self, preset: Option<&str>) -> HashMap<String, String> {
        let mut vars = HashMap::from([
            (
                "SERVICEDESK_DATA_DIR".to_owned(),
                self.dir.path().display().to_string(),
            ),
            ("SERVICEDESK_DATABASE_URL".to_owned(), self.database_url()),
            ("SERVICEDESK_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("SERVICEDESK_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ]);
        if let Some(preset) = preset {
            vars.insert("SERVICEDESK_REGION_PRESET".into(), preset.into());
        }
        vars
    }

    pub fn config(&self, preset: Option<&str>) -> Config {
        let vars = self.env(preset);
        Config::from_lookup(|name| vars.get(name).cloned()).expect("test config")
    }

    /// The configuration of a server on the preset, with more settings.
    pub fn config_with(&self, extra: &[(&str, String)]) -> Config {
        let mut vars = self.env(Some(PRESET));
        vars.extend(
            extra
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone())),
        );
        Config::from_lookup(|name| vars.get(name).cloned()).expect("test config")
    }

    /// The configuration of a server whose time is set by the test: the SLA engine looks at
    /// the clock every 20 ms.
    pub fn config_on_test_clock(&self) -> Config {
        self.config_on_test_clock_with(&[])
    }

    /// The same with more settings.
    pub fn config_on_test_clock_with(&self, extra: &[(&str, String)]) -> Config {
        let mut settings = vec![("SERVICEDESK_SLA_TICK_MS", "20".to_owned())];
        settings.extend_from_slice(extra);
        self.config_with(&settings)
    }
}

#[test]
fn database_is_swapped_in_the_url() {
    assert_eq!(
        with_database("postgres://root@127.0.0.1:5432/postgres", "x"),
        "postgres://root@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
