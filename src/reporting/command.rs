//! `sipas report`: the selection's reports computed once ([`document::compute_set`]), then
//! written as the report folder (the default, `folder`) or as the Word báo cáo (`--format docx`).
//! Every bad argument is a message and a non-zero exit, with nothing written.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::forms::{self, Form};
use crate::platform::config::Config;
use crate::reporting::charts::ChartOptions;
use crate::reporting::document::{self, word, Letterhead, Period, ReportSet, SetRequest};
use crate::reporting::exports::Table;
use crate::reporting::folder;
use crate::reporting::reports::{self, ReportQuery, Tree};
use crate::store;

/// What `sipas report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// The report folder: index.html, charts (PNG, SVG), tables (CSV, XLSX).
    Folder,
    /// The báo cáo as a Word document (Nghị định 30/2020).
    Docx,
}

/// What `sipas report` was asked for.
#[derive(Debug, Clone)]
pub struct ReportArgs {
    pub form: String,
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
    pub out: PathBuf,
    /// Size of the folder's PNG and SVG charts in pixels.
    pub width: u32,
    pub height: u32,
    pub format: ReportFormat,
}

/// Parses a `--from`/`--to` date.
pub fn parse_date(name: &str, value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        format!("--{name} must be a date YYYY-MM-DD (e.g. 2024-01-01), not \"{value}\"")
    })
}

/// The period of `--from` and `--to`.
fn period(args: &ReportArgs) -> Result<Period, String> {
    let from = parse_date("from", &args.from)?;
    let to = parse_date("to", &args.to)?;
    Period::new(from, to)
        .ok_or_else(|| format!("--from ({from}) must be before --to ({to}); --to is exclusive"))
}

/// Runs the command.
pub fn run(config: &Config, args: &ReportArgs) -> Result<(), String> {
    let period = period(args)?;
    let loaded = forms::load_dir(&config.forms_dir).map_err(|e| e.to_string())?;
    let form = find_form(&loaded, &args.form, &config.forms_dir)?;
    let mut options = folder::chart_options(form, args.width, args.height)?;
    let docx_path = match args.format {
        ReportFormat::Docx => Some(docx_target(&args.out, form, args.unit.as_deref(), period)?),
        ReportFormat::Folder => None,
    };
    let delegates = document::delegates_form(form, &loaded);
    let computed = compute(
        config,
        form,
        delegates,
        args.unit.clone(),
        period,
        docx_path.is_none(),
    )?;
    options.unit_names = computed.set.unit_names.clone();
    match docx_path {
        Some(path) => write_docx(config, form, &computed, options, &path),
        None => {
            let responses = computed.responses.ok_or("no responses read")?;
            folder::write(
                &args.out,
                form,
                &computed.set,
                responses,
                &options,
                config.tz,
            )
        }
    }
}

/// The form `id` among the forms `loaded` from `forms_dir`.
fn find_form<'a>(loaded: &'a [Form], id: &str, forms_dir: &Path) -> Result<&'a Form, String> {
    loaded.iter().find(|f| f.id == id).ok_or_else(|| {
        let known: Vec<&str> = loaded.iter().map(|f| f.id.as_str()).collect();
        let (dir, known) = (forms_dir.display(), known.join(", "));
        format!("unknown form \"{id}\" (forms in {dir}: {known})")
    })
}

/// The file a `.docx` is written to: `out` itself when it ends in `.docx`, else a file named
/// after the selection in the folder `out`.
pub fn docx_target(
    out: &Path,
    form: &Form,
    unit: Option<&str>,
    p: Period,
) -> Result<PathBuf, String> {
    let is_file = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if is_file {
        return Ok(out.to_path_buf());
    }
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "--out {} is a file that is not a .docx; give a folder or a path ending in .docx",
            out.display()
        ));
    }
    Ok(out.join(document::docx_file_name(form, unit, p)))
}

/// The reports of the selection and, for the folder, its responses.
struct Computed {
    set: ReportSet,
    unit: Option<crate::administration::units::Unit>,
    responses: Option<Table>,
}

fn compute(
    config: &Config,
    form: &Form,
    delegates: Option<&Form>,
    unit: Option<String>,
    period: Period,
    with_responses: bool,
) -> Result<Computed, String> {
    let pool = store::open_pool(&config.database_url, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::run_migrations(&mut conn).map_err(|e| e.to_string())?;
    let tree = Tree::load(&mut conn).map_err(|e| e.to_string())?;
    let query = ReportQuery {
        unit,
        from: Some(period.from),
        to: Some(period.to),
        group_by: None,
    };
    let query = reports::resolve_unit(query, &tree).map_err(|e| e.to_string())?;
    let request = SetRequest {
        form,
        delegates,
        query: query.clone(),
        period,
        tree: &tree,
    };
    let tz = config.tz;
    let set = document::compute_set(|f, q| reports::report(&mut conn, f, q, &tree, tz), request)
        .map_err(|e| e.to_string())?;
    let responses = match with_responses {
        true => {
            let frame = reports::load::load_frame(&mut conn, form, &query, &tree, tz)
                .map_err(|e| e.to_string())?;
            Some(Table::new(&frame, form, tz).map_err(|e| e.to_string())?)
        }
        false => None,
    };
    let unit = query.unit.as_ref().and_then(|u| tree.get(u)).cloned();
    Ok(Computed {
        set,
        unit,
        responses,
    })
}

/// Writes the Word báo cáo to `path` (its folder created if needed).
fn write_docx(
    config: &Config,
    form: &Form,
    computed: &Computed,
    charts: ChartOptions,
    path: &Path,
) -> Result<(), String> {
    let letterhead = Letterhead::resolve(&config.letterhead, computed.unit.as_ref());
    let input = word::WordInput {
        form,
        set: &computed.set,
        letterhead: &letterhead,
        date: reports::today(config.tz),
        charts,
    };
    let bytes = word::render(&input).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "wrote {} ({} responses)",
        path.display(),
        computed.set.report.responses
    );
    Ok(())
}
