//! Signing in, and which tokens are accepted.

mod sessions;
mod sign_in;
mod tokens;
