//! Why a mail did not go out, in a module of its own: the SMTP relay and the transport that
//! picks it both speak of it, and the transport depends on the relay, never the reverse.

/// Why a mail did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// The server refused it for good (5xx), or it cannot be built: do not try again.
    pub permanent: bool,
    /// What went wrong, for `last_error`.
    pub message: String,
}

impl SendFailure {
    pub(super) fn permanent(message: impl ToString) -> Self {
        Self {
            permanent: true,
            message: message.to_string(),
        }
    }
}
