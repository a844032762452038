//! Staff authentication: password hashing (argon2id), session tokens, roles.
//! Blocking functions (argon2 is deliberately slow): call them off the async workers
//! (`web::db::with_conn`). Nothing in `auth` writes the audit log: the service layer does.

pub mod accounts;
pub mod device;
pub mod service;
pub mod throttle;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use sha2::{Digest, Sha256};

use crate::store::StoreError;

pub use service::{
    authenticate_token, check_login, create_user, end_session, open_session, Session, Staff,
};

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

/// The CSRF token of a session: `HMAC(derive("csrf"), SHA-256 of the session token)`. It is
/// bound to that session (a token made for another session, or planted in a cookie, does not
/// match), needs nothing stored, and stays valid across restarts (the key lives in its file).
pub fn csrf_token(keys: &crate::platform::keys::ServerKey, session_token_hash: &str) -> String {
    keys.mac_hex("csrf", session_token_hash.as_bytes())
}

/// Whether two strings are equal, in a time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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

/// What is wrong with a proposed password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// Only lowercase letters, only digits, … (one kind of character).
    OneKind,
    /// Fewer than [`MIN_DISTINCT_CHARS`] different characters (`aaaaaaaaaaa1`).
    FewDistinct,
    /// The username itself (case and surrounding spaces aside).
    IsUsername,
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MIN_DISTINCT_CHARS: usize = 5;

impl PasswordProblem {
    /// Stable code for field errors.
    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "too_short",
            PasswordProblem::TooLong => "too_long",
            PasswordProblem::OneKind => "too_simple",
            PasswordProblem::FewDistinct => "too_simple",
            PasswordProblem::IsUsername => "same_as_username",
        }
    }

    pub fn message(self) -> String {
        match self {
            PasswordProblem::TooShort => {
                format!("Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự.")
            }
            PasswordProblem::TooLong => {
                format!("Mật khẩu chỉ được có tối đa {MAX_PASSWORD_CHARS} ký tự.")
            }
            PasswordProblem::OneKind => "Mật khẩu không được chỉ gồm một loại ký tự (chỉ chữ thường, \
                chỉ chữ hoa hoặc chỉ chữ số): hãy kết hợp thêm loại khác hoặc dùng một câu có dấu cách."
                .into(),
            PasswordProblem::FewDistinct => {
                format!("Mật khẩu phải có ít nhất {MIN_DISTINCT_CHARS} ký tự khác nhau.")
            }
            PasswordProblem::IsUsername => "Mật khẩu không được trùng tên đăng nhập.".into(),
        }
    }

    pub fn message_en(self) -> String {
        match self {
            PasswordProblem::TooShort => {
                format!("password must have at least {MIN_PASSWORD_CHARS} characters")
            }
            PasswordProblem::TooLong => {
                format!("password must have at most {MAX_PASSWORD_CHARS} characters")
            }
            PasswordProblem::OneKind => "password must not consist of one kind of character only \
                (only lowercase letters, only uppercase letters or only digits)"
                .into(),
            PasswordProblem::FewDistinct => {
                format!("password must have at least {MIN_DISTINCT_CHARS} different characters")
            }
            PasswordProblem::IsUsername => "password must not be the username".into(),
        }
    }
}

/// The password policy: 12–256 characters, more than one kind of character (lowercase,
/// uppercase, digits, others — a passphrase with spaces qualifies), at least 5 different
/// characters, and not the username. `None` when the password is acceptable.
pub fn password_problem(password: &str, username: &str) -> Option<PasswordProblem> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Some(PasswordProblem::TooShort);
    }
    if n > MAX_PASSWORD_CHARS {
        return Some(PasswordProblem::TooLong);
    }
    let kind = |c: char| {
        if c.is_lowercase() {
            0
        } else if c.is_uppercase() {
            1
        } else if c.is_numeric() {
            2
        } else {
            3
        }
    };
    let mut kinds = password.chars().map(kind);
    let first = kinds.next();
    if kinds.all(|k| Some(k) == first) {
        return Some(PasswordProblem::OneKind);
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Some(PasswordProblem::FewDistinct);
    }
    let username = username.trim();
    if !username.is_empty() && password.trim().to_lowercase() == username.to_lowercase() {
        return Some(PasswordProblem::IsUsername);
    }
    None
}

/// [`password_problem`] as an error (English message, e.g. for the command line).
pub fn check_password_policy(password: &str, username: &str) -> Result<(), AuthError> {
    match password_problem(password, username) {
        None => Ok(()),
        Some(problem) => Err(AuthError::BadInput(problem.message_en())),
    }
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
    fn the_password_policy() {
        use PasswordProblem::*;
        let cases = [
            ("short-pw-1", Some(TooShort)),
            ("correct-horse-battery-staple", None),
            ("pw-lan-0123456789", None),
            ("mật khẩu của tôi", None),
            ("abcdefghijklmnop", Some(OneKind)),
            ("ABCDEFGHIJKLMNOP", Some(OneKind)),
            ("123456789012", Some(OneKind)),
            ("mậtkhẩucủatôi", Some(OneKind)),
            ("aaaaaaaaaaaaaaa1", Some(FewDistinct)),
            ("abab-abab-abab", Some(FewDistinct)),
            ("Nguyen.Van.An1", Some(IsUsername)),
        ];
        for (password, expected) in cases {
            assert_eq!(
                password_problem(password, "nguyen.van.an1"),
                expected,
                "{password}"
            );
        }
        assert_eq!(password_problem(&"aB1-".repeat(65), "x"), Some(TooLong));
        let e = check_password_policy("short", "x").unwrap_err().to_string();
        assert!(e.contains("password") && e.contains("12"), "{e}");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let keys = crate::platform::keys::ServerKey::from_bytes([1; 32]);
        let a = csrf_token(&keys, &token_hash("a"));
        assert_eq!(a, csrf_token(&keys, &token_hash("a")));
        assert_ne!(a, csrf_token(&keys, &token_hash("b")));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &a[1..]));
        assert!(!constant_time_eq("abc", "abd"));
    }
}
