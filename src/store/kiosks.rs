//! Kiosk tablets: a device token (stored as SHA-256) bound to a unit.

use diesel::prelude::*;

use super::models::KioskRow;
use super::schema::kiosks;
use super::{DbConnection, StoreError};

pub fn insert(conn: &mut DbConnection, kiosk: &KioskRow) -> Result<(), StoreError> {
    diesel::insert_into(kiosks::table)
        .values(kiosk)
        .execute(conn)
        .map(|_| ())
        .map_err(StoreError::from_diesel)
}

/// Every kiosk, newest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<KioskRow>, StoreError> {
    Ok(kiosks::table
        .order((kiosks::created_at.desc(), kiosks::id))
        .select(KioskRow::as_select())
        .load(conn)?)
}

/// The kiosk holding this token, unless it was revoked.
pub fn find_active(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<KioskRow>, StoreError> {
    Ok(kiosks::table
        .filter(kiosks::token_hash.eq(token_hash))
        .filter(kiosks::revoked_at.is_null())
        .select(KioskRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes a kiosk (its token stops working at once). `false` when there is no such kiosk.
pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    now: chrono::NaiveDateTime,
) -> Result<bool, StoreError> {
    let exists = kiosks::table
        .filter(kiosks::id.eq(id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    diesel::update(
        kiosks::table
            .filter(kiosks::id.eq(id))
            .filter(kiosks::revoked_at.is_null()),
    )
    .set(kiosks::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(exists)
}
