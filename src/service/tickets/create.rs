//! Recording a ticket: the request checked, handed to the ticket writer as a draft.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::domain::access::Operation;
use crate::domain::digest::sha256_hex;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{ServiceId, UnitId};
use crate::domain::role::Role;
use crate::domain::ticket::{self, Classification, Kind, Level};
use crate::service::fields;
use crate::service::tickets::draft::{Opening, Recording, TicketDraft};
use crate::service::tickets::view::{Reporter, TicketView};
use crate::service::{Desk, FieldError, ServiceError, permit};

pub(super) const MAX_TITLE: usize = 200;
pub(super) const MAX_DESCRIPTION: usize = 20_000;
const MAX_NAME: usize = 200;
const MAX_PHONE: usize = 32;
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// `POST /tickets`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(examples(json!({
    "kind": "incident",
    "title": "SIMPEG tidak bisa diakses",
    "description": "Sejak pukul 08.55 WITA pegawai Dinas Kesehatan tidak bisa masuk ke SIMPEG; halaman login menampilkan 502 Bad Gateway.",
    "service_id": "019c457d-d380-7716-855a-505b32dcacf1",
    "impact": "high",
    "urgency": "medium",
    "reporter": {
        "name": "Siti Rahmawati",
        "email": "siti.rahmawati@tojounaunakab.go.id",
        "phone": "+62 812 4567 8910"
    },
    "classification": "public",
    "security_incident": false,
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8"
})))]
pub struct NewTicket {
    /// One of the five statutory kinds.
    pub kind: Kind,
    /// Short summary, 1 to 200 characters.
    pub title: String,
    /// Full text, up to 20,000 characters.
    pub description: String,
    /// The affected service.
    pub service_id: Option<String>,
    /// Impact.
    pub impact: Level,
    /// Urgency.
    pub urgency: Level,
    /// Who reported it.
    pub reporter: Reporter,
    /// Default `public`, or `restricted` for a security incident.
    pub classification: Option<Classification>,
    /// A security incident: at least high priority, restricted unless said otherwise.
    #[serde(default)]
    pub security_incident: bool,
    /// The reporting PD: required from Tier 2, ignored or must match for Tier 1.
    pub unit_id: Option<UnitId>,
}

fn reporter_fields(errors: &mut Vec<FieldError>, reporter: &Reporter) -> Reporter {
    let name = fields::text(errors, "reporter.name", &reporter.name, MAX_NAME);
    let email = reporter
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| fields::email(errors, "reporter.email", e))
        .map(EmailAddress::into_string);
    let phone = reporter
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|phone| {
            let ok = phone.len() <= MAX_PHONE
                && phone.chars().any(|c| c.is_ascii_digit())
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !ok {
                errors.push(FieldError::new(
                    "reporter.phone",
                    "must be a phone number of up to 32 characters",
                ));
            }
            phone.to_owned()
        });
    Reporter { name, email, phone }
}

fn request_hash(input: &NewTicket) -> Result<String, ServiceError> {
    let bytes = serde_json::to_vec(input).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(sha256_hex(&bytes))
}

/// The reporting PD: Tier 1's own, else the one named.
fn reporting_unit(
    errors: &mut Vec<FieldError>,
    caller: &Caller,
    given: Option<&UnitId>,
) -> Option<UnitId> {
    match (caller.role, given, &caller.unit_id) {
        (Role::Tier1, Some(given), Some(own)) if own != given => {
            errors.push(FieldError::new(
                "unit_id",
                "tier1 records tickets for its own PD only: its unit's id, or leave it out",
            ));
            None
        }
        (Role::Tier1, _, own) => own.clone(),
        (_, None, _) => {
            errors.push(FieldError::new(
                "unit_id",
                "is required: name the PD the ticket belongs to",
            ));
            None
        }
        (_, Some(given), _) => Some(given.clone()),
    }
}

impl Desk {
    /// Records a ticket (tier1 for its own PD; tier2 and supervisors for any PD). With an
    /// `Idempotency-Key`, a retry of the same request returns the ticket it made.
    pub fn create_ticket(
        &self,
        caller: &Caller,
        input: NewTicket,
        idempotency_key: Option<String>,
    ) -> Result<TicketView, ServiceError> {
        permit(caller, Operation::RecordTickets)?;
        let mut errors = Vec::new();
        if idempotency_key
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY)
        {
            errors.push(FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 characters",
            ));
        }
        let title = fields::text(&mut errors, "title", &input.title, MAX_TITLE);
        let description = fields::optional_text(
            &mut errors,
            "description",
            &input.description,
            MAX_DESCRIPTION,
        );
        let reporter = reporter_fields(&mut errors, &input.reporter);
        let unit_id = reporting_unit(&mut errors, caller, input.unit_id.as_ref());
        ServiceError::check(errors)?;
        let unit_id = unit_id.ok_or(ServiceError::Forbidden)?;
        let hash = request_hash(&input)?;
        let classification = input.classification.unwrap_or(if input.security_incident {
            Classification::Restricted
        } else {
            Classification::Public
        });
        let ticket = TicketDraft {
            kind: input.kind,
            title,
            description,
            priority: ticket::priority(input.impact, input.urgency, input.security_incident),
            impact: input.impact,
            urgency: input.urgency,
            unit_id,
            service_id: input.service_id.map(ServiceId::from),
            reporter,
            classification,
            security_incident: input.security_incident,
            created_by: caller.user_id.clone(),
            opens_at: Opening::Tier1,
        };
        self.ticket_writer.write(Recording {
            caller: caller.clone(),
            idempotency: idempotency_key.map(|key| (key, hash)),
            ticket,
        })
    }
}
