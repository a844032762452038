//! The real `sipas` binary as a child process, and what the tests read of it.

use std::ffi::OsStr;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

/// `sipas` as a command run in the crate's folder with `RUST_LOG=warn`, and none of the
/// `SIPAS_*` or `DATABASE_URL` variables of the environment running the tests.
pub fn sipas_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sipas"));
    for (name, _) in std::env::vars() {
        if name.starts_with("SIPAS_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "warn");
    command
}

/// A finished command's exit code, standard output and standard error, for a failure message.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A port that was free a moment ago (bind to port 0, read it, release it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// The last `bytes` (or a little less, at a character boundary) of the log file at `path`;
/// empty when it cannot be read.
pub fn log_tail(path: &Path, bytes: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(bytes);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_string()
}

/// `sipas ARGS` against `database_url`, with the shipped forms; waits for it to end.
pub fn run_sipas(database_url: impl AsRef<OsStr>, args: &[&str]) -> Output {
    sipas_command()
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SIPAS_FORMS_DIR", super::forms_dir())
        .output()
        .expect("the sipas binary runs")
}
