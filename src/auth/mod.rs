//! Who is calling: password hashing, JWT issue and verification, the caller's identity and the
//! login attempt limits.

mod caller;
pub mod jwt;
mod login_limit;
pub mod password;

pub use caller::Caller;
pub use jwt::{Claims, Holder, JwtKeys, TokenKind};
pub use login_limit::{LoginLimiter, RateLimited};
