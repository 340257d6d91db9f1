//! The body of each move of the action table: the one field the move needs, or none.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::ticket::Action;

/// Longest reason of `pend`, `escalate`, `reopen` and `cancel`.
pub const MAX_REASON: usize = 2_000;
/// Longest `solution` and `resolution`, and comment.
pub const MAX_TEXT: usize = 20_000;
/// Longest `assignee_id`.
pub const MAX_ID: usize = 64;

/// `POST /tickets/{id}/acknowledge`: no fields; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({})))]
pub struct AcknowledgeRequest {}

/// `POST /tickets/{id}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"assignee_id": "019c213a-6100-71c4-8b8f-ab1700a8dba1"})))]
pub struct AssignRequest {
    /// The new assignee: an active user who works the ticket's tier (Tier 1 of its PD at
    /// tier 1, Tier 2 or a supervisor at tier 2).
    #[schema(min_length = 1, max_length = 64)]
    pub assignee_id: String,
}

/// `POST /tickets/{id}/pend`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"reason": "Menunggu pelapor mengirim tangkapan layar galat."})))]
pub struct PendRequest {
    /// What the ticket waits for (1 to 2,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /tickets/{id}/resume`: no fields; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({})))]
pub struct ResumeRequest {}

/// `POST /tickets/{id}/escalate`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(
    json!({"reason": "Basis data SIMPEG di pusat data tidak menjawab; perlu ditangani Tier 2."})
))]
pub struct EscalateRequest {
    /// Why Tier 2 must take it (1 to 2,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /tickets/{id}/return`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"solution": "Basis data sudah dipulihkan; minta pelapor keluar lalu masuk kembali dan periksa data kepegawaiannya."})))]
pub struct ReturnRequest {
    /// What Tier 1 should do (1 to 20,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 20000)]
    pub solution: String,
}

/// `POST /tickets/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"resolution": "Layanan basis data SIMPEG dijalankan ulang setelah listrik pusat data pulih; pelapor sudah bisa masuk kembali."})))]
pub struct ResolveRequest {
    /// How it was solved (1 to 20,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 20000)]
    pub resolution: String,
}

/// `POST /tickets/{id}/reopen`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"reason": "Pelapor masih mendapat galat 502 setelah masuk kembali."})))]
pub struct ReopenRequest {
    /// Why it is not solved after all (1 to 2,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /tickets/{id}/close`: no fields; the body may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({})))]
pub struct CloseRequest {}

/// `POST /tickets/{id}/cancel`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"reason": "Laporan ganda; sudah dicatat sebagai SD-2026-000481."})))]
pub struct CancelRequest {
    /// Why it is withdrawn (1 to 2,000 characters, not only spaces).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The enum of moves with their bodies, each body's conversion into it and each move's
/// `Action`, from one list.
macro_rules! action_requests {
    ($($variant:ident($body:ident) = $name:literal),+ $(,)?) => {
        /// One move with its body, as the service takes it.
        #[derive(Debug)]
        pub enum ActionRequest {
            $(#[doc = concat!("`", $name, "`.")]
            $variant($body),)+
        }

        $(impl From<$body> for ActionRequest {
            fn from(body: $body) -> Self {
                ActionRequest::$variant(body)
            }
        })+

        impl ActionRequest {
            /// The move.
            pub fn action(&self) -> Action {
                match self {
                    $(ActionRequest::$variant(_) => Action::$variant,)+
                }
            }
        }
    };
}

action_requests!(
    Acknowledge(AcknowledgeRequest) = "acknowledge",
    Assign(AssignRequest) = "assign",
    Pend(PendRequest) = "pend",
    Resume(ResumeRequest) = "resume",
    Escalate(EscalateRequest) = "escalate",
    Return(ReturnRequest) = "return",
    Resolve(ResolveRequest) = "resolve",
    Reopen(ReopenRequest) = "reopen",
    Close(CloseRequest) = "close",
    Cancel(CancelRequest) = "cancel",
);

impl ActionRequest {
    /// The move `action` with `text` in the one field it needs (ignored by a move that needs none).
    pub fn with_text(action: Action, text: String) -> Self {
        match action {
            Action::Acknowledge => AcknowledgeRequest {}.into(),
            Action::Assign => AssignRequest { assignee_id: text }.into(),
            Action::Pend => PendRequest { reason: text }.into(),
            Action::Resume => ResumeRequest {}.into(),
            Action::Escalate => EscalateRequest { reason: text }.into(),
            Action::Return => ReturnRequest { solution: text }.into(),
            Action::Resolve => ResolveRequest { resolution: text }.into(),
            Action::Reopen => ReopenRequest { reason: text }.into(),
            Action::Close => CloseRequest {}.into(),
            Action::Cancel => CancelRequest { reason: text }.into(),
        }
    }

    /// The field the move needs, its text as sent, and its longest length.
    pub(in crate::service) fn detail(&self) -> Option<(&'static str, &str, usize)> {
        match self {
            ActionRequest::Assign(body) => Some(("assignee_id", &body.assignee_id, MAX_ID)),
            ActionRequest::Pend(PendRequest { reason })
            | ActionRequest::Escalate(EscalateRequest { reason })
            | ActionRequest::Reopen(ReopenRequest { reason })
            | ActionRequest::Cancel(CancelRequest { reason }) => {
                Some(("reason", reason, MAX_REASON))
            }
            ActionRequest::Return(body) => Some(("solution", &body.solution, MAX_TEXT)),
            ActionRequest::Resolve(body) => Some(("resolution", &body.resolution, MAX_TEXT)),
            ActionRequest::Acknowledge(_) | ActionRequest::Resume(_) | ActionRequest::Close(_) => {
                None
            }
        }
    }
}
