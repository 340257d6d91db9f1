//! Renders mail from the templates in `templates/` (plain text and HTML, Bahasa Indonesia).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::Environment;
use serde::Serialize;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Compiled in: a template that does not parse fails the tests, never a running service.
    for (name, source) in [
        ("ticket.txt", include_str!("templates/ticket.txt")),
        ("ticket.html", include_str!("templates/ticket.html")),
        ("service.txt", include_str!("templates/service.txt")),
        ("service.html", include_str!("templates/service.html")),
        ("compliance.txt", include_str!("templates/compliance.txt")),
        ("compliance.html", include_str!("templates/compliance.html")),
    ] {
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "a mail template does not parse");
        }
    }
    env
});

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// One SLA deadline as officials read it.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    /// `Respons`, `Penyelesaian`, ...
    pub label: String,
    /// Local time with the zone's name, e.g. `23-11-2026 15:00 WITA`.
    pub at: String,
}

/// What a ticket mail says.
#[derive(Debug, Clone, Serialize)]
pub struct TicketMail {
    /// The Pemda's name.
    pub region: String,
    /// `SD-2026-000123`.
    pub number: String,
    /// The ticket's title.
    pub title: String,
    /// What happened, e.g. `Dieskalasi ke Service Desk Tier 2`.
    pub headline: String,
    /// The kind, in Indonesian.
    pub kind: String,
    /// The priority.
    pub priority: String,
    /// The status.
    pub status: String,
    /// Who works it now, in the region's words.
    pub tier_label: String,
    /// The reporting PD's name.
    pub unit_name: String,
    /// What the detail is (`Alasan`, `Penyelesaian`, ...).
    pub detail_label: String,
    /// A reason, instructions or the resolution.
    pub detail: Option<String>,
    /// The running SLA deadlines.
    pub due: Vec<Due>,
}

/// What a service mail says.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceMail {
    /// The Pemda's name.
    pub region: String,
    /// What happened.
    pub headline: String,
    /// The service's code.
    pub service_code: String,
    /// The service's name.
    pub service_name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Availability target, percent.
    pub target: String,
    /// Unplanned downtime, e.g. `44 menit`.
    pub downtime: String,
    /// What the target allows.
    pub budget: String,
}

/// One PD of the weekly Tier 1 compliance mail.
#[derive(Debug, Clone, Serialize)]
pub struct PdStanding {
    /// The PD's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// What it lacks, in Indonesian.
    pub lacks: String,
}

/// What the weekly Tier 1 compliance mail says.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceMail {
    /// The Pemda's name.
    pub region: String,
    /// What it is about.
    pub headline: String,
    /// The ISO week, `2026-W49`.
    pub week: String,
    /// The region's word for Tier 1.
    pub tier1_label: String,
    /// Active PDs counted.
    pub pd_count: usize,
    /// The PDs that lack an appointed Tier 1.
    pub lacking: Vec<PdStanding>,
}

fn render(template: &str, context: &impl Serialize) -> Result<String, String> {
    TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(context))
        .map_err(|e| format!("mail template {template}: {e}"))
}

/// Renders a ticket mail: subject `[SD-2026-000123] <what happened>: <title>`.
pub fn render_ticket(mail: &TicketMail) -> Result<Rendered, String> {
    Ok(Rendered {
        subject: format!("[{}] {}: {}", mail.number, mail.headline, mail.title),
        text: render("ticket.txt", mail)?,
        html: render("ticket.html", mail)?,
    })
}

/// Renders the weekly Tier 1 compliance mail: subject `[<week>] <headline>`.
pub fn render_compliance(mail: &ComplianceMail) -> Result<Rendered, String> {
    Ok(Rendered {
        subject: format!("[{}] {}", mail.week, mail.headline),
        text: render("compliance.txt", mail)?,
        html: render("compliance.html", mail)?,
    })
}

/// Renders a service mail: subject `[<code>] <what happened>`.
pub fn render_service(mail: &ServiceMail) -> Result<Rendered, String> {
    Ok(Rendered {
        subject: format!("[{}] {}", mail.service_code, mail.headline),
        text: render("service.txt", mail)?,
        html: render("service.html", mail)?,
    })
}

/// An instant in the region's local time with its zone's Indonesian name.
pub fn local_time(at: DateTime<Utc>, timezone: Tz) -> String {
    let zone = match timezone.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".to_owned(),
        "Asia/Makassar" => "WITA".to_owned(),
        "Asia/Jayapura" => "WIT".to_owned(),
        other => other.to_owned(),
    };
    format!(
        "{} {zone}",
        at.with_timezone(&timezone).format("%d-%m-%Y %H:%M")
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn mail() -> TicketMail {
        TicketMail {
            region: "Kabupaten Tojo Una-Una".into(),
            number: "SD-2026-000123".into(),
            title: "SIMPEG <tidak> bisa diakses".into(),
            headline: "Dieskalasi ke Service Desk Tier 2".into(),
            kind: "gangguan".into(),
            priority: "tinggi".into(),
            status: "dalam proses".into(),
            tier_label: "Service Desk Tier 2".into(),
            unit_name: "Dinas Kesehatan".into(),
            detail_label: "Alasan".into(),
            detail: Some("Perlu akses server".into()),
            due: vec![Due {
                label: "Penyelesaian".into(),
                at: "23-11-2026 15:00 WITA".into(),
            }],
        }
    }

    #[test]
    fn the_subject_names_the_ticket_and_what_happened() {
        let rendered = render_ticket(&mail()).expect("renders");
        assert_eq!(
            rendered.subject,
            "[SD-2026-000123] Dieskalasi ke Service Desk Tier 2: SIMPEG <tidak> bisa diakses"
        );
        assert!(
            rendered
                .text
                .contains("Penyelesaian: 23-11-2026 15:00 WITA")
        );
        assert!(rendered.text.contains("SIMPEG <tidak> bisa diakses"));
        assert!(
            rendered.html.contains("SIMPEG &lt;tidak&gt; bisa diakses"),
            "HTML is escaped"
        );
    }

    #[test]
    fn local_times_carry_the_indonesian_zone_name() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 7, 0, 0)
            .single()
            .expect("instant");
        assert_eq!(
            local_time(at, chrono_tz::Asia::Jakarta),
            "23-11-2026 14:00 WIB"
        );
        assert_eq!(
            local_time(at, chrono_tz::Asia::Makassar),
            "23-11-2026 15:00 WITA"
        );
        assert_eq!(
            local_time(at, chrono_tz::Asia::Jayapura),
            "23-11-2026 16:00 WIT"
        );
    }
}
