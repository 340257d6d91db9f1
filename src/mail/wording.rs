//! The words a mail uses for what the code names in English: the one place where a ticket's
//! kind, status, priority, clock and notice become Bahasa Indonesia.

use crate::domain::governance::Tier1Standing;
use crate::domain::notification::Notice;
use crate::domain::sla::Priority;
use crate::domain::ticket::{Kind, Status};
use crate::domain::ticket_sla::ClockKind;

/// The region's own names for its two tiers (`Service Desk Tier 1`, ...).
#[derive(Debug, Clone, Copy)]
pub struct TierLabels<'a> {
    /// Tier 1's name.
    pub tier1: &'a str,
    /// Tier 2's name.
    pub tier2: &'a str,
}

/// The kind of ticket.
pub fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "gangguan",
        Kind::Complaint => "keluhan",
        Kind::Problem => "masalah",
        Kind::Request => "permintaan",
        Kind::Change => "perubahan",
    }
}

/// The ticket's status.
pub fn status(status: Status) -> &'static str {
    match status {
        Status::New => "baru",
        Status::InProgress => "dalam proses",
        Status::Pending => "menunggu",
        Status::Resolved => "selesai",
        Status::Closed => "ditutup",
        Status::Cancelled => "dibatalkan",
    }
}

/// The ticket's priority.
pub fn priority(priority: Priority) -> &'static str {
    match priority {
        Priority::Critical => "kritis",
        Priority::High => "tinggi",
        Priority::Medium => "sedang",
        Priority::Low => "rendah",
    }
}

/// A clock, as a sentence names it (`respons`, `batas waktu Service Desk Tier 1`, ...).
pub fn clock(clock: Option<ClockKind>, labels: TierLabels) -> String {
    match clock {
        Some(ClockKind::Response) => "respons".into(),
        Some(ClockKind::Tier1) => format!("batas waktu {}", labels.tier1),
        Some(ClockKind::Resolution) | None => "penyelesaian".into(),
    }
}

/// A clock as the label of its deadline (`Respons`, ...).
pub fn deadline(kind: ClockKind, labels: TierLabels) -> String {
    let word = clock(Some(kind), labels);
    let mut letters = word.chars();
    letters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(letters).collect()
    })
}

/// What happened, as a ticket mail's subject says it.
pub fn headline(
    notice: Notice,
    automatic: bool,
    clock_kind: Option<ClockKind>,
    labels: TierLabels,
) -> String {
    match notice {
        Notice::Created => "Tiket baru".into(),
        Notice::Escalated if automatic => format!("Dieskalasi otomatis ke {}", labels.tier2),
        Notice::Escalated => format!("Dieskalasi ke {}", labels.tier2),
        Notice::Returned => format!("Dikembalikan ke {}", labels.tier1),
        Notice::SlaWarning => format!("Peringatan SLA {}", clock(clock_kind, labels)),
        Notice::SlaBreached => format!("SLA {} terlampaui", clock(clock_kind, labels)),
        Notice::Resolved => "Tiket diselesaikan".into(),
        Notice::AvailabilityBreached => "Waktu henti melampaui batas".into(),
        Notice::Tier1Compliance => format!("Kepatuhan penunjukan {}", labels.tier1),
    }
}

/// What the detail a notice carries is.
pub fn detail_label(notice: Notice) -> &'static str {
    match notice {
        Notice::Returned => "Petunjuk",
        Notice::Resolved => "Penyelesaian",
        _ => "Alasan",
    }
}

/// A service mail's subject line.
pub fn budget_headline(month: &str, service_name: &str) -> String {
    format!("Waktu henti {month} melampaui batas: {service_name}")
}

/// What a PD of the weekly compliance mail lacks.
pub fn tier1_lack(standing: Tier1Standing, tier1_label: &str) -> String {
    match standing {
        Tier1Standing::NoTier1 => format!("belum ada {tier1_label} aktif"),
        Tier1Standing::NoAppointment => format!("{tier1_label} aktif belum tercatat SK-nya"),
        Tier1Standing::Compliant => "lengkap".into(),
    }
}

/// A span of seconds in whole minutes.
pub fn minutes(seconds: i64) -> String {
    format!("{} menit", seconds / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: TierLabels = TierLabels {
        tier1: "Service Desk Tier 1",
        tier2: "Service Desk Tier 2",
    };

    #[test]
    fn a_deadline_label_is_its_clock_word_capitalised() {
        assert_eq!(deadline(ClockKind::Response, LABELS), "Respons");
        assert_eq!(
            deadline(ClockKind::Tier1, LABELS),
            "Batas waktu Service Desk Tier 1"
        );
        assert_eq!(deadline(ClockKind::Resolution, LABELS), "Penyelesaian");
    }
}
