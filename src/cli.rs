//! The `sipas` command line (docs/api.md §11).

mod paper;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::accounts::AccountError;
use crate::domain::Role;
use crate::platform::config::Config;
use crate::service::{users, Actor, ServiceError};
use crate::{demo, forms, startup, store};

#[derive(Debug, Parser)]
#[command(
    name = "sipas",
    version,
    about = "SIPAS survey service: collect and analyse satisfaction surveys"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SIPAS_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Work with form files.
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// Paper surveys: print numbered sheets.
    Paper {
        #[command(subcommand)]
        command: paper::PaperCommand,
    },
    /// Insert realistic synthetic responses over the default units and the last 3 years.
    Demo {
        /// How many responses to insert (at least 1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        responses: u64,
        /// Seed of the random generator: the same seed gives the same responses.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// The form to answer.
        #[arg(long, default_value = demo::DEFAULT_FORM)]
        form: String,
    },
    /// Delete the free-text comments of responses older than SIPAS_COMMENT_RETENTION_DAYS days
    /// (ratings are kept); prints how many were removed.
    PurgeComments {
        /// Only count what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a report folder (index.html, charts as PNG and SVG, tables as CSV and XLSX) or,
    /// with `--format docx`, the báo cáo as a Word document.
    Report {
        /// The form id, e.g. sipas-dich-vu.
        #[arg(long)]
        form: String,
        /// First local date (YYYY-MM-DD), inclusive.
        #[arg(long)]
        from: String,
        /// Last local date (YYYY-MM-DD), exclusive.
        #[arg(long)]
        to: String,
        /// Unit code (default: the root of the tree).
        #[arg(long)]
        unit: Option<String>,
        /// Where to write: the folder (created; our files in it are overwritten), or with
        /// `--format docx` a `.docx` file or a folder to write it in.
        #[arg(long)]
        out: PathBuf,
        /// `folder` (index.html, charts, tables) or `docx` (the báo cáo in Word).
        #[arg(long, value_enum, default_value = "folder")]
        format: crate::reporting::command::ReportFormat,
        /// Chart width in pixels (320–3000).
        #[arg(long, default_value_t = crate::reporting::charts::DEFAULT_SIZE.0)]
        width: u32,
        /// Chart height in pixels (240–2000).
        #[arg(long, default_value_t = crate::reporting::charts::DEFAULT_SIZE.1)]
        height: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        username: String,
        /// admin, analyst or clerk.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Check form files; prints `file:line: message` for each problem.
    Check {
        /// Folder to check (default: the configured forms folder).
        dir: Option<PathBuf>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|()| format!("unknown role \"{s}\": use admin, analyst or clerk"))
}

/// Runs a command; errors are printed to standard error and give a non-zero exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Serve { bind } => serve(cli.config, &bind),
        Command::Migrate => migrate(&cli.config),
        Command::Users {
            command: UsersCommand::Add { username, role },
        } => add_user(&cli.config, &username, role),
        Command::Forms {
            command: FormsCommand::Check { dir },
        } => check_forms(&dir.unwrap_or_else(|| cli.config.forms_dir.clone())),
        Command::Demo {
            responses,
            seed,
            form,
        } => demo::run(&cli.config, &form, responses, seed),
        Command::Paper { command } => paper::run(&cli.config, command),
        Command::PurgeComments { dry_run } => purge_comments(&cli.config, dry_run),
        Command::Report {
            form,
            from,
            to,
            unit,
            out,
            width,
            height,
            format,
        } => crate::reporting::command::run(
            &cli.config,
            &crate::reporting::command::ReportArgs {
                form,
                from,
                to,
                unit,
                out,
                width,
                height,
                format,
            },
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config, bind: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let app = startup::Application::build(config, bind)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(
            "SIPAS listening on http://{}:{}/",
            bind.rsplit_once(':').map_or(bind, |(h, _)| h),
            app.port
        );
        app.server.await.map_err(|e| e.to_string())
    })
}

fn migrate(config: &Config) -> Result<(), String> {
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let done = store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    if done.is_empty() {
        println!("database is up to date");
    }
    for name in done {
        println!("applied {name}");
    }
    Ok(())
}

fn add_user(config: &Config, username: &str, role: Role) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(
            "no password on standard input: pipe one line, e.g. `echo '…' | sipas users add …`"
                .into(),
        );
    }
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let new = users::NewAccount {
        username: username.to_string(),
        role,
        password: password.to_string(),
        via: Some(users::VIA_COMMAND_LINE),
    };
    users::create(&mut conn, &Actor::command_line(), new).map_err(|e| refusal(&e))?;
    println!("created {role} {username}");
    Ok(())
}

/// A service refusal as the command line prints it: the problems of the fields given (in
/// English), else the error itself.
fn refusal(e: &ServiceError) -> String {
    let fields = match e {
        ServiceError::Invalid(fields) | ServiceError::Account(AccountError::Invalid(fields)) => {
            fields.as_slice()
        }
        _ => &[],
    };
    if fields.is_empty() {
        e.to_string()
    } else {
        let problems: Vec<&str> = fields.iter().map(|f| f.message_en.as_str()).collect();
        problems.join("; ")
    }
}

fn purge_comments(config: &Config, dry_run: bool) -> Result<(), String> {
    use crate::service::retention;
    let days = config.comment_retention_days;
    let today = chrono::Utc::now().with_timezone(&config.tz).date_naive();
    let Some(cutoff) = retention::cutoff(today, days) else {
        println!("SIPAS_COMMENT_RETENTION_DAYS is 0: comments are kept forever; nothing removed");
        return Ok(());
    };
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let trigger = if dry_run {
        retention::Trigger::DryRun
    } else {
        retention::Trigger::Command
    };
    // No loaded forms: every stored form version's comment codes (the service stores each
    // version it loads).
    let done = retention::purge_comments(&mut conn, None, cutoff, config.tz, trigger)
        .map_err(|e| e.to_string())?;
    let verb = if dry_run { "would remove" } else { "removed" };
    println!(
        "{verb} {} comments of responses submitted before {} (retention {days} days)",
        done.removed, done.cutoff
    );
    Ok(())
}

fn check_forms(dir: &std::path::Path) -> Result<(), String> {
    let loaded = forms::load_dir(dir).map_err(|e| e.to_string())?;
    for form in &loaded {
        println!("{}: ok ({} questions)", form.id, form.all_questions().len());
    }
    Ok(())
}
