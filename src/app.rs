//! Wiring: config → pool → migrations → seeding → the actix application.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::request_log::RequestSpan;
use crate::api::{self, openapi::ApiDoc};
use crate::clock::Clock;
use crate::config::Config;
use crate::db;
use crate::jobs::{
    BackupScheduler, EventHub, HoldKeeper, JobDriver, MailDispatcher, SlaEngine, WeeklyMailer,
};
use crate::mail::Mailer;
use crate::service::backup::schedule::Scheduled;
use crate::service::ops::metrics::RouteLabels;
use crate::service::{Desk, DeskParts, region::SeedOutcome};

/// Whether a server's SLA engine and mail dispatcher run on their own threads, or do their
/// work only when the caller drives them (see [`Application::driver`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jobs {
    Background,
    Driven,
}

/// The SLA engine and the mail dispatcher of a server.
enum Running {
    Background {
        sla_engine: SlaEngine,
        mail_dispatcher: MailDispatcher,
    },
    Driven(JobDriver),
}

/// A built service, bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    jobs: Running,
    event_hub: EventHub,
    backups: Option<BackupScheduler>,
    /// Not started when the jobs are driven: the caller sends the week's mail then.
    weekly: Option<WeeklyMailer>,
    /// This server's share of the database, held as long as it serves (see [`db::hold`]).
    serving: HoldKeeper,
}

/// Prepares the database: migrations (under a lock on PostgreSQL), then the pool, then the
/// region seed. Used by `serve` and by the command-line tools alike.
pub fn prepare(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Desk>> {
    let mut conn = config
        .database_url
        .establish()
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", config.database_url.redacted()))?;
    let applied =
        db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    drop(conn);
    let desk = desk(config, clock)?;
    match desk.seed_region(config.region_preset.as_deref())? {
        SeedOutcome::Seeded { preset } => tracing::info!(?preset, "empty database seeded"),
        SeedOutcome::PresetApplied { preset } => {
            tracing::info!(preset, "the unconfigured region took the preset");
        }
        SeedOutcome::AlreadySeeded { .. } => {}
        SeedOutcome::Differs { preset, requested } => {
            let seeded = match preset {
                Some(preset) => format!("was seeded with the preset {preset}"),
                None => "has been configured by hand".to_owned(),
            };
            anyhow::bail!(
                "SERVICEDESK_REGION_PRESET={requested}: the region in {} {seeded}, and a preset \
                 never overwrites a configured region. To use that database as it is, unset \
                 SERVICEDESK_REGION_PRESET; to start a {requested} desk, point \
                 SERVICEDESK_DATA_DIR (or SERVICEDESK_DATABASE_URL) at a fresh one.",
                config.database_url.redacted()
            );
        }
    }
    Ok(Arc::new(desk))
}

/// Opens a desk that exists already, as it is: the tools that read it or record what they did
/// (`backup`, `verify-audit`, `evidence`) neither create a database at a mistyped location
/// nor migrate one that a newer build has not been let loose on.
pub fn open_existing(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Desk>> {
    let url = &config.database_url;
    if let db::DatabaseUrl::Sqlite(file) = url
        && !file.is_file()
    {
        anyhow::bail!(
            "no database at {}: check SERVICEDESK_DATABASE_URL",
            url.redacted()
        );
    }
    let mut conn = url
        .establish()
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", url.redacted()))?;
    if db::migrations_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))? {
        anyhow::bail!(
            "{} lacks migrations of this build (or holds no desk at all): run `servicedesk \
             migrate` first, or use the build that made it",
            url.redacted()
        );
    }
    drop(conn);
    Ok(Arc::new(desk(config, clock)?))
}

fn desk(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Desk> {
    Ok(Desk::new(DeskParts {
        pool: db::connect_pool(&config.database_url)?,
        clock,
        jwt_secret: config.jwt_secret.expose().to_vec(),
        access_token_ttl_secs: config.access_token_ttl_secs,
        mail_from: config.mail_from.clone(),
    }))
}

impl Application {
    /// Prepares the database and binds the listener (`port 0` picks a free port).
    pub fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        Self::build_with(config, clock, Jobs::Background)
    }

    /// The same, with the SLA engine and the mail dispatcher running as `jobs` says.
    pub fn build_with(config: &Config, clock: Arc<dyn Clock>, jobs: Jobs) -> anyhow::Result<Self> {
        let serving = match db::hold(&config.database_url, db::HoldKind::Shared) {
            Ok(hold) => hold,
            Err(db::HoldError::Busy) => anyhow::bail!(
                "seed-demo is filling {}; start the server when it has finished",
                config.database_url.redacted()
            ),
            Err(error) => return Err(error.into()),
        };
        let desk = prepare(config, clock)?;
        check_mail(config, &desk)?;
        let jobs = start_jobs(config, &desk, jobs)?;
        let weekly = match jobs {
            Running::Background { .. } => Some(
                WeeklyMailer::start(desk.clone())
                    .map_err(|e| anyhow::anyhow!("cannot start the weekly mailer: {e}"))?,
            ),
            Running::Driven(_) => None,
        };
        let event_hub = EventHub::start(desk.clone())
            .map_err(|e| anyhow::anyhow!("cannot start the event hub: {e}"))?;
        let backups = Scheduled::of(config)
            .map(|scheduled| BackupScheduler::start(desk.clone(), scheduled))
            .transpose()
            .map_err(|e| anyhow::anyhow!("cannot start the backup scheduler: {e}"))?;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr()?.port();
        let server = http_server(web::Data::from(desk), listener)?;
        let serving = HoldKeeper::start(serving, server.handle())?;
        Ok(Self {
            port,
            server,
            jobs,
            event_hub,
            backups,
            weekly,
            serving,
        })
    }

    /// The work of the SLA engine and the mail dispatcher, for a server built with
    /// [`Jobs::Driven`].
    pub fn driver(&self) -> Option<JobDriver> {
        match &self.jobs {
            Running::Driven(driver) => Some(driver.clone()),
            Running::Background { .. } => None,
        }
    }

    /// A handle that stops the server, and with it the background jobs.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop (SIGINT/SIGTERM stop it gracefully).
    /// The background jobs stop with the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Running::Background {
            sla_engine,
            mail_dispatcher,
        } = self.jobs
        {
            drop(sla_engine);
            drop(mail_dispatcher);
        }
        drop(self.event_hub);
        drop(self.backups);
        drop(self.weekly);
        let lost = self.serving.lost();
        drop(self.serving);
        if lost {
            return Err(std::io::Error::other(
                "the server lost its hold on the database (a seed-demo took it) and stopped",
            ));
        }
        served
    }
}

/// Refuses a sender outside the official domains, and mail to the made-up addresses of a demo.
fn check_mail(config: &Config, desk: &Desk) -> anyhow::Result<()> {
    desk.check_mail_sender()
        .map_err(|e| anyhow::anyhow!("SERVICEDESK_MAIL_FROM: {e}"))?;
    if config.smtp_url.is_some() && desk.demo_forbids_mail()? {
        anyhow::bail!(
            "SERVICEDESK_SMTP_URL is set, but {} holds the demo, seeded without --allow-mail: \
             its accounts have made-up addresses in the region's real official domain, and \
             its tickets would mail them. Unset SERVICEDESK_SMTP_URL (mail is then written \
             as files under <data dir>/outbox/), or seed with --allow-mail if the relay is \
             a mail catcher.",
            config.database_url.redacted()
        );
    }
    Ok(())
}

/// The mail transport, then the SLA engine and the mail dispatcher on it, running or driven.
fn start_jobs(config: &Config, desk: &Arc<Desk>, jobs: Jobs) -> anyhow::Result<Running> {
    let smtp_url = config
        .smtp_url
        .as_ref()
        .map(|url| String::from_utf8_lossy(url.expose()).into_owned());
    // The transport before the dispatcher's runtime: a runtime dropped on the error path
    // would panic inside the caller's async context, instead of naming the setting at fault.
    let mailer = Mailer::new(
        smtp_url.as_deref(),
        config.outbox_dir(),
        config.smtp_timeout,
    )
    .map_err(|e| anyhow::anyhow!("SERVICEDESK_SMTP_URL: {e}"))?;
    if jobs == Jobs::Driven {
        return Ok(Running::Driven(JobDriver::new(desk.clone(), mailer)));
    }
    let sla_engine = SlaEngine::start(desk.clone(), config.sla_tick)
        .map_err(|e| anyhow::anyhow!("cannot start the SLA engine: {e}"))?;
    let mail_dispatcher = MailDispatcher::start(desk.clone(), mailer)?;
    Ok(Running::Background {
        sla_engine,
        mail_dispatcher,
    })
}

/// The HTTP server over `desk`, on `listener`.
fn http_server(desk: web::Data<Desk>, listener: TcpListener) -> std::io::Result<Server> {
    let openapi = ApiDoc::openapi();
    let server = HttpServer::new(move || {
        App::new()
            // Innermost: whatever answers an error without our problem document (actix's
            // 405, the Swagger UI's 404) leaves with one, and the metrics count what leaves.
            .wrap(ErrorHandlers::new().default_handler(api::error::as_problem))
            .wrap(from_fn(api::params::screen_request))
            .wrap_fn(|request, service| {
                let started = Instant::now();
                let desk = request.app_data::<web::Data<Desk>>().cloned();
                let method = metric_method(request.method());
                let response = service.call(request);
                async move {
                    let response = response.await?;
                    if let Some(desk) = desk {
                        let route = response
                            .request()
                            .match_pattern()
                            .unwrap_or_else(|| "unmatched".into());
                        desk.metrics()
                            .http_requests
                            .get_or_create(&RouteLabels {
                                method,
                                route,
                                status: format!("{}xx", response.status().as_u16() / 100),
                            })
                            .observe(started.elapsed().as_secs_f64());
                    }
                    Ok(response)
                }
            })
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(desk.clone())
            .app_data(web::PayloadConfig::new(api::MAX_BODY_BYTES))
            .configure(api::routes)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()))
            .default_service(web::to(api::no_route))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// The method as a metric label: a method of the standard set, or `other`, so that invented
/// methods cannot grow the metrics without bound.
fn metric_method(method: &actix_web::http::Method) -> String {
    use actix_web::http::Method;
    let known = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ];
    if known.contains(method) {
        method.to_string()
    } else {
        "other".to_owned()
    }
}
