//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): after a
//! successful login the browser gets a cookie naming the username, signed with the service's key.
//! A later login for that username presenting it is not held back by the per-address throttle
//! (an office behind one address that is being guessed at keeps working); the per-username
//! throttle still applies, and a device cookie that fails several times is locked out itself
//! (see [`super::throttle`]).
//!
//! The value is `{id}~{issued}~{username}~{mac}`: a random id (the throttle's key for the
//! device), the issue time (Unix seconds), the username, and
//! `HMAC(derive("device-cookie"), "{id}~{issued}~{username}")`. Nothing is stored.

use super::{constant_time_eq, new_token, AuthError};
use crate::platform::keys::ServerKey;

/// How long a device cookie is honoured (and its `Max-Age`): 90 days.
pub const DEVICE_COOKIE_SECONDS: i64 = 90 * 24 * 3600;

const PURPOSE: &str = "device-cookie";

/// A fresh device cookie value for `username`, issued at `now` (Unix seconds).
pub fn issue(keys: &ServerKey, username: &str, now: i64) -> Result<String, AuthError> {
    let id = &new_token()?[..32];
    let signed = format!("{id}~{now}~{username}");
    let mac = keys.mac_hex(PURPOSE, signed.as_bytes());
    Ok(format!("{signed}~{mac}"))
}

/// The device id of `value` when it is a device cookie made by this service for `username`,
/// issued less than [`DEVICE_COOKIE_SECONDS`] before `now`; `None` otherwise.
pub fn verify(keys: &ServerKey, value: &str, username: &str, now: i64) -> Option<String> {
    let (signed, mac) = value.rsplit_once('~')?;
    let mut parts = signed.splitn(3, '~');
    let (id, issued, name) = (parts.next()?, parts.next()?, parts.next()?);
    let issued: i64 = issued.parse().ok()?;
    let fresh = issued <= now + 60 && now - issued < DEVICE_COOKIE_SECONDS;
    let expected = keys.mac_hex(PURPOSE, signed.as_bytes());
    let ok = constant_time_eq(mac, &expected) && fresh && name == username.trim();
    ok.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_is_for_its_username_key_and_time() {
        let keys = ServerKey::from_bytes([7; 32]);
        let now = 1_800_000_000;
        let value = issue(&keys, "lan", now).unwrap();
        let id = verify(&keys, &value, "lan", now + 10).expect("valid");
        assert_eq!(id.len(), 32);
        assert_eq!(verify(&keys, &value, " lan ", now), Some(id));
        assert_eq!(verify(&keys, &value, "minh", now), None, "another username");
        let other_key = ServerKey::from_bytes([8; 32]);
        assert_eq!(verify(&other_key, &value, "lan", now), None, "another key");
        assert_eq!(
            verify(&keys, &value, "lan", now + DEVICE_COOKIE_SECONDS),
            None,
            "too old"
        );
        let forged = value.replacen("~lan~", "~minh~", 1);
        assert_eq!(verify(&keys, &forged, "minh", now), None, "renamed");
        assert_eq!(verify(&keys, "junk", "lan", now), None);
        assert_eq!(verify(&keys, "a~b~lan~c", "lan", now), None);
    }
}
