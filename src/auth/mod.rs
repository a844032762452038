//! Staff authentication: password hashing (argon2id), session tokens, roles.
//! Blocking functions (argon2 is deliberately slow): call them inside `web::block`.

pub mod service;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use sha2::{Digest, Sha256};

use crate::store::StoreError;

pub use service::{authenticate_token, create_user, login, logout, Session, Staff};

/// Errors of the authentication layer.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown user, wrong password and disabled account all look the same from outside.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("missing, expired or revoked credentials")]
    Unauthenticated,
    #[error("the role {0} may not do this")]
    Forbidden(crate::domain::Role),
    #[error("{0}")]
    BadInput(String),
    #[error("a user named {0} exists already")]
    UserExists(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::InvalidCredentials => "invalid_credentials",
            AuthError::Unauthenticated => "unauthenticated",
            AuthError::Forbidden(_) => "forbidden",
            AuthError::BadInput(_) => "bad_input",
            AuthError::UserExists(_) => "user_exists",
            AuthError::Hashing(_) => "hashing_failed",
            AuthError::Store(e) => e.code(),
        }
    }
}

/// argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let hash: PasswordHash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether the password matches the stored PHC string (parameters are read from the string).
pub fn verify_password(password: &str, stored: &str) -> bool {
    hasher()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A fresh random bearer token: 32 bytes from the OS, hex.
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// What the database keeps of a token. Tokens are 256 random bits, so a fast hash is enough.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Usernames: 3–64 characters of lowercase letters, digits, `.`, `_`, `-`.
pub fn check_username(username: &str) -> Result<(), AuthError> {
    let ok = (3..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AuthError::BadInput(
            "username must be 3–64 characters: lowercase letters, digits, '.', '_' or '-'".into(),
        ))
    }
}

/// Passwords: at least 12 characters, at most 256 (argon2 input stays bounded).
pub fn check_password_policy(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if n < 12 {
        return Err(AuthError::BadInput(
            "password must have at least 12 characters".into(),
        ));
    }
    if n > 256 {
        return Err(AuthError::BadInput(
            "password must have at most 256 characters".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
