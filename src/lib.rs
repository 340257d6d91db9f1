//! SPBE Service Desk: the REST backend that Indonesian local governments (Pemda) run to keep
//! their ICT service promises under their SPBE regulations. Each Perangkat Daerah has a Tier 1
//! service desk as its single point of contact; the communications and informatics Dinas runs
//! Tier 2 for what Tier 1 cannot solve. Tickets of the five statutory kinds carry SLA clocks that
//! escalate from Tier 1 to Tier 2 on their own, services have availability SLAs, and mail leaves
//! only from the region's official domain. One binary, on SQLite (the default) or PostgreSQL.
//!
//! Layers, each depending only on those below it:
//!
//! - [`api`]: HTTP only. Handlers check input, call one use case on a blocking thread and map
//!   the result to JSON; they never touch the database. Also the OpenAPI contract.
//! - [`service`]: the use cases, one function per action, owning authorization, transactions
//!   and audit records. No HTTP types.
//! - [`domain`]: pure rules with no I/O: roles, official mail domains, region presets, business
//!   calendars, SLA targets and clocks, availability.
//! - [`db`]: persistence with diesel over one connection type for both backends, the pool,
//!   migrations and queries; the only place that knows SQL dialects.
//!
//! Beside them:
//!
//! - [`auth`]: who is calling: password hashes, JWTs, the caller's identity, login limits.
//! - [`mail`]: the Bahasa Indonesia templates and the transport (SMTP, or `.eml` files when no
//!   SMTP server is configured).
//! - [`jobs`]: background threads inside `serve` (SLA engine, mail dispatcher, event hub, the
//!   hold on the database), each driving use cases of [`service`].
//! - [`app`]: wiring from settings to pool, migrations, seeding and the actix application.
//! - [`cli`]: the command line (`serve`, `migrate`, `create-admin`, `seed-demo`, `presets`,
//!   `openapi`).
//! - [`config`] and [`clock`]: settings from `SERVICEDESK_*` variables, and an injectable clock
//!   so that tests can move time.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
#[cfg(debug_assertions)]
pub mod faults;
pub mod jobs;
pub mod mail;
pub mod service;
