//! The service layer: every action staff or citizens take, once, whichever front door (JSON API,
//! HTML page, command line) calls it (ARCHITECTURE.md).
//!
//! An action takes a connection and the [`Actor`], checks the actor's role, does its work and
//! writes its audit record in one transaction ([`in_transaction`]), and returns a
//! [`ServiceError`] with a stable code. It knows nothing of HTTP: `web::error` maps its errors
//! to status codes once, for the JSON API and the HTML pages alike.

pub mod audit;
pub mod error;
pub mod forms;
pub mod imports;
pub mod invitations;
pub mod kiosks;
pub mod paper;
pub mod qr_sheets;
pub mod reporting;
pub mod retention;
pub mod sessions;
pub mod submit;
pub mod units;
pub mod users;
pub mod word_report;

use diesel::Connection;

pub use error::{Refusal, ServiceError};

use crate::auth::Staff;
use crate::domain::Role;
use crate::platform::audit::{self as audit_log, Entry};
use crate::store::{DbConnection, StoreError};

/// Who acts, and from where: built by the front door (a signed-in staff member and their hashed
/// address, or the command line), written into every audit record the action makes.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account's username, or `(command line)`.
    pub name: String,
    /// `None` for the command line, which acts with the operator's authority.
    pub role: Option<Role>,
    /// Keyed daily hash of the client address (`platform::privacy`); `None` off the network.
    pub address_hash: Option<String>,
}

impl Actor {
    /// A signed-in staff member.
    pub fn staff(staff: &Staff, address_hash: Option<String>) -> Actor {
        Actor {
            name: staff.username.clone(),
            role: Some(staff.role),
            address_hash,
        }
    }

    /// The operator at the command line (`sipas …`): allowed everything, recorded as
    /// `(command line)`.
    pub fn command_line() -> Actor {
        Actor {
            name: "(command line)".to_string(),
            role: None,
            address_hash: None,
        }
    }

    /// The start of this actor's audit record of `action`.
    pub fn entry(&self, action: &str) -> Entry {
        Entry::new(action)
            .by_name(&self.name)
            .with_role(self.role.map(Role::as_str))
            .from_address(self.address_hash.clone())
    }

    /// Refuses (`forbidden`) an actor whose role is not in `allowed`. The command line is always
    /// allowed.
    pub fn require(&self, allowed: &[Role]) -> Result<(), ServiceError> {
        match self.role {
            Some(role) if !allowed.contains(&role) => Err(ServiceError::Forbidden),
            _ => Ok(()),
        }
    }
}

/// Runs `work` — a change that returns its audit record — and writes the record in the same
/// transaction, under the database's write lock: both are stored or neither is.
pub fn in_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<(T, Entry), E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    enum Failed<E> {
        Work(E),
        Store(StoreError),
    }
    impl<E> From<diesel::result::Error> for Failed<E> {
        fn from(e: diesel::result::Error) -> Self {
            Failed::Store(StoreError::from_diesel(e))
        }
    }
    let outcome = conn.transaction(|c| {
        crate::store::lock_for_write(c)?;
        let (value, entry) = work(c).map_err(Failed::Work)?;
        audit_log::record(c, &entry).map_err(Failed::Store)?;
        Ok::<T, Failed<E>>(value)
    });
    outcome.map_err(|e| match e {
        Failed::Work(e) => e,
        Failed::Store(e) => E::from(e),
    })
}

/// Appends one record on its own (an action that changes nothing: a read, a refusal).
pub fn record(conn: &mut DbConnection, entry: &Entry) -> Result<(), ServiceError> {
    audit_log::record(conn, entry).map_err(ServiceError::from)
}
