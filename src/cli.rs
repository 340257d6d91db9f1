//! The command line: `serve`, `migrate`, `create-admin`, `seed-demo`, `backup`, `restore`,
//! `verify-audit`, `evidence`, `presets`, `openapi`.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{self, Application};
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::config::Config;
use crate::db::{self, HoldError, HoldKind};
use crate::domain::presets::PRESETS;
use crate::service::backup::{self, Progress};

/// The password of every demo account; printed by `seed-demo`, never for real data.
const DEMO_PASSWORD: &str = "demo-servicedesk";

/// SPBE Service Desk.
#[derive(Debug, Parser)]
#[command(name = "servicedesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API, the SLA engine and the mail dispatcher.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an admin account; the password is read from standard input.
    CreateAdmin {
        /// The admin's email address (inside an official domain once the region has them).
        #[arg(long)]
        email: String,
        /// The admin's name.
        #[arg(long)]
        name: String,
        /// Read the password from standard input (required: passwords never go on the
        /// command line, where other users and the shell history can see them).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Fill an empty database with a demo region: PDs, users, services and 90 days of tickets.
    SeedDemo {
        /// How many tickets to record.
        #[arg(long, default_value_t = 300)]
        tickets: usize,
        /// Run even with SERVICEDESK_SMTP_URL set: the demo's accounts have made-up addresses
        /// in the region's real official domain, and its live tickets mail them.
        #[arg(long)]
        allow_mail: bool,
    },
    /// Write a consistent snapshot of every table and stored file into one archive while the
    /// desk runs, or with --verify test an archive by restoring it into a scratch database.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["output", "verify"])))]
    Backup {
        /// The archive to write (a zip; the name is the operator's choice).
        #[arg(long)]
        output: Option<PathBuf>,
        /// An archive to restore into a scratch SQLite database and compare, table by table,
        /// with its manifest; the outcome is recorded in the audit log.
        #[arg(long)]
        verify: Option<PathBuf>,
    },
    /// Restore an archive into the empty database at SERVICEDESK_DATABASE_URL (either backend)
    /// and its stored files into SERVICEDESK_DATA_DIR.
    Restore {
        /// The archive to restore.
        #[arg(long)]
        input: PathBuf,
    },
    /// Write a month's evidence for the Inspektorat into one zip: the SLA and availability
    /// reports, the breach and escalation registers, the trail's head at the month's end and
    /// the SHA-256 of every file.
    Evidence {
        /// The region's month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// The zip to write.
        #[arg(long)]
        output: PathBuf,
    },
    /// Walk the hash chain of the trail (ticket events and audit entries) and print what it
    /// found as JSON; exits non-zero if an entry does not verify.
    VerifyAudit {
        /// Also print the link at this place (an evidence file's head, say).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
        seq: Option<i64>,
    },
    /// List the region presets.
    Presets,
    /// Print the OpenAPI document (YAML) that `api-spec/openapi.yaml` must equal.
    Openapi,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Presets => {
            print_presets();
            Ok(())
        }
        Command::Openapi => crate::api::openapi::yaml()
            .map(|yaml| print!("{yaml}"))
            .map_err(anyhow::Error::msg),
        command => init_tracing().and_then(|()| run(command)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("servicedesk: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    // Before the settings are read, which creates the data directory: a refused seed-demo
    // writes nothing.
    if let Command::SeedDemo {
        allow_mail: false, ..
    } = command
        && std::env::var("SERVICEDESK_SMTP_URL").is_ok_and(|url| !url.trim().is_empty())
    {
        anyhow::bail!(
            "seed-demo with SERVICEDESK_SMTP_URL set: the demo's tickets would mail made-up \
             addresses in the region's real official domain. Unset SERVICEDESK_SMTP_URL (mail \
             is then written as files under <data dir>/outbox/), or pass --allow-mail if the \
             relay is a mail catcher."
        );
    }
    let config = Config::from_env()?;
    match command {
        Command::Serve => serve(config),
        Command::Migrate => {
            let mut conn = config.database_url.establish().map_err(|e| {
                anyhow::anyhow!("cannot open {}: {e}", config.database_url.redacted())
            })?;
            let applied =
                crate::db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{applied} migration(s) applied to {}",
                config.database_url.redacted()
            );
            // A preset named here is honoured (or refused) as by every command that opens the
            // database, never silently passed over.
            if config.region_preset.is_some() {
                app::prepare(&config, Arc::new(SystemClock))?;
            }
            Ok(())
        }
        Command::CreateAdmin { email, name, .. } => {
            let password = read_password()?;
            let desk = app::prepare(&config, Arc::new(SystemClock))?;
            let user = desk.create_admin(&email, &name, &password)?;
            println!("admin {} created with id {}", user.email, user.id);
            Ok(())
        }
        Command::SeedDemo {
            tickets,
            allow_mail,
        } => seed_demo(&config, tickets, allow_mail),
        Command::VerifyAudit { seq } => verify_audit(&config, seq),
        Command::Evidence { month, output } => {
            let desk = app::open_existing(&config, Arc::new(SystemClock))?;
            let evidence = desk.evidence_of(&month)?;
            std::fs::write(&output, &evidence.bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "{} written ({} bytes)",
                output.display(),
                evidence.bytes.len()
            );
            Ok(())
        }
        Command::Backup { output, verify } => backup(&config, output, verify),
        Command::Restore { input } => restore(&config, &input),
        Command::Presets | Command::Openapi => Ok(()),
    }
}

/// The demo's history is played on a clock set back 90 days and moved forward to now, alone on
/// the database: a server running on it would mail that past and replay it through its engine.
fn seed_demo(config: &Config, tickets: usize, allow_mail: bool) -> anyhow::Result<()> {
    // Held until the seed has finished, before anything is written (a preset included).
    let _alone = match db::hold(&config.database_url, HoldKind::Exclusive) {
        Ok(hold) => hold,
        Err(HoldError::Busy) => anyhow::bail!(
            "seed-demo: a `serve` (or another seed-demo) runs on {}; its mail dispatcher would \
             send the demo's made-up past and its SLA engine would replay it. Stop the server \
             first, or point SERVICEDESK_DATA_DIR (or SERVICEDESK_DATABASE_URL) at a fresh one.",
            config.database_url.redacted()
        ),
        Err(error) => return Err(error.into()),
    };
    let now = SystemClock.now();
    let clock = Arc::new(ManualClock::new(now - chrono::Duration::days(90)));
    let desk = app::prepare(config, clock.clone())?;
    let summary = desk.seed_demo(&clock, now, DEMO_PASSWORD, tickets, allow_mail)?;
    println!(
        "demo region ready: {} tickets over 90 days; every account's password is {DEMO_PASSWORD}",
        summary.tickets
    );
    for (email, role, unit) in &summary.accounts {
        println!("  {role:<11} {unit:<12} {email}");
    }
    let (email, token) = &summary.integration;
    println!("integration token of {email} (shown once; GET /api/v1/tickets with it):");
    println!("  {token}");
    println!("due within minutes, for the SLA engine of the next `serve`:");
    for (number, what) in &summary.due_soon {
        println!("  {number}: {what}");
    }
    Ok(())
}

fn backup(config: &Config, output: Option<PathBuf>, verify: Option<PathBuf>) -> anyhow::Result<()> {
    let desk = app::open_existing(config, Arc::new(SystemClock))?;
    let progress = Progress::for_stderr();
    if let Some(input) = verify {
        let verification = desk.test_restore(&input, &progress)?;
        println!("{}", serde_json::to_string_pretty(&verification)?);
        anyhow::ensure!(
            verification.verified,
            "{} restores with different rows in: {}",
            input.display(),
            verification.differing.join(", ")
        );
        return Ok(());
    }
    let output = output.context("--output or --verify")?;
    let summary = desk.back_up(&config.database_url, &config.data_dir, &output, &progress)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

fn restore(config: &Config, input: &Path) -> anyhow::Result<()> {
    let summary = backup::restore(
        &config.database_url,
        &config.data_dir,
        input,
        &Progress::for_stderr(),
    )?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

fn verify_audit(config: &Config, seq: Option<i64>) -> anyhow::Result<()> {
    let desk = app::open_existing(config, Arc::new(SystemClock))?;
    let verification = desk.verify_trail_unchecked(seq)?;
    println!("{}", serde_json::to_string_pretty(&verification)?);
    anyhow::ensure!(
        verification.verified,
        "the trail does not verify from entry {} on",
        verification.first_failure.map_or(0, |failure| failure.seq)
    );
    Ok(())
}

#[actix_web::main]
async fn serve(config: Config) -> anyhow::Result<()> {
    let application = Application::build(&config, Arc::new(SystemClock))?;
    tracing::info!(
        bind = %config.bind,
        port = application.port(),
        database = %config.database_url.redacted(),
        "servicedesk listening"
    );
    application.run_until_stopped().await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Password (input is shown; pipe it in to hide it):");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

fn print_presets() {
    println!(
        "{:<15} {:<25} {:<15} {:<22} regulation",
        "preset", "region", "timezone", "official domain"
    );
    for preset in PRESETS {
        println!(
            "{:<15} {:<25} {:<15} {:<22} {}",
            preset.key,
            preset.region_name,
            preset.timezone,
            preset.official_domains.join(", "),
            preset.regulation
        );
    }
}

fn init_tracing() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(
        std::env::var("SERVICEDESK_LOG").unwrap_or_else(|_| "info".into()),
    )?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("SERVICEDESK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    }
    .map_err(|e| anyhow::anyhow!("logging: {e}"))
}
