//! Load benchmark over real HTTP on loopback: ticket creation by 8 concurrent clients, ticket
//! reads by id, and a filtered list page with many tickets present.
//!
//! `cargo bench --bench load -- [--backend postgres|sqlite|both] [--tickets N] [--seconds S]`
//! PostgreSQL comes from `SERVICEDESK_BENCH_POSTGRES_URL` (default the local server); a fresh
//! database is made and dropped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use servicedesk::app::{self, Application};
use servicedesk::clock::SystemClock;
use servicedesk::config::Config;

const CLIENTS: usize = 8;
const DOMAIN: &str = "tojounaunakab.go.id";
const PASSWORD: &str = "kata-sandi-bench-1";

struct Options {
    backends: Vec<&'static str>,
    tickets: usize,
    seconds: u64,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let backends = match value("--backend").as_deref() {
        Some("postgres") => vec!["postgres"],
        Some("sqlite") => vec!["sqlite"],
        _ => vec!["postgres", "sqlite"],
    };
    Options {
        backends,
        tickets: value("--tickets")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000),
        seconds: value("--seconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10),
    }
}

/// Latencies of one phase, and what they add up to.
struct Figures {
    name: String,
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    fn row(&self, backend: &str) -> String {
        format!(
            "| {backend} | {} | {} | {:.0} | {:.1} | {:.1} |",
            self.name,
            self.count,
            self.count as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.5),
            self.percentile(0.99)
        )
    }
}

struct Target {
    base: String,
    client: reqwest::Client,
    tier1: Vec<(String, String)>,
}

async fn login(target: &Target, email: &str) -> String {
    let body: Value = target
        .client
        .post(format!("{}/api/v1/auth/login", target.base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// Runs `CLIENTS` loops of `request` for `seconds`, each timing its own requests.
async fn phase<F, Fut>(name: &str, seconds: u64, request: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let loops = (0..CLIENTS).map(|client| {
        let request = request.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                assert!(request(client, i).await, "a request failed");
                latencies.push(sent.elapsed());
                i += 1;
            }
            latencies
        })
    });
    let mut latencies = Vec::new();
    for handle in loops {
        latencies.extend(handle.await.expect("client loop"));
    }
    Figures {
        name: name.to_owned(),
        count: latencies.len(),
        elapsed: start.elapsed(),
        latencies,
    }
}

fn ticket_body(i: usize) -> Value {
    json!({"kind": "incident", "title": format!("Bench ticket {i}"), "description": "Beban uji",
           "impact": "medium", "urgency": "high", "reporter": {"name": "Penguji"}})
}

/// Adds tickets straight into the database until `total` exist, spread over the PDs, statuses
/// and the past year (HTTP would take hours for a million).
fn bulk_load(url: &str, backend: &str, units: &[String], creator: &str, total: usize) {
    let mut conn = servicedesk::db::DatabaseUrl::parse(url)
        .expect("url")
        .establish()
        .expect("connect");
    let per_unit = total / units.len();
    // Values are formatted in (they are ids this benchmark made): SQLite numbers `$N`
    // parameters by their first appearance, which would scramble positional binds here.
    let series = match backend {
        "postgres" => format!("SELECT n FROM generate_series(1, {per_unit}) AS n"),
        _ => format!(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {per_unit}) SELECT n FROM s"
        ),
    };
    let (id, number, created, text) = match backend {
        "postgres" => (
            "'00000000-0000-7000-8' || lpad('{u}', 3, '0') || '-' || lpad(n::text, 12, '0')",
            "'SD-2025-' || lpad('{u}', 2, '0') || lpad(n::text, 7, '0')",
            "TIMESTAMP '2025-01-01' + (n * INTERVAL '1 second') * 31",
            "'Tiket lama ' || n::text",
        ),
        _ => (
            "printf('00000000-0000-7000-8%03d-%012d', {u}, n)",
            "printf('SD-2025-%02d%07d', {u}, n)",
            "datetime('2025-01-01', '+' || (n * 31) || ' seconds')",
            "'Tiket lama ' || n",
        ),
    };
    for (u, unit) in units.iter().enumerate() {
        let (id, number) = (
            id.replace("{u}", &u.to_string()),
            number.replace("{u}", &u.to_string()),
        );
        let sql = format!(
            "INSERT INTO tickets (id, number, kind, title, description, status, priority, impact, urgency, tier,
                unit_id, reporter_name, classification, security_incident, created_by, created_at, updated_at, version)
             SELECT {id}, {number}, 'incident', {text}, 'Beban uji', 
                CASE n % 6 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'pending'
                           WHEN 3 THEN 'resolved' WHEN 4 THEN 'closed' ELSE 'cancelled' END,
                CASE n % 4 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END,
                'medium', 'medium', 1 + n % 2, '{unit}', 'Penguji', 'public', false, '{creator}', {created}, {created}, 1
             FROM ({series}) AS s"
        );
        diesel::sql_query(sql)
            .execute(&mut conn)
            .expect("bulk insert");
    }
    diesel::sql_query("ANALYZE")
        .execute(&mut conn)
        .expect("analyze");
}

async fn run_backend(backend: &'static str, options: &Options) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, pg) = match backend {
        "postgres" => {
            let admin_url = std::env::var("SERVICEDESK_BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into());
            let name = format!("sdbench_{}", std::process::id());
            let mut admin =
                diesel::PgConnection::establish(&admin_url).expect("PostgreSQL for the benchmark");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .expect("create db");
            let url = format!(
                "{}/{name}",
                admin_url.rsplit_once('/').expect("url with a database").0
            );
            (url, Some((admin_url, name)))
        }
        _ => (format!("sqlite://{}/bench.db", dir.path().display()), None),
    };
    let vars = [
        ("SERVICEDESK_DATA_DIR", dir.path().display().to_string()),
        ("SERVICEDESK_DATABASE_URL", url.clone()),
        ("SERVICEDESK_BIND", "127.0.0.1:0".to_owned()),
        ("SERVICEDESK_REGION_PRESET", "tojo-una-una".to_owned()),
    ];
    let config = Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("config");
    let application = Application::build(&config, Arc::new(SystemClock)).expect("server");
    let base = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    let desk = app::prepare(&config, Arc::new(SystemClock)).expect("desk");
    let admin = desk
        .create_admin(&format!("admin@{DOMAIN}"), "Admin", PASSWORD)
        .expect("admin");
    let admin_caller = servicedesk::auth::Caller {
        user_id: admin.id.clone(),
        role: admin.role,
        unit_id: None,
    };
    let mut target = Target {
        base,
        client: reqwest::Client::new(),
        tier1: Vec::new(),
    };
    let mut units = Vec::new();
    for u in 0..12 {
        let unit = desk
            .create_unit(
                &admin_caller,
                serde_json::from_value(
                    json!({"code": format!("PD{u}"), "name": format!("PD {u}"), "kind": "pd"}),
                )
                .expect("unit"),
            )
            .expect("unit");
        let email = format!("tier1.{u}@{DOMAIN}");
        let user = desk
            .create_user(&admin_caller, serde_json::from_value(json!({"name": email, "email": email, "password": PASSWORD, "role": "tier1", "unit_id": unit.id})).expect("user"))
            .expect("user");
        let token = login(&target, &email).await;
        target.tier1.push((user.id, token));
        units.push(unit.id);
    }
    let target = Arc::new(target);
    let mut rows = Vec::new();

    let created = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (t, ids) = (target.clone(), created.clone());
    let figures = phase(
        "create ticket (8 clients)",
        options.seconds,
        move |client, i| {
            let (t, ids) = (t.clone(), ids.clone());
            async move {
                let response = t
                    .client
                    .post(format!("{}/api/v1/tickets", t.base))
                    .bearer_auth(&t.tier1[client % t.tier1.len()].1)
                    .json(&ticket_body(i))
                    .send()
                    .await
                    .expect("create");
                let ok = response.status() == reqwest::StatusCode::CREATED;
                let ticket: Value = response.json().await.expect("json");
                if let Some(id) = ticket["id"].as_str() {
                    ids.lock()
                        .expect("ids")
                        .push(format!("{}|{}", client % t.tier1.len(), id));
                }
                ok
            }
        },
    )
    .await;
    rows.push(figures.row(backend));

    let ids: Arc<Vec<(usize, String)>> = Arc::new(
        created
            .lock()
            .expect("ids")
            .iter()
            .filter_map(|entry| {
                entry
                    .split_once('|')
                    .map(|(c, id)| (c.parse().expect("client"), id.to_owned()))
            })
            .collect(),
    );
    let (t, all) = (target.clone(), ids.clone());
    let figures = phase(
        "read ticket by id (8 clients)",
        options.seconds,
        move |client, i| {
            let (t, all) = (t.clone(), all.clone());
            async move {
                let (owner, id) = &all[(client * 7919 + i * 104_729) % all.len()];
                let response = t
                    .client
                    .get(format!("{}/api/v1/tickets/{id}", t.base))
                    .bearer_auth(&t.tier1[*owner].1)
                    .send()
                    .await
                    .expect("read");
                response.status() == reqwest::StatusCode::OK && response.bytes().await.is_ok()
            }
        },
    )
    .await;
    rows.push(figures.row(backend));

    let loading = Instant::now();
    bulk_load(&url, backend, &units, &target.tier1[0].0, options.tickets);
    eprintln!(
        "{backend}: {} tickets loaded in {:.0?}",
        options.tickets,
        loading.elapsed()
    );
    for (name, query) in [
        ("list: PD + status, newest 50", "status=in_progress"),
        ("list: PD, newest 50 then the next 50 (2 requests)", "page2"),
    ] {
        let t = target.clone();
        let query = query.to_owned();
        let figures = phase(
            &format!("{name} ({} tickets)", options.tickets),
            options.seconds,
            move |client, _| {
                let t = t.clone();
                let query = query.clone();
                async move {
                    let token = &t.tier1[client % t.tier1.len()].1;
                    let get = |q: String| {
                        t.client
                            .get(format!("{}/api/v1/tickets?limit=50&{q}", t.base))
                            .bearer_auth(token)
                            .send()
                    };
                    if query == "page2" {
                        let first: Value = get(String::new())
                            .await
                            .expect("list")
                            .json()
                            .await
                            .expect("json");
                        let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
                        get(format!("cursor={cursor}"))
                            .await
                            .expect("list")
                            .status()
                            .is_success()
                    } else {
                        get(query).await.expect("list").status().is_success()
                    }
                }
            },
        )
        .await;
        rows.push(figures.row(backend));
    }
    if let Some((admin_url, name)) = pg {
        let mut admin = diesel::PgConnection::establish(&admin_url).expect("admin connection");
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .expect("drop");
    }
    rows
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = vec![
        "| database | operation | requests | per second | p50 ms | p99 ms |".to_owned(),
        "| --- | --- | --- | --- | --- | --- |".to_owned(),
    ];
    for backend in &options.backends {
        rows.extend(runtime.block_on(run_backend(backend, &options)));
    }
    println!("{}", rows.join("\n"));
}
