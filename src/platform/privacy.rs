//! Client addresses are personal data (Nghị định 13/2023/NĐ-CP): the service never stores them.
//! Where it must tell addresses apart — rate limits, the audit log — it uses a keyed hash whose key
//! changes every day and is never written down: hashes of one day can be compared, hashes of
//! different days (or of another run of the service) cannot, and no hash can be turned back into
//! an address without the key.

use std::net::IpAddr;

use chrono::NaiveDate;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Keyed, daily-rotating hashes of client addresses.
#[derive(Clone)]
pub struct AddressHasher {
    secret: [u8; 32],
}

impl std::fmt::Debug for AddressHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressHasher(…)")
    }
}

impl AddressHasher {
    /// A hasher with a fresh random secret (kept in memory only).
    pub fn random() -> Result<AddressHasher, getrandom::Error> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        Ok(AddressHasher { secret })
    }

    fn mac(key: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length: this cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
    }

    /// The day's key: HMAC(secret, date).
    fn day_key(&self, day: NaiveDate) -> Vec<u8> {
        let mut mac = Self::mac(&self.secret);
        mac.update(day.to_string().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// 16 bytes of HMAC(day key, address), hex: enough to tell addresses apart, nothing more.
    pub fn hash(&self, address: IpAddr, day: NaiveDate) -> String {
        let mut mac = Self::mac(&self.day_key(day));
        mac.update(address.to_string().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_same_hash_other_day_other_hash() {
        let hasher = AddressHasher::random().unwrap();
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.8".parse().unwrap();
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let d2 = d1.succ_opt().unwrap();
        assert_eq!(hasher.hash(a, d1), hasher.hash(a, d1));
        assert_ne!(hasher.hash(a, d1), hasher.hash(b, d1));
        assert_ne!(hasher.hash(a, d1), hasher.hash(a, d2));
        assert!(!hasher.hash(a, d1).contains("203"));
        let other_run = AddressHasher::random().unwrap();
        assert_ne!(hasher.hash(a, d1), other_run.hash(a, d1));
    }
}
