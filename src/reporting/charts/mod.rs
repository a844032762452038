//! Charts of a report (ISSUE 4): one pure function per kind, fed by the report as the API returns
//! it (no SQL, no HTTP), drawn with plotters into PNG or SVG.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (full Vietnamese coverage, no system
//! fonts); the PNG is therefore font-independent. The SVG names Vietnamese-capable families first.
//! Colours follow the verdict (Okabe–Ito, colour-blind safe) and are never the only carrier of
//! meaning: every bar has its value label and the legend names the verdicts.

mod axes;
mod bars;
mod canvas;
mod distribution;
mod glyphs;
pub mod qr_sheet;
mod ranking;
mod style;
mod trend;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::reporting::reports::labels;
use crate::reporting::reports::output::GroupOut;
use crate::reporting::reports::ReportOut;

pub use bars::{elements, items};
pub use distribution::{distribution, expectations};
pub use ranking::units;
pub use trend::trend;

/// Size bounds in pixels (inclusive).
pub const WIDTH: (u32, u32) = (320, 3000);
pub const HEIGHT: (u32, u32) = (240, 2000);
pub const DEFAULT_SIZE: (u32, u32) = (1200, 700);

/// The font families the SVG asks for, Vietnamese-capable first.
pub const SVG_FONT_FAMILY: &str = "DejaVu Sans, Noto Sans, Arial, sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error(
        "chart size {width}×{height} is out of bounds (width {}–{}, height {}–{})",
        WIDTH.0, WIDTH.1, HEIGHT.0, HEIGHT.1
    )]
    BadSize { width: u32, height: u32 },
    #[error(
        "unknown chart kind \"{0}\" (elements, items, trend, units, distribution, expectations)"
    )]
    UnknownKind(String),
    #[error("unknown chart format \"{0}\" (png, svg)")]
    UnknownFormat(String),
    #[error("font: {0}")]
    Font(String),
    #[error("drawing: {0}")]
    Draw(String),
    #[error("encoding: {0}")]
    Encode(String),
}

impl ChartError {
    pub fn code(&self) -> &'static str {
        match self {
            ChartError::BadSize { .. } => "bad_size",
            ChartError::UnknownKind(_) => "unknown_chart_kind",
            ChartError::UnknownFormat(_) => "unknown_chart_format",
            ChartError::Font(_) | ChartError::Draw(_) | ChartError::Encode(_) => "chart_failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Bar per element of the first group, with 95 % whiskers and the target line.
    Elements,
    /// Bar per item (TC1, …) of the first group, with whiskers and the target line.
    Items,
    /// Index per period (a report grouped by period) with its interval as a band.
    Trend,
    /// Ranking of units (a report grouped by unit) as horizontal bars.
    Units,
    /// Stacked shares of the answers 1–5 per item of the first group.
    Distribution,
    /// Stacked shares of Ít / Nhiều / Rất nhiều per expectation question of the first group.
    Expectations,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Elements,
        ChartKind::Items,
        ChartKind::Trend,
        ChartKind::Units,
        ChartKind::Distribution,
        ChartKind::Expectations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Elements => "elements",
            ChartKind::Items => "items",
            ChartKind::Trend => "trend",
            ChartKind::Units => "units",
            ChartKind::Distribution => "distribution",
            ChartKind::Expectations => "expectations",
        }
    }

    /// The chart's heading (Vietnamese).
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Elements => "Chỉ số hài lòng theo yếu tố",
            ChartKind::Items => "Tỷ lệ hài lòng theo tiêu chí",
            ChartKind::Trend => "Chỉ số hài lòng theo kỳ",
            ChartKind::Units => "Xếp hạng đơn vị theo chỉ số hài lòng",
            ChartKind::Distribution => "Phân bố mức đánh giá theo tiêu chí",
            ChartKind::Expectations => "Mong muốn cải thiện theo nội dung",
        }
    }
}

impl FromStr for ChartKind {
    type Err = ChartError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChartKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ChartError::UnknownKind(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartFormat {
    Png,
    Svg,
}

impl ChartFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ChartFormat::Png => "image/png",
            ChartFormat::Svg => "image/svg+xml",
        }
    }
}

impl FromStr for ChartFormat {
    type Err = ChartError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "png" => Ok(ChartFormat::Png),
            "svg" => Ok(ChartFormat::Svg),
            other => Err(ChartError::UnknownFormat(other.to_string())),
        }
    }
}

/// How to draw a chart: its size, the context line under the title and labels for codes.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    /// Form, unit, period and n, shown under the title; empty: built from the report
    /// (see [`default_context`]).
    pub title_context: String,
    /// Unit code → name, for the `units` chart (codes without a name are shown as they are).
    pub unit_names: HashMap<String, String>,
    /// Labels of the rating scale, lowest first (the form's `scale.labels`); empty: the
    /// standard SIPAS labels.
    pub scale_labels: Vec<String>,
    /// Labels of the expectation scale, lowest first (the form's `expectation_scale.labels`);
    /// empty: Ít, Nhiều, Rất nhiều.
    pub expectation_labels: Vec<String>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: DEFAULT_SIZE.0,
            height: DEFAULT_SIZE.1,
            title_context: String::new(),
            unit_names: HashMap::new(),
            scale_labels: Vec::new(),
            expectation_labels: Vec::new(),
        }
    }
}

impl ChartOptions {
    pub fn check_size(&self) -> Result<(), ChartError> {
        let ok = (WIDTH.0..=WIDTH.1).contains(&self.width)
            && (HEIGHT.0..=HEIGHT.1).contains(&self.height);
        if ok {
            Ok(())
        } else {
            Err(ChartError::BadSize {
                width: self.width,
                height: self.height,
            })
        }
    }

    /// The name of a unit code.
    pub fn unit_name(&self, code: &str) -> String {
        self.unit_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    fn context(&self, report: &ReportOut) -> String {
        if self.title_context.trim().is_empty() {
            default_context(report, &|c| self.unit_name(c))
        } else {
            self.title_context.clone()
        }
    }
}

/// "form title · unit · period · n = …" from the report itself.
pub fn default_context(report: &ReportOut, unit_name: &dyn Fn(&str) -> String) -> String {
    let mut parts = vec![report.form_title.clone()];
    if let Some(unit) = &report.selection.unit {
        parts.push(unit_name(unit));
    }
    let period = match (&report.selection.from, &report.selection.to) {
        (Some(f), Some(t)) => Some(format!("từ {f} đến trước {t}")),
        (Some(f), None) => Some(format!("từ {f}")),
        (None, Some(t)) => Some(format!("đến trước {t}")),
        (None, None) => None,
    };
    parts.extend(period);
    parts.push(format!("n = {}", labels::count(report.responses)));
    parts.join(" · ")
}

/// In a grouped report, which group the single-group charts show ("Đơn vị: Xã An Phú").
fn first_group_note(report: &ReportOut, options: &ChartOptions) -> Option<String> {
    let (name, value) = first_group(report)?.key.iter().next()?;
    let value = match value {
        serde_json::Value::String(v) if name == "unit" => options.unit_name(v),
        serde_json::Value::String(v) if name == "channel" => labels::channel(v).to_string(),
        serde_json::Value::String(v) if name == "period" => labels::period(v),
        serde_json::Value::String(v) => v.clone(),
        serde_json::Value::Null => "không xác định".to_string(),
        other => other.to_string(),
    };
    let name = match name.as_str() {
        "unit" => "Đơn vị",
        "period" => "Kỳ",
        "channel" => "Kênh",
        other => other,
    };
    Some(format!("{name}: {value}"))
}

/// The first group (the whole selection in an ungrouped report), if any.
pub(crate) fn first_group(report: &ReportOut) -> Option<&GroupOut> {
    report.groups.first()
}

static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers DejaVu Sans (regular and bold) as plotters' "sans-serif", once.
pub fn register_fonts() -> Result<(), ChartError> {
    FONTS
        .get_or_init(|| {
            let regular = plotters::style::register_font(
                "sans-serif",
                FontStyle::Normal,
                dejavu::sans::regular(),
            );
            let bold =
                plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
            regular
                .and(bold)
                .map_err(|_| "DejaVu Sans could not be loaded".to_string())
        })
        .clone()
        .map_err(ChartError::Font)
}

/// Draws one chart kind on any plotters area (the pure part: `render` adds the encoding).
/// `raster`: a pixel backend, whose text is drawn by `glyphs` (see there why).
pub fn draw<DB: DrawingBackend>(
    kind: ChartKind,
    area: &DrawingArea<DB, Shift>,
    report: &ReportOut,
    options: &ChartOptions,
    raster: bool,
) -> Result<(), ChartError> {
    register_fonts()?;
    area.fill(&style::WHITE)
        .map_err(|e| ChartError::Draw(e.to_string()))?;
    let mut context = options.context(report);
    if matches!(
        kind,
        ChartKind::Elements | ChartKind::Items | ChartKind::Distribution | ChartKind::Expectations
    ) {
        if let Some(note) = first_group_note(report, options) {
            context = format!("{context} · {note}");
        }
    }
    match kind {
        ChartKind::Elements => elements(area, report, &context, raster),
        ChartKind::Items => items(area, report, &context, raster),
        ChartKind::Trend => trend(area, report, &context, raster),
        ChartKind::Units => units(area, report, &context, &|c| options.unit_name(c), raster),
        ChartKind::Distribution => {
            distribution(area, report, &context, &options.scale_labels, raster)
        }
        ChartKind::Expectations => {
            expectations(area, report, &context, &options.expectation_labels, raster)
        }
    }?;
    area.present().map_err(|e| ChartError::Draw(e.to_string()))
}

/// A chart as PNG or SVG bytes.
pub fn render(
    kind: ChartKind,
    format: ChartFormat,
    report: &ReportOut,
    options: &ChartOptions,
) -> Result<Vec<u8>, ChartError> {
    options.check_size()?;
    let size = (options.width, options.height);
    match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(kind, &area, report, options, false)?;
            }
            Ok(svg_fonts(&svg).into_bytes())
        }
        ChartFormat::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let area = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                draw(kind, &area, report, options, true)?;
            }
            encode_png(&rgb, size)
        }
    }
}

/// Names Vietnamese-capable families before the generic one in plotters' SVG.
pub fn svg_fonts(svg: &str) -> String {
    svg.replace(
        "font-family=\"sans-serif\"",
        &format!("font-family=\"{SVG_FONT_FAMILY}\""),
    )
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let enc = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header().map_err(enc)?;
        writer.write_image_data(rgb).map_err(enc)?;
        writer.finish().map_err(enc)?;
    }
    Ok(out)
}
