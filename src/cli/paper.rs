//! `sipas paper print --form F --unit U --count N --out FILE.pdf [--single-entry]`: prints a batch
//! of numbered paper sheets as `POST /api/v1/paper/batches` does (the same service action, the
//! actor `(command line)`), and writes its PDF atomically: a temporary file beside `FILE`, renamed
//! once complete, so a failure never leaves half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::administration::units::{parse_tree, DEFAULT_TREE};
use crate::platform::config::Config;
use crate::service::paper::print::{self as actions, PrintRequest};
use crate::service::Actor;
use crate::{forms, store};

#[derive(Debug, Subcommand)]
pub enum PaperCommand {
    /// Print a batch of numbered sheets of a form for a unit as one PDF (A4) and record it.
    Print {
        /// The form id, e.g. sipas-ho-gia-dinh (it must take answers on paper).
        #[arg(long)]
        form: String,
        /// The unit code, e.g. phuoc-son (open today).
        #[arg(long)]
        unit: String,
        /// How many sheets (1–2000); they get the unit's next serial numbers.
        #[arg(long)]
        count: i64,
        /// The PDF file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
        /// One entry per sheet is enough (default: every sheet is entered twice).
        #[arg(long)]
        single_entry: bool,
    },
}

pub fn run(config: &Config, command: PaperCommand) -> Result<(), String> {
    match command {
        PaperCommand::Print {
            form,
            unit,
            count,
            out,
            single_entry,
        } => print(config, &form, &unit, count, &out, !single_entry),
    }
}

fn print(
    config: &Config,
    form_id: &str,
    unit: &str,
    count: i64,
    out: &Path,
    double_entry: bool,
) -> Result<(), String> {
    let loaded = forms::load_dir(&config.forms_dir).map_err(|e| e.to_string())?;
    let form = loaded
        .into_iter()
        .find(|f| f.id == form_id)
        .ok_or_else(|| {
            format!(
                "unknown form \"{form_id}\" (no such file in {})",
                config.forms_dir.display()
            )
        })?;
    // The temporary file first: an unwritable folder is refused before anything is recorded.
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".sipas-paper-")
        .suffix(".pdf.part")
        .tempfile_in(&dir)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let tree = parse_tree(DEFAULT_TREE, store::now_utc()).map_err(|e| e.to_string())?;
    store::units::seed_if_empty(&mut conn, &tree).map_err(|e| e.to_string())?;
    let today = chrono::Utc::now().with_timezone(&config.tz).date_naive();
    let request = PrintRequest {
        form: &form,
        unit,
        count,
        double_entry,
        today,
    };
    let printed = actions::print_batch(&mut conn, &Actor::command_line(), &request)
        .map_err(|e| super::refusal(&e))?;
    temp.write_all(&printed.pdf)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    // A file for people to print and share, not a secret: the usual permissions (the temporary
    // file is created readable by its owner only).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(temp.path(), permissions)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    temp.persist(out)
        .map_err(|e| format!("cannot write {}: {}", out.display(), e.error))?;
    let b = &printed.batch;
    println!(
        "printed {} sheets {}-{:06} to {}-{:06} of {} ({} pages each, {}) to {}",
        b.count(),
        b.unit,
        b.first_serial,
        b.unit,
        b.last_serial,
        b.form_id,
        printed.pages_per_sheet,
        if b.double_entry {
            "double entry"
        } else {
            "single entry"
        },
        out.display()
    );
    Ok(())
}
