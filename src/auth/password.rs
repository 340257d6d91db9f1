//! argon2id password hashes in PHC string form.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hashes a password with a fresh random salt (argon2id, the crate's recommended parameters).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the same effort as a real check when the account does not exist, so that response
/// times do not tell which emails have accounts.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("no account has this password").ok()) {
        verify(password, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let stored = hash("rahasia-negara-123").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("rahasia-negara-123", &stored));
        assert!(!verify("rahasia-negara-124", &stored));
        assert!(!verify("rahasia-negara-123", "not a hash"));
    }

    #[test]
    fn two_hashes_of_one_password_differ() {
        assert_ne!(hash("sama").expect("hash"), hash("sama").expect("hash"));
    }
}
