//! Form definitions: loading and checking the TOML files, validating answers, and fuzzing both.

mod definitions;
mod fuzz_loader;
mod fuzz_validator;
