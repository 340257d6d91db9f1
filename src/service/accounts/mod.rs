//! Who may sign in and with what: accounts, sign-in, integration tokens.

pub mod auth;
pub(in crate::service) mod names;
pub mod tokens;
mod user_edit;
pub mod users;
