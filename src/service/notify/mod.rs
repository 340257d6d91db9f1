//! Who is told: the mails a change owes, the outbox that holds them and its dispatch.

mod compose;
mod digest;
mod dispatch;
mod mailing;
mod notifications;
mod outbox;

pub(in crate::service) use compose::{
    DueInstants, TicketNotice, enqueue_budget_mail, enqueue_created_mails, enqueue_ticket_mail,
};
pub(in crate::service) use digest::enqueue_compliance_mail;
pub use dispatch::MailQueue;
pub(in crate::service) use mailing::mailing;
pub use notifications::NotificationView;
