//! Integration tests: the real server on a free port, over HTTP, on SQLite and PostgreSQL.

mod support;

mod accounts;
mod auth;
mod availability;
mod bounds;
mod calendars;
mod cli;
mod dashboard;
mod demo_guard;
mod first_hour;
mod http;
mod input;
mod lifecycle;
mod mail;
mod mail_faults;
mod metrics;
mod openapi;
mod privacy;
mod region;
mod reports;
mod reports_files;
mod reports_periods;
mod requests;
mod services;
mod sla;
mod sla_policies;
mod storage;
mod stream;
mod sweep;
mod ticket_actions;
mod ticket_moves;
mod tickets;
mod tokens;
mod units;
mod workers;
