//! Questionnaires: the model, loading and checking form files, and validating answers.

pub mod load;
pub mod model;
pub mod packed;
pub mod registry;
mod toml_vi;
pub mod upload;
pub mod validate;

pub use load::{load_dir, parse_form, FormLoadError, Problem};
pub use model::{Form, IndexMethod, QuestionKind};
pub use registry::{FormRegistry, LoadedForm};
pub use validate::{validate_answers, AnswerValue, FieldError, ValidAnswers};
