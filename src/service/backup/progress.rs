//! How a long backup or restore shows where it is: a bar on a terminal, a line per table in
//! the log otherwise.

use indicatif::{ProgressBar, ProgressStyle};

/// Progress of one backup or restore.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar on standard error if it is a terminal; log lines otherwise.
    pub fn for_stderr() -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Self::logged();
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} rows, {per_sec}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar: Some(bar) }
    }

    /// Log lines only (the scheduled backups).
    pub fn logged() -> Self {
        Progress { bar: None }
    }

    pub(super) fn start(&self, what: &str, rows: i64) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(u64::try_from(rows).unwrap_or(0));
                bar.set_message(what.to_owned());
            }
            None => tracing::info!(rows, "{what} started"),
        }
    }

    pub(super) fn table(&self, table: &str, rows: i64) {
        match &self.bar {
            Some(bar) => {
                bar.set_message(table.to_owned());
                bar.inc(u64::try_from(rows).unwrap_or(0));
            }
            None => tracing::info!(table, rows, "table done"),
        }
    }

    pub(super) fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
