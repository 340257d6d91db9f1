//! Mail: the Bahasa Indonesia templates, and the transport that carries rendered mail out
//! (SMTP, or `.eml` files in the data directory when no SMTP server is configured).

mod failure;
mod render;
mod smtp;
mod transport;
pub mod wording;

pub use failure::SendFailure;
pub use render::{
    ComplianceMail, Due, PdStanding, Rendered, ServiceMail, TicketMail, local_time,
    render_compliance, render_service, render_ticket,
};
pub use transport::{Mailer, Outgoing};
