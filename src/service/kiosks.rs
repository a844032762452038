//! Kiosk tablets (admin): register one for a unit (its device token is returned once; only a hash
//! is kept), list them, revoke one. The JSON API (`web::api::kiosks`) and the admin page
//! (`web::html::admin::kiosks`) call these; each change is written with its audit record
//! (`kiosk.create`, `kiosk.revoke`: the kiosk as target, its unit and name in the detail, never its
//! token) in one transaction.

use chrono::NaiveDate;
use serde_json::json;

use super::{in_transaction, Actor, ServiceError};
use crate::collecting::access;
use crate::domain::Role;
use crate::store::models::KioskRow;
use crate::store::{kiosks, now_utc, DbConnection};

pub use crate::collecting::access::RegisteredKiosk;

/// The audit action of a kiosk's registration.
pub const CREATE_AUDIT_ACTION: &str = "kiosk.create";
/// The audit action of a kiosk's revocation.
pub const REVOKE_AUDIT_ACTION: &str = "kiosk.revoke";

/// Registers a kiosk tablet named `name` for the unit `unit`, which must be open on `today`
/// (`kiosk.create`). The answer carries the device token, the only time it is known.
pub fn register_kiosk(
    conn: &mut DbConnection,
    actor: &Actor,
    name: &str,
    unit: &str,
    today: NaiveDate,
) -> Result<RegisteredKiosk, ServiceError> {
    actor.require(&[Role::Admin])?;
    let registered = in_transaction(conn, |c| {
        let registered = access::register_kiosk(c, name, unit, today, now_utc())?;
        let entry = actor
            .entry(CREATE_AUDIT_ACTION)
            .target(registered.kiosk.id.clone())
            .detail(json!({"unit": registered.kiosk.unit, "name": registered.kiosk.name}));
        Ok::<_, ServiceError>((registered, entry))
    })?;
    tracing::info!(kiosk = %registered.kiosk.id, unit = %registered.kiosk.unit, by = %actor.name, "kiosk registered");
    Ok(registered)
}

/// Every kiosk, newest first, revoked ones included (admin). Tokens are not kept, so not shown.
pub fn list_kiosks(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<KioskRow>, ServiceError> {
    actor.require(&[Role::Admin])?;
    Ok(kiosks::list(conn)?)
}

/// Revokes the kiosk `id` (`kiosk.revoke`): its link stops working at once. Revoking twice is
/// harmless (recorded with `already_revoked`); `not_found` when there is no such kiosk, and then
/// nothing is recorded.
pub fn revoke_kiosk(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    actor.require(&[Role::Admin])?;
    in_transaction(conn, |c| {
        let Some(kiosk) = kiosks::list(c)?.into_iter().find(|k| k.id == id) else {
            return Err(ServiceError::NotFound);
        };
        kiosks::revoke(c, id, now_utc())?;
        let entry = actor.entry(REVOKE_AUDIT_ACTION).target(id).detail(json!({
            "unit": kiosk.unit,
            "name": kiosk.name,
            "already_revoked": kiosk.revoked_at.is_some(),
        }));
        Ok(((), entry))
    })?;
    tracing::info!(kiosk = %id, by = %actor.name, "kiosk revoked");
    Ok(())
}
