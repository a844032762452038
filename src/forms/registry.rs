//! The forms the service currently offers, each with the version number it has in the database.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::model::Form;

/// A form with its stored version.
#[derive(Debug)]
pub struct LoadedForm {
    pub form: Form,
    pub version: i32,
    pub content_hash: String,
}

/// The current version of every form, by id. Built once at start-up.
#[derive(Debug, Default)]
pub struct FormRegistry {
    forms: BTreeMap<String, Arc<LoadedForm>>,
}

impl FormRegistry {
    pub fn new(forms: impl IntoIterator<Item = LoadedForm>) -> Self {
        FormRegistry {
            forms: forms
                .into_iter()
                .map(|f| (f.form.id.clone(), Arc::new(f)))
                .collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<LoadedForm>> {
        self.forms.get(id).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<LoadedForm>> {
        self.forms.values()
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
