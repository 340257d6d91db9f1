//! The cast, built once per database. nextest runs each test in a process of its own, so the
//! first test that needs the cast on a backend builds a template under a file lock: a server
//! on the preset, its admin and the cast made through the API (the password hashed there, once),
//! then kept as a SQLite file or a PostgreSQL template database, with what tests need to know
//! of it (ids, credential generations) beside it. Every test then gets a copy, and tokens for
//! the cast signed here with the test servers' secret, carrying the claims a login issues.
//! The template is named by the migrations and the test binary, so that a change to either
//! builds a new one.

use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use servicedesk::app::Jobs;
use servicedesk::auth::{Holder, JwtKeys, TokenKind};
use servicedesk::clock::{Clock, ManualClock, SystemClock};
use servicedesk::config::Config;

use super::storage::admin_url;
use super::{Backend, Cast, DOMAIN, JWT_SECRET, Member, PRESET, PgDatabase, Storage, TestApp};

/// A server on the preset with the admin and the cast copied from the template, its time
/// `clock` (the system's without one) and its jobs as `jobs` says.
pub async fn spawn_cast(
    backend: Backend,
    clock: Option<Arc<ManualClock>>,
    extra: &[(&str, String)],
    jobs: Jobs,
) -> (TestApp, Cast) {
    let place = Place::of(backend);
    let known = match place.ready() {
        Some(known) => known,
        None => place.build().await,
    };
    let storage = place.copy();
    let (config, clock): (Config, Arc<dyn Clock>) = match clock {
        Some(clock) => (storage.config_on_test_clock_with(extra), clock),
        None => (storage.config_with(extra), Arc::new(SystemClock)),
    };
    let mut app = TestApp::serve(storage, &config, clock, jobs).await;
    let signer = Signer {
        keys: JwtKeys::new(JWT_SECRET.as_bytes(), config.access_token_ttl_secs),
        ttl: config.access_token_ttl_secs,
        now: app.clock.now(),
    };
    app.admin_id = id(&known["admin"]);
    app.admin_token = signer.access(&known["admin"]);
    let member = |name: &str| Member {
        id: id(&known[name]),
        token: signer.access(&known[name]),
    };
    let cast = Cast {
        dinkes: id(&known["dinkes"]),
        disdik: id(&known["disdik"]),
        tier1: member("tier1"),
        tier1_colleague: member("tier1_colleague"),
        tier1_other_pd: member("tier1_other_pd"),
        tier2: member("tier2"),
        supervisor: member("supervisor"),
        auditor: member("auditor"),
        integration: Member {
            id: id(&known["integration"]),
            token: signer.integration(&known["integration"]),
        },
    };
    (app, cast)
}

fn id(known: &Value) -> String {
    known["id"].as_str().expect("id").to_owned()
}

/// Signs tokens for the accounts of the template, as the test server would issue them now.
struct Signer {
    keys: JwtKeys,
    ttl: i64,
    now: chrono::DateTime<chrono::Utc>,
}

impl Signer {
    fn holder(account: &Value) -> Holder<'_> {
        Holder {
            user_id: account["id"].as_str().expect("id"),
            role: account["role"].as_str().expect("role"),
            generation: account["generation"].as_i64().expect("generation"),
        }
    }

    /// What a login issues.
    fn access(&self, account: &Value) -> String {
        let jti = uuid::Uuid::now_v7().to_string();
        let expires = self.now + chrono::Duration::seconds(self.ttl);
        self.keys
            .issue(
                Self::holder(account),
                &jti,
                TokenKind::Access,
                self.now,
                expires,
            )
            .expect("signed")
    }

    /// The integration token the template issued (its row names it), valid from now on for as
    /// long as it was issued for.
    fn integration(&self, account: &Value) -> String {
        let jti = account["jti"].as_str().expect("jti");
        let lifetime = chrono::Duration::seconds(account["lifetime"].as_i64().expect("lifetime"));
        self.keys
            .issue(
                Self::holder(account),
                jti,
                TokenKind::Integration,
                self.now,
                self.now + lifetime,
            )
            .expect("signed")
    }
}

/// Where the template of one backend is kept.
struct Place {
    backend: Backend,
    dir: PathBuf,
    key: String,
    /// The PostgreSQL template database's name, its prefix naming this checkout.
    pg_name: String,
    pg_prefix: String,
}

impl Place {
    fn of(backend: Backend) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cast-template");
        std::fs::create_dir_all(&dir).expect("template directory");
        let mut checkout = DefaultHasher::new();
        dir.hash(&mut checkout);
        let pg_prefix = format!("sdtmpl_{:08x}_", checkout.finish() as u32);
        let key = template_key();
        Self {
            backend,
            pg_name: format!("{pg_prefix}{key}"),
            pg_prefix,
            dir,
            key,
        }
    }

    fn name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn known_file(&self) -> PathBuf {
        self.dir.join(format!("{}-{}.json", self.name(), self.key))
    }

    fn sqlite_file(&self) -> PathBuf {
        self.dir.join(format!("sqlite-{}.db", self.key))
    }

    /// What the template holds, once it has been built.
    fn ready(&self) -> Option<Value> {
        let text = std::fs::read_to_string(self.known_file()).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Builds the template, unless another test did while this one waited for the lock.
    async fn build(&self) -> Value {
        let lock_path = self.dir.join(format!("{}.lock", self.name()));
        let lock = File::create(&lock_path).expect("template lock");
        lock.lock().expect("lock the template");
        if let Some(known) = self.ready() {
            return known;
        }
        self.remove_stale();
        let storage = Storage::new(self.backend);
        let config = storage.config(Some(PRESET));
        // Driven: no job of the template's own day (the week's compliance mail, say) is left
        // behind in every copy, whatever the clock of the test that copies it.
        let mut app = TestApp::launch_with(
            storage,
            &config,
            Arc::new(SystemClock),
            &format!("admin@{DOMAIN}"),
            Jobs::Driven,
        )
        .await;
        let cast = app.cast().await;
        // The weekly compliance mail would reach every test's relay on the first day of its
        // week; the tests of that mail turn it on.
        app.set_governance(serde_json::json!({"tier1_compliance_mail": false}))
            .await;
        let known = knowledge(&app, &cast, &config);
        app.stop().await;
        self.keep(&app.storage);
        let partial = self.known_file().with_extension("part");
        std::fs::write(&partial, known.to_string()).expect("write the template's ids");
        std::fs::rename(&partial, self.known_file()).expect("template ready");
        known
    }

    /// Keeps the database of `storage` as the template.
    fn keep(&self, storage: &Storage) {
        match &storage.pg {
            Some(pg) => {
                // Left by a build that died before it wrote what the template holds.
                pg.admin_execute(&format!("DROP DATABASE IF EXISTS {}", self.pg_name));
                pg.admin_execute(&format!(
                    "CREATE DATABASE {} TEMPLATE {}",
                    self.pg_name,
                    pg.name()
                ));
            }
            None => {
                let target = self.sqlite_file();
                let _ = std::fs::remove_file(&target);
                let mut conn = diesel::SqliteConnection::establish(
                    &storage.sqlite_file().display().to_string(),
                )
                .expect("open the built database");
                diesel::sql_query(format!("VACUUM INTO '{}'", target.display()))
                    .execute(&mut conn)
                    .expect("copy the built database");
            }
        }
    }

    /// Storage holding a copy of the template.
    fn copy(&self) -> Storage {
        let storage = Storage {
            mounted: None,
            dir: tempfile::tempdir().expect("temp dir"),
            pg: (self.backend == Backend::Postgres).then(|| PgDatabase::copy_of(&self.pg_name)),
        };
        if storage.pg.is_none() {
            std::fs::copy(self.sqlite_file(), storage.sqlite_file()).expect("copy the template");
        }
        storage
    }

    /// Drops the templates of earlier builds of this checkout.
    fn remove_stale(&self) {
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{}-", self.name())) && !name.contains(&self.key) {
                let _ = std::fs::remove_file(entry.path());
            }
            if self.backend == Backend::Sqlite
                && name.starts_with("sqlite-")
                && !name.contains(&self.key)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        if self.backend == Backend::Postgres {
            let mut conn = diesel::PgConnection::establish(&admin_url()).expect("admin connects");
            let stale: Vec<Name> = diesel::sql_query(format!(
                "SELECT datname FROM pg_database WHERE datname LIKE '{}%' AND datname <> '{}'",
                self.pg_prefix, self.pg_name
            ))
            .load(&mut conn)
            .unwrap_or_default();
            for Name { datname } in stale {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname}"))
                    .execute(&mut conn);
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// What the tests need to know of the accounts just made: ids, roles, credential generations,
/// and the integration token's row and lifetime.
fn knowledge(app: &TestApp, cast: &Cast, config: &Config) -> Value {
    let url = servicedesk::db::DatabaseUrl::parse(&app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let mut account = |id: &str| {
        let user = servicedesk::db::users::find(&mut conn, &id.into())
            .expect("read")
            .expect("the account");
        json!({"id": id, "role": user.role, "generation": user.credential_generation})
    };
    let mut known = json!({
        "dinkes": {"id": cast.dinkes},
        "disdik": {"id": cast.disdik},
        "admin": account(&app.admin_id),
    });
    for (name, member) in [
        ("tier1", &cast.tier1),
        ("tier1_colleague", &cast.tier1_colleague),
        ("tier1_other_pd", &cast.tier1_other_pd),
        ("tier2", &cast.tier2),
        ("supervisor", &cast.supervisor),
        ("auditor", &cast.auditor),
        ("integration", &cast.integration),
    ] {
        known[name] = account(&member.id);
    }
    let keys = JwtKeys::new(JWT_SECRET.as_bytes(), config.access_token_ttl_secs);
    let claims = keys
        .verify(&cast.integration.token, chrono::Utc::now())
        .expect("the integration token");
    known["integration"]["jti"] = json!(claims.jti);
    known["integration"]["lifetime"] = json!(claims.exp - claims.iat);
    known
}

/// Names the template by the migrations and the test binary.
fn template_key() -> String {
    let mut hasher = DefaultHasher::new();
    let binary = std::env::current_exe().expect("test binary");
    let metadata = std::fs::metadata(&binary).expect("test binary");
    (binary, metadata.len(), metadata.modified().ok()).hash(&mut hasher);
    hash_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"),
        &mut hasher,
    );
    format!("{:016x}", hasher.finish())
}

fn hash_tree(dir: &Path, hasher: &mut DefaultHasher) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("migrations")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        path.hash(hasher);
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else {
            std::fs::read(&path).expect("migration").hash(hasher);
        }
    }
}
