//! The service's secret key: 32 random bytes kept in a file **outside the database**
//! (`SIPAS_KEY_FILE`; by default `sipas.key` beside the SQLite file, or `data/sipas.key` with
//! PostgreSQL), created on first start with mode 0600. Each purpose derives its own key from it
//! (HMAC(key, purpose)), so a value made for one purpose tells nothing about another.
//!
//! What it protects: values that someone with access to the database (its files, backups, old
//! row versions) must not be able to compute or check — e.g. the records of used invitations,
//! which are keyed hashes of the tokens (see `store::invitations`). Someone who has the database
//! *and* this file has what the service has. Keep it out of database backups.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What went wrong with the key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("key file {0}: expected 64 hexadecimal characters")]
    Malformed(String),
    #[error("no random source: {0}")]
    Random(getrandom::Error),
}

/// The service's secret key (see the module documentation).
#[derive(Clone)]
pub struct ServerKey {
    key: [u8; 32],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

/// Where the key file goes when `SIPAS_KEY_FILE` is not set: beside a SQLite database file, or
/// `data/sipas.key` for PostgreSQL.
pub fn default_path(database_url: &str) -> PathBuf {
    if crate::store::Backend::of_url(database_url) == crate::store::Backend::Sqlite {
        if let Some(dir) = Path::new(crate::store::sqlite_path(database_url)).parent() {
            return dir.join("sipas.key");
        }
    }
    PathBuf::from("data/sipas.key")
}

impl ServerKey {
    /// A key from bytes (tests, and the file loader).
    pub fn from_bytes(key: [u8; 32]) -> ServerKey {
        ServerKey { key }
    }

    /// Reads the key file, or creates it with a fresh random key when it does not exist. Two
    /// services starting at once over one file end up with the same key: the file is written
    /// aside and linked into place only if no other was there first.
    pub fn load_or_create(path: &Path) -> Result<ServerKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(KeyError::Random)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let aside = path.with_extension(format!("new-{}", std::process::id()));
        write_private(&aside, &hex::encode(key)).map_err(io)?;
        let linked = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        match linked {
            Ok(()) => Ok(ServerKey { key }),
            // Another start created it first: use that one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(io)?;
                Self::parse(path, &text)
            }
            Err(e) => Err(io(e)),
        }
    }

    fn parse(path: &Path, text: &str) -> Result<ServerKey, KeyError> {
        let malformed = || KeyError::Malformed(path.display().to_string());
        let bytes = hex::decode(text.trim()).map_err(|_| malformed())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| malformed())?;
        Ok(ServerKey { key })
    }

    fn hmac(key: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length: this cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
    }

    /// The key for one purpose: HMAC(key, purpose).
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = Self::hmac(&self.key);
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// HMAC(derive(purpose), data), hex-encoded.
    pub fn mac_hex(&self, purpose: &str, data: &[u8]) -> String {
        let mut mac = Self::hmac(&self.derive(purpose));
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// A value stored in the database to recognise this key at the next start (it reveals
    /// nothing of the key).
    pub fn check_value(&self) -> String {
        self.mac_hex("key-check", b"sipas")
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k/sipas.key");
        let first = ServerKey::load_or_create(&path).unwrap();
        let again = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(first.check_value(), again.check_value());
        assert_ne!(first.mac_hex("a", b"x"), first.mac_hex("b", b"x"));
        std::fs::write(&path, "not hex").unwrap();
        assert!(matches!(
            ServerKey::load_or_create(&path),
            Err(KeyError::Malformed(_))
        ));
    }

    #[test]
    fn default_path_is_beside_a_sqlite_file() {
        assert_eq!(
            default_path("/var/lib/s/x.db"),
            Path::new("/var/lib/s/sipas.key")
        );
        assert_eq!(default_path("postgres://h/db"), Path::new("data/sipas.key"));
    }
}
