//! User accounts: roles, units, official domains, visibility.

mod access;
mod changes;
mod creation;
