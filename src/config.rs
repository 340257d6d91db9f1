//! Settings from the `SERVICEDESK_*` environment variables (README "Settings"). A fresh
//! machine needs none of them.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::db::DatabaseUrl;
use crate::domain::presets;

/// The longest `SERVICEDESK_SMTP_TIMEOUT` accepted, seconds: a mail is leased to its
/// dispatcher for two minutes, and its send must end well inside the lease.
pub const LONGEST_SMTP_TIMEOUT_SECS: u64 = 60;
/// Shortest HMAC key accepted for tokens.
pub const MIN_SECRET_BYTES: usize = 32;
const SECRET_FILE: &str = "jwt_secret";

/// Everything the service reads at startup.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database_url: DatabaseUrl,
    /// Listen address, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// SQLite file, generated secret, file-mode mail outbox.
    pub data_dir: PathBuf,
    /// The token signing key.
    pub jwt_secret: Secret,
    /// Lifetime of an access token, seconds.
    pub access_token_ttl_secs: i64,
    /// Preset applied to an empty database.
    pub region_preset: Option<String>,
    /// Sender address; must be inside an official domain.
    pub mail_from: Option<String>,
    /// The longest the SLA engine sleeps between checks.
    pub sla_tick: std::time::Duration,
    /// `SERVICEDESK_SMTP_URL` (it may hold a password); without it mail goes to files.
    pub smtp_url: Option<Secret>,
    /// The most one SMTP conversation may take, from connecting to the relay's last reply.
    pub smtp_timeout: std::time::Duration,
    /// Scheduled backups, when `SERVICEDESK_BACKUP_DIR` is set.
    pub backups: Option<BackupSchedule>,
}

/// Where and how often `serve` takes backups by itself, and how many it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSchedule {
    /// `SERVICEDESK_BACKUP_DIR`.
    pub dir: PathBuf,
    /// `SERVICEDESK_BACKUP_INTERVAL`: from the last backup to the next.
    pub interval: std::time::Duration,
    /// `SERVICEDESK_BACKUP_KEEP`: the newest archives kept; older ones are removed.
    pub keep: usize,
}

/// The longest interval between scheduled backups: a week.
pub const LONGEST_BACKUP_INTERVAL_SECS: u64 = 7 * 86_400;

impl Config {
    /// Where mail is written without an SMTP server.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

/// Key material that never appears in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A setting the operator must fix before the service can start.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Reads the environment. Creates the data directory, and a signing key inside it when
    /// `SERVICEDESK_JWT_SECRET` is not set.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir =
            PathBuf::from(lookup("SERVICEDESK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            invalid(
                "SERVICEDESK_DATA_DIR",
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;
        let database_url = match lookup("SERVICEDESK_DATABASE_URL") {
            Some(url) => {
                DatabaseUrl::parse(&url).map_err(|m| invalid("SERVICEDESK_DATABASE_URL", m))?
            }
            None => DatabaseUrl::Sqlite(data_dir.join("servicedesk.db")),
        };
        let jwt_secret = match lookup("SERVICEDESK_JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_SECRET_BYTES => Secret(secret.into_bytes()),
            Some(_) => {
                return Err(invalid(
                    "SERVICEDESK_JWT_SECRET",
                    format!("must be at least {MIN_SECRET_BYTES} bytes long"),
                ));
            }
            None => load_or_create_secret(&data_dir).map_err(|e| {
                invalid("SERVICEDESK_JWT_SECRET", format!("no secret given and {e}"))
            })?,
        };
        let access_token_ttl_secs = parse_number(&lookup, "SERVICEDESK_ACCESS_TOKEN_TTL", 3600)?;
        if !(60..=86_400).contains(&access_token_ttl_secs) {
            return Err(invalid(
                "SERVICEDESK_ACCESS_TOKEN_TTL",
                "must be between 60 and 86400 seconds",
            ));
        }
        let sla_tick_ms: u64 = parse_number(&lookup, "SERVICEDESK_SLA_TICK_MS", 1000)?;
        if !(10..=60_000).contains(&sla_tick_ms) {
            return Err(invalid(
                "SERVICEDESK_SLA_TICK_MS",
                "must be between 10 and 60000 milliseconds",
            ));
        }
        let smtp_timeout_secs: u64 = parse_number(&lookup, "SERVICEDESK_SMTP_TIMEOUT", 20)?;
        if !(1..=LONGEST_SMTP_TIMEOUT_SECS).contains(&smtp_timeout_secs) {
            return Err(invalid(
                "SERVICEDESK_SMTP_TIMEOUT",
                format!("must be between 1 and {LONGEST_SMTP_TIMEOUT_SECS} seconds"),
            ));
        }
        let backups = backup_schedule(&lookup)?;
        let region_preset = lookup("SERVICEDESK_REGION_PRESET");
        if let Some(key) = &region_preset
            && presets::find(key).is_none()
        {
            let known: Vec<&str> = presets::PRESETS.iter().map(|p| p.key).collect();
            return Err(invalid(
                "SERVICEDESK_REGION_PRESET",
                format!("unknown preset {key:?}; use one of {}", known.join(", ")),
            ));
        }
        Ok(Self {
            database_url,
            bind: lookup("SERVICEDESK_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            jwt_secret,
            access_token_ttl_secs,
            region_preset,
            mail_from: lookup("SERVICEDESK_MAIL_FROM"),
            sla_tick: std::time::Duration::from_millis(sla_tick_ms),
            smtp_url: lookup("SERVICEDESK_SMTP_URL")
                .filter(|url| !url.trim().is_empty())
                .map(|url| Secret::new(url.into_bytes())),
            smtp_timeout: std::time::Duration::from_secs(smtp_timeout_secs),
            backups,
        })
    }
}

fn backup_schedule(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<BackupSchedule>, ConfigError> {
    let interval_secs: u64 = parse_number(lookup, "SERVICEDESK_BACKUP_INTERVAL", 86_400)?;
    if !(1..=LONGEST_BACKUP_INTERVAL_SECS).contains(&interval_secs) {
        return Err(invalid(
            "SERVICEDESK_BACKUP_INTERVAL",
            format!("must be between 1 and {LONGEST_BACKUP_INTERVAL_SECS} seconds"),
        ));
    }
    let keep: usize = parse_number(lookup, "SERVICEDESK_BACKUP_KEEP", 7)?;
    if !(1..=1000).contains(&keep) {
        return Err(invalid(
            "SERVICEDESK_BACKUP_KEEP",
            "must be between 1 and 1000",
        ));
    }
    let Some(dir) = lookup("SERVICEDESK_BACKUP_DIR") else {
        return Ok(None);
    };
    let dir = PathBuf::from(dir);
    // Not made here: a backup disk that is not mounted would leave an empty mount point, and
    // the backups would go, unnoticed, onto the disk that holds the database.
    if !dir.is_dir() {
        return Err(invalid(
            "SERVICEDESK_BACKUP_DIR",
            format!(
                "{} is not a directory; create it (or mount it) first",
                dir.display()
            ),
        ));
    }
    Ok(Some(BackupSchedule {
        dir,
        interval: std::time::Duration::from_secs(interval_secs),
        keep,
    }))
}

fn parse_number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match lookup(variable) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| invalid(variable, format!("{text:?} is not a whole number"))),
        None => Ok(default),
    }
}

/// Reads the key kept in the data directory, or makes one (readable by its owner only).
fn load_or_create_secret(data_dir: &Path) -> Result<Secret, String> {
    let path = data_dir.join(SECRET_FILE);
    if let Ok(existing) = std::fs::read(&path) {
        let trimmed = existing.trim_ascii().to_vec();
        if trimmed.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "{} is shorter than {MIN_SECRET_BYTES} bytes",
                path.display()
            ));
        }
        return Ok(Secret(trimmed));
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(hex.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Secret(hex.into_bytes()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn a_fresh_machine_needs_no_settings_and_keeps_its_generated_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let data = data.to_str().expect("utf-8 path");
        let first = config(&[("SERVICEDESK_DATA_DIR", data)]).expect("defaults work");
        assert_eq!(first.bind, "127.0.0.1:8080");
        assert_eq!(
            first.database_url,
            DatabaseUrl::Sqlite(PathBuf::from(data).join("servicedesk.db"))
        );
        let second = config(&[("SERVICEDESK_DATA_DIR", data)]).expect("again");
        assert_eq!(
            first.jwt_secret, second.jwt_secret,
            "the secret is generated once"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(PathBuf::from(data).join(SECRET_FILE))
                .expect("secret file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            !format!("{first:?}")
                .contains(&String::from_utf8_lossy(first.jwt_secret.expose()).to_string())
        );
    }

    #[test]
    fn backups_are_scheduled_only_with_a_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().expect("utf-8 path");
        let none = config(&[("SERVICEDESK_DATA_DIR", data)]).expect("config");
        assert_eq!(none.backups, None);
        let backups = dir.path().join("backups");
        let missing = config(&[
            ("SERVICEDESK_DATA_DIR", data),
            (
                "SERVICEDESK_BACKUP_DIR",
                backups.to_str().expect("utf-8 path"),
            ),
        ]);
        assert_eq!(
            missing.map(|_| ()).map_err(|e| e.variable),
            Err("SERVICEDESK_BACKUP_DIR")
        );
        std::fs::create_dir(&backups).expect("backup dir");
        let some = config(&[
            ("SERVICEDESK_DATA_DIR", data),
            (
                "SERVICEDESK_BACKUP_DIR",
                backups.to_str().expect("utf-8 path"),
            ),
        ])
        .expect("config");
        assert_eq!(
            some.backups,
            Some(BackupSchedule {
                dir: backups.clone(),
                interval: std::time::Duration::from_secs(86_400),
                keep: 7,
            })
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().expect("utf-8 path");
        for (var, value) in [
            ("SERVICEDESK_DATABASE_URL", "mysql://x"),
            ("SERVICEDESK_JWT_SECRET", "short"),
            ("SERVICEDESK_REGION_PRESET", "jakarta"),
            ("SERVICEDESK_ACCESS_TOKEN_TTL", "soon"),
            ("SERVICEDESK_SMTP_TIMEOUT", "0"),
            ("SERVICEDESK_SMTP_TIMEOUT", "61"),
            ("SERVICEDESK_BACKUP_INTERVAL", "0"),
            ("SERVICEDESK_BACKUP_INTERVAL", "604801"),
            ("SERVICEDESK_BACKUP_KEEP", "0"),
            ("SERVICEDESK_BACKUP_KEEP", "daily"),
        ] {
            let error = config(&[("SERVICEDESK_DATA_DIR", data), (var, value)]).expect_err(var);
            assert_eq!(error.variable, var);
        }
    }
}
