//! The forms the service currently offers, each with the version number it has in the database.
//!
//! Built at start-up from the form files; an admin's upload ([`super::upload`]) swaps a form's
//! current version in while the service runs. Readers get an `Arc` of the version that is current
//! at that moment and keep it for their whole request, so a swap never changes a form under a
//! request that is answering it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use sha2::{Digest, Sha256};

use super::model::Form;
use super::packed::Layout;

/// A form with its stored version.
#[derive(Debug)]
pub struct LoadedForm {
    pub form: Form,
    pub version: i32,
    pub content_hash: String,
    /// The layout of the compact copy of its answers (made once, used for every submission).
    pub layout: Layout,
}

impl LoadedForm {
    pub fn new(form: Form, version: i32, content_hash: String) -> LoadedForm {
        LoadedForm {
            layout: Layout::of(&form),
            form,
            version,
            content_hash,
        }
    }
}

/// The current version of every form, by id.
#[derive(Debug, Default)]
pub struct FormRegistry {
    forms: RwLock<BTreeMap<String, Arc<LoadedForm>>>,
    /// Held by an upload from its checks to its swap: one upload at a time.
    uploads: Mutex<()>,
}

impl FormRegistry {
    pub fn new(forms: impl IntoIterator<Item = LoadedForm>) -> Self {
        FormRegistry {
            forms: RwLock::new(
                forms
                    .into_iter()
                    .map(|f| (f.form.id.clone(), Arc::new(f)))
                    .collect(),
            ),
            uploads: Mutex::new(()),
        }
    }

    /// The current version of a form.
    pub fn get(&self, id: &str) -> Option<Arc<LoadedForm>> {
        self.read().get(id).cloned()
    }

    /// The current version of every form, by id.
    pub fn all(&self) -> std::vec::IntoIter<Arc<LoadedForm>> {
        self.read()
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Makes `loaded` the current version of its form (a new form is added); returns it and the
    /// version it replaced.
    pub fn replace(&self, loaded: LoadedForm) -> (Arc<LoadedForm>, Option<Arc<LoadedForm>>) {
        let loaded = Arc::new(loaded);
        let previous = self
            .forms
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(loaded.form.id.clone(), loaded.clone());
        (loaded, previous)
    }

    /// Serialises uploads: held from an upload's checks until its version is live.
    pub fn upload_lock(&self) -> MutexGuard<'_, ()> {
        self.uploads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<LoadedForm>>> {
        // The map is replaced entry by entry, never left half-written: a poisoned lock still
        // holds a consistent map.
        self.forms.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The definition as stored: canonical JSON of the model (so comments and layout of the TOML file
/// do not make a new version, but any change of content does).
pub fn definition_json(form: &Form) -> String {
    serde_json::to_string(form).unwrap_or_default()
}

/// SHA-256 of the canonical definition, hex.
pub fn content_hash(definition_json: &str) -> String {
    hex::encode(Sha256::digest(definition_json.as_bytes()))
}
