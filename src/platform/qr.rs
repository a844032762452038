//! QR codes for links (kiosks, invitations, counter sheets), as SVG or PNG.
//!
//! `qrcode` computes the modules; the two renderings are small enough to write here: SVG as one
//! path, PNG as an 8-bit grey image through the `png` crate (no image library needed).

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, as the standard asks.
const QUIET_ZONE: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text is too long for a QR code")]
    TooLong,
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

impl QrError {
    pub fn code(&self) -> &'static str {
        match self {
            QrError::TooLong => "qr_too_long",
            QrError::Png(_) => "qr_png_failed",
        }
    }
}

/// A QR code's modules (`true` = dark), `width` × `width`, without the quiet zone.
#[derive(Debug, Clone)]
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Encodes text (a URL) with error correction level M (15 %: survives a smudged print).
    pub fn encode(text: &str) -> Result<Qr, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| QrError::TooLong)?;
        Ok(Qr {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side including the quiet zone.
    pub fn size(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at (x, y) of the code (without quiet zone) is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The dark modules' (x, y) positions, including the quiet zone offset.
    pub fn dark_modules(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.width).flat_map(move |y| {
            (0..self.width)
                .filter(move |&x| self.is_dark(x, y))
                .map(move |x| (x + QUIET_ZONE, y + QUIET_ZONE))
        })
    }

    /// The dark modules merged into horizontal runs `(x, y, length)`, row by row, including the
    /// quiet zone offset: the same modules as [`Qr::dark_modules`], as fewer rectangles.
    pub fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for (x, y) in self.dark_modules() {
            match runs.last_mut() {
                Some((rx, ry, len)) if *ry == y && *rx + *len == x => *len += 1,
                _ => runs.push((x, y, 1)),
            }
        }
        runs
    }

    /// The SVG path data of the dark modules, one unit per module.
    pub fn svg_path(&self) -> String {
        let mut d = String::with_capacity(self.dark.len() * 4);
        for (x, y) in self.dark_modules() {
            d.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
        d
    }

    /// A standalone SVG document, `pixels` wide, scalable.
    pub fn svg(&self, pixels: u32) -> String {
        let n = self.size();
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" width=\"{pixels}\" height=\"{pixels}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"Mã QR\"><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{}\"/></svg>",
            self.svg_path()
        )
    }

    /// A PNG with `module_pixels` pixels per module.
    pub fn png(&self, module_pixels: u32) -> Result<Vec<u8>, QrError> {
        let scale = module_pixels.clamp(1, 64) as usize;
        let side = self.size() * scale;
        let mut pixels = vec![255u8; side * side];
        for (x, y) in self.dark_modules() {
            for dy in 0..scale {
                let row = (y * scale + dy) * side;
                pixels[row + x * scale..row + (x + 1) * scale].fill(0);
            }
        }
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder
                .write_header()
                .map_err(|e| QrError::Png(e.to_string()))?;
            writer
                .write_image_data(&pixels)
                .map_err(|e| QrError::Png(e.to_string()))?;
        }
        Ok(out)
    }

    /// `data:image/png;base64,…` for JSON answers and `<img src>`.
    pub fn png_data_uri(&self, module_pixels: u32) -> Result<String, QrError> {
        use base64::Engine;
        let png = self.png(module_pixels)?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }

    /// `data:image/svg+xml;base64,…`.
    pub fn svg_data_uri(&self) -> String {
        use base64::Engine;
        format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(self.svg(256))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let qr = Qr::encode("https://khaosat.example.vn/f/sipas-dich-vu?unit=phuoc-son").unwrap();
        let modules: Vec<(usize, usize)> = qr.dark_modules().collect();
        let runs = qr.dark_runs();
        let expanded: Vec<(usize, usize)> = runs
            .iter()
            .flat_map(|&(x, y, len)| (x..x + len).map(move |x| (x, y)))
            .collect();
        assert_eq!(expanded, modules);
        assert!(runs.len() < modules.len(), "runs merge neighbours");
        // The finder pattern's top row is one run of 7 modules after the quiet zone.
        assert_eq!(runs[0], (QUIET_ZONE, QUIET_ZONE, 7));
    }
}
