//! Who is on the other end: the client address (only ever kept as a keyed daily hash) and the
//! audit records of a request.

use std::net::IpAddr;

use actix_web::{web, HttpRequest};
use serde_json::json;

use crate::auth::Staff;
use crate::domain::Role;
use crate::platform::audit::{Entry, Outcome};
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// The client's address: the TCP peer, or — with `SIPAS_TRUST_PROXY` — what the reverse proxy
/// says in `Forwarded` / `X-Forwarded-For`.
pub fn client_ip(req: &HttpRequest, state: &AppState) -> Option<IpAddr> {
    let info = req.connection_info();
    let text = if state.config.trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    }?;
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| req.peer_addr().map(|s| s.ip()))
}

/// Today's keyed hash of the client's address (`None` when there is no address, e.g. in-process
/// tests).
pub fn address_hash(req: &HttpRequest, state: &AppState) -> Option<String> {
    let ip = client_ip(req, state)?;
    let today = chrono::Utc::now()
        .with_timezone(&state.config.tz)
        .date_naive();
    Some(state.address_hasher.hash(ip, today))
}

/// An audit record of this request, by this staff member (if any), from this address.
pub fn audit_entry(
    req: &HttpRequest,
    state: &AppState,
    staff: Option<&Staff>,
    action: &str,
) -> Entry {
    let entry = Entry::new(action).from_address(address_hash(req, state));
    match staff {
        Some(s) => entry.by_name(&s.username).with_role(Some(s.role.as_str())),
        None => entry,
    }
}

/// A limit that let a request through: give its token back if nothing was stored.
pub struct Permit {
    limiter: std::sync::Arc<crate::platform::limits::RateLimiter>,
    key: String,
}

impl Permit {
    /// Only stored answers count: a replay (200) or a refusal gives the token back.
    pub fn settle(self, stored: bool) {
        if !stored {
            self.limiter.refund(&self.key);
        }
    }
}

/// The limit on a submission, taken once its body was read and parsed (a client trickling a
/// body holds no token): per staff account for clerks and admins entering forms
/// (`SIPAS_STAFF_BURST`, `SIPAS_STAFF_PER_HOUR`), per client address for everyone else
/// (`SIPAS_PUBLIC_BURST`, `SIPAS_PUBLIC_PER_HOUR`); 429 `too_many_requests` with `Retry-After`
/// beyond it. Kiosks have their own per-device limit. `None`: nothing to limit (no address).
pub fn submission_limit(
    req: &HttpRequest,
    state: &AppState,
    staff: Option<&Staff>,
) -> Result<Option<Permit>, crate::web::error::ApiError> {
    let (limiter, key) = match staff {
        Some(s) => (state.staff_limiter.clone(), format!("staff:{}", s.id.0)),
        None => match address_hash(req, state) {
            Some(key) => (state.public_limiter.clone(), key),
            None => return Ok(None),
        },
    };
    match limiter.check(&key, std::time::Instant::now()) {
        Ok(()) => Ok(Some(Permit { limiter, key })),
        Err(wait) => Err(crate::web::error::ApiError::too_many_requests(
            wait.as_secs() + 1,
        )),
    }
}

/// Writes an audit record on its own (for actions with no database change of their own: logins,
/// exports, downloads). An error means the record could not be written; callers refuse the action
/// rather than let it go unrecorded.
pub async fn record(
    state: &actix_web::web::Data<AppState>,
    entry: Entry,
) -> Result<(), crate::web::error::ApiError> {
    crate::web::db::with_conn(state, move |conn| {
        crate::platform::audit::record(conn, &entry)
    })
    .await
}

/// Checks the caller's role. A refusal is recorded (outcome `denied`, the route and method in the
/// detail) before the 403; if even that record cannot be written the answer is still 403.
pub async fn require_role(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    staff: &Staff,
    allowed: &[Role],
    action: &str,
) -> Result<(), ApiError> {
    let Err(refused) = staff.require(allowed) else {
        return Ok(());
    };
    let entry = audit_entry(req, state, Some(staff), action)
        .outcome(Outcome::Denied)
        .detail(json!({
            "method": req.method().as_str(),
            "route": req.match_pattern(),
        }));
    if let Err(e) = record(state, entry).await {
        tracing::warn!(error = %e, "a refusal could not be recorded");
    }
    Err(refused.into())
}

/// The acting staff member of this request, with their hashed address, for a service action.
pub fn actor(req: &HttpRequest, state: &AppState, staff: &Staff) -> crate::service::Actor {
    crate::service::Actor::staff(staff, address_hash(req, state))
}
