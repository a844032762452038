//! Form files (admin): the upload of a new form or a new version of one (`form.upload`). The
//! checks — the file as `sipas forms check` reads it, then the changes that would break stored
//! answers — are `forms::upload`; here the version, its file and its audit record are stored
//! together, one upload at a time.

use std::path::Path;

use diesel::Connection;

use super::{Actor, ServiceError};
use crate::domain::Role;
use crate::forms::upload::{self, Planned, UploadError, Uploaded, AUDIT_ACTION};
use crate::forms::FormRegistry;
use crate::platform::audit;
use crate::store::models::FormVersionRow;
use crate::store::{self, DbConnection};

/// Checks an uploaded form file and, when its content is new, stores it as the form's next
/// version, writes it to `{forms_dir}/{id}.toml` and makes it live. The same content as the live
/// version changes (and records) nothing. The version, its audit record (the form as target, the
/// versions and the content hash in the detail) and the file are stored together or not at all.
pub fn upload(
    conn: &mut DbConnection,
    actor: &Actor,
    registry: &FormRegistry,
    forms_dir: &Path,
    source: &[u8],
) -> Result<Uploaded, ServiceError> {
    actor.require(&[Role::Admin])?;
    let form = upload::check(source)?;
    let _one_at_a_time = registry.upload_lock();
    let new = match upload::plan(conn, registry, forms_dir, form)? {
        Planned::Unchanged(uploaded) => return Ok(uploaded),
        Planned::New(new) => new,
    };
    new.stage(source)?;
    // Not `service::in_transaction`: the record comes before the rename, which must be last.
    let outcome = conn.transaction(|c| {
        let (version, detail) = new.register(c)?;
        let entry = actor
            .entry(AUDIT_ACTION)
            .target(new.form_id())
            .detail(detail);
        audit::record(c, &entry)?;
        new.put_in_place()?;
        Ok::<_, UploadError>(version)
    });
    match outcome {
        Ok(version) => {
            let uploaded = new.go_live(registry, version);
            tracing::info!(form = %uploaded.loaded.form.id, version, by = %actor.name, "form version uploaded");
            Ok(uploaded)
        }
        Err(e) => {
            new.discard();
            Err(e.into())
        }
    }
}

/// Per form: its stored versions, each with how many responses answered it.
pub type Versions = Vec<(String, Vec<(FormVersionRow, i64)>)>;

/// The stored versions of the forms `ids` (admin), oldest first, with their response counts.
pub fn versions(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: &[String],
) -> Result<Versions, ServiceError> {
    actor.require(&[Role::Admin])?;
    let mut out = Vec::new();
    for id in ids {
        let counts = store::forms::response_counts(conn, id)?;
        let rows = store::forms::versions(conn, id)?
            .into_iter()
            .map(|row| {
                let n = counts
                    .iter()
                    .find(|(v, _)| *v == row.version)
                    .map_or(0, |(_, n)| *n);
                (row, n)
            })
            .collect();
        out.push((id.clone(), rows));
    }
    Ok(out)
}
