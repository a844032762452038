//! The `sipas` command line, run as the real binary (API.md, "Command line").

use crate::common::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use diesel::prelude::*;
use serde_json::{json, Value};
use sipas::startup::Application;
use sipas::store::{self, schema::users};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const PASSWORD: &str = "correct-horse-battery-staple";

/// A temporary folder with the database URL the commands use.
struct Workspace {
    _dir: tempfile::TempDir,
    url: String,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        // A folder that does not exist yet: the commands create it.
        let url = dir
            .path()
            .join("data")
            .join("sipas.db")
            .display()
            .to_string();
        Workspace { _dir: dir, url }
    }

    /// `sipas ARGS` with `stdin` as standard input (nothing when `None`).
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run_in(Path::new(MANIFEST_DIR), Some(&self.url), args, stdin)
    }

    fn user_count(&self) -> i64 {
        users::table
            .count()
            .get_result(&mut store::connect(&self.url).unwrap())
            .unwrap()
    }
}

fn run_in(cwd: &Path, database_url: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = sipas_command();
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let mut child = command.spawn().expect("the sipas binary runs");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn assert_success(output: &Output) {
    assert!(output.status.success(), "{}", describe(output));
}

fn assert_failure(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "a non-zero exit: {}",
        describe(output)
    );
    assert!(
        output.status.code().is_some(),
        "an exit, not a crash: {}",
        describe(output)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn migrate_runs_and_runs_again() {
    let ws = Workspace::new();
    let first = ws.run(&["migrate"], None);
    assert_success(&first);
    assert!(Path::new(&ws.url).exists(), "the database file is created");
    assert_eq!(
        store::responses::counts(&mut store::connect(&ws.url).unwrap()).unwrap(),
        (0, 0),
        "the tables exist"
    );
    let second = ws.run(&["migrate"], None);
    assert_success(&second);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("up to date"),
        "{}",
        describe(&second)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_added_on_the_command_line_can_log_in() {
    let ws = Workspace::new();
    let output = ws.run(
        &["users", "add", "--username", "ana", "--role", "analyst"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_success(&output);
    assert_eq!(ws.user_count(), 1);

    let app = Application::build(test_config(&ws.url), "127.0.0.1:0")
        .await
        .expect("the application starts on the same database");
    let address = format!("http://127.0.0.1:{}", app.port);
    let handle = app.server.handle();
    tokio::spawn(app.server);
    let client = reqwest::Client::new();
    let login = |password: &str| {
        client
            .post(format!("{address}/api/v1/auth/login"))
            .json(&json!({"username": "ana", "password": password}))
            .send()
    };
    let response = login(PASSWORD).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["role"], "analyst");
    assert!(body["token"].as_str().is_some_and(|t| !t.is_empty()));
    // Only the line's content is the password, not its line break.
    let response = login(&format!("{PASSWORD}\n")).await.unwrap();
    assert_eq!(response.status(), 401);
    drop(client);
    handle.stop(false).await;
}

#[test]
fn users_add_refuses_bad_input() {
    let ws = Workspace::new();
    let line = format!("{PASSWORD}\n");

    let stderr = assert_failure(&ws.run(
        &["users", "add", "--username", "ana", "--role", "boss"],
        Some(&line),
    ));
    for role in ["admin", "analyst", "clerk"] {
        assert!(stderr.contains(role), "the roles are named: {stderr}");
    }

    let stderr = assert_failure(&ws.run(
        &["users", "add", "--username", "ana", "--role", "analyst"],
        Some(""),
    ));
    assert!(
        stderr.contains("password") && stderr.contains("standard input"),
        "a clear message for empty standard input: {stderr}"
    );

    let stderr = assert_failure(&ws.run(
        &["users", "add", "--username", "ana", "--role", "analyst"],
        Some("short-pw\n"),
    ));
    assert!(
        stderr.contains("password") && stderr.contains("12"),
        "the password policy is explained: {stderr}"
    );

    // None of these created anything.
    assert_success(&ws.run(&["migrate"], None));
    assert_eq!(ws.user_count(), 0);

    assert_success(&ws.run(
        &["users", "add", "--username", "ana", "--role", "clerk"],
        Some(&line),
    ));
    let stderr = assert_failure(&ws.run(
        &["users", "add", "--username", "ana", "--role", "admin"],
        Some(&line),
    ));
    assert!(
        stderr.contains("ana") && stderr.contains("exists"),
        "the duplicate is named: {stderr}"
    );
    assert_eq!(ws.user_count(), 1);
    let role: String = users::table
        .filter(users::username.eq("ana"))
        .select(users::role)
        .first(&mut store::connect(&ws.url).unwrap())
        .unwrap();
    assert_eq!(role, "clerk", "the first account is unchanged");
}

#[test]
fn forms_check_accepts_the_shipped_forms() {
    let output = run_in(
        Path::new(MANIFEST_DIR),
        None,
        &["forms", "check", "survey-forms"],
        None,
    );
    assert_success(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for form in ["sipas-dich-vu", "sipas-ho-gia-dinh", "khao-sat-dai-bieu"] {
        assert!(stdout.contains(form), "{form} is reported: {stdout}");
    }
}

/// Writes `text` as `dir/name`; returns the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn forms_check_reports_every_problem_with_its_line() {
    let shipped = shipped_toml("sipas-dich-vu");
    let dir = tempfile::tempdir().unwrap();

    // 1. An item code used twice.
    assert_eq!(shipped.matches("code = \"TC2\"").count(), 1);
    let duplicate = shipped.replace("code = \"TC2\"", "code = \"TC1\"");
    let duplicate_file = write(dir.path(), "sipas-dich-vu.toml", &duplicate);
    let duplicate_line = line_of(&duplicate, "code = \"TC1\"", 1);

    // 2. Not TOML at all.
    let syntax = "id = \"cu-phap\"\ntitle = \"Lỗi cú pháp\"\ntarget = = 90.0\n\
        index_method = \"top2_share\"\nchannels = [\"kiosk\"]\n";
    let syntax_file = write(dir.path(), "cu-phap.toml", syntax);
    let syntax_line = line_of(syntax, "= = 90.0", 0);

    // 3. Routing that names a question the form does not have.
    let routing = shipped
        .replace("id = \"sipas-dich-vu\"", "id = \"dieu-kien\"")
        .replace("question = \"da_pakn\"", "question = \"khong_co\"");
    assert_ne!(routing, shipped);
    let routing_file = write(dir.path(), "dieu-kien.toml", &routing);
    let routing_line = line_of(&routing, "question = \"khong_co\"", 0);

    let output = run_in(
        Path::new(MANIFEST_DIR),
        None,
        &["forms", "check", &dir.path().display().to_string()],
        None,
    );
    let stderr = assert_failure(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    let expect = |file: &Path, line: usize, words: &[&str]| {
        let prefix = format!("{}:{line}: ", file.display());
        let found = lines
            .iter()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("a line starting {prefix:?} in:\n{stderr}"));
        for word in words {
            assert!(found.contains(word), "{word:?} in {found:?}");
        }
    };
    expect(&duplicate_file, duplicate_line, &["TC1", "hai lần"]);
    expect(&syntax_file, syntax_line, &[]);
    expect(&routing_file, routing_line, &["khong_co"]);

    // Each problem line has the `file:line: message` shape with a positive line.
    let problems: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with(&dir.path().display().to_string()))
        .collect();
    assert_eq!(problems.len(), 3, "exactly the three problems:\n{stderr}");
    for problem in problems {
        let rest = problem.split_once(".toml:").expect("file:line").1;
        let (line, message) = rest.split_once(": ").expect("line: message");
        assert!(line.parse::<usize>().is_ok_and(|n| n > 0), "{problem}");
        assert!(!message.trim().is_empty(), "{problem}");
    }
}

#[test]
fn forms_check_refuses_a_folder_without_forms() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = assert_failure(&run_in(
        dir.path(),
        None,
        &["forms", "check", &dir.path().display().to_string()],
        None,
    ));
    assert!(stderr.contains("Không có tệp phiếu nào"), "{stderr}");
}
