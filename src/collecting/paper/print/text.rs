//! The sheets' fonts (DejaVu Sans, embedded and subsetted in the PDF) and their metrics: the
//! width of a text at a size, and a text wrapped to a column.

use ab_glyph::{Font as _, FontRef};

/// The faces a sheet uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    Oblique,
}

impl Face {
    pub const ALL: [Face; 3] = [Face::Regular, Face::Bold, Face::Oblique];

    /// The TrueType bytes of the face.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => dejavu::sans::regular(),
            Face::Bold => dejavu::sans::bold(),
            Face::Oblique => dejavu::sans::oblique(),
        }
    }
}

/// The metrics of the three faces.
pub struct Metrics {
    faces: Vec<FontRef<'static>>,
}

impl Metrics {
    /// `None` if a font does not parse (it is compiled in: never on a real build).
    pub fn load() -> Option<Metrics> {
        let faces = Face::ALL
            .iter()
            .map(|f| FontRef::try_from_slice(f.bytes()).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Metrics { faces })
    }

    fn font(&self, face: Face) -> &FontRef<'static> {
        &self.faces[face as usize]
    }

    /// The width of `text` in points at `size` (advances and pair kerning, as the PDF draws it).
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = self.font(face);
        let per_unit = size / font.units_per_em().unwrap_or(2048.0);
        let mut previous = None;
        let mut units = 0.0;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                units += font.kern_unscaled(p, id);
            }
            units += font.h_advance_unscaled(id);
            previous = Some(id);
        }
        units * per_unit
    }

    /// `text` broken into lines no wider than `width` points, at spaces (a word longer than the
    /// line is broken between characters). Never empty.
    pub fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(face, size, &candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = self.break_word(face, size, word, width, &mut lines);
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Pushes the full-width pieces of a word too long for a line; returns the rest.
    fn break_word(
        &self,
        face: Face,
        size: f32,
        word: &str,
        width: f32,
        lines: &mut Vec<String>,
    ) -> String {
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if self.width(face, size, &piece) > width && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        piece
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_width_and_keep_every_word() {
        let m = Metrics::load().unwrap();
        let text = "Cán bộ, công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo và đúng quy định";
        let lines = m.wrap(Face::Regular, 10.0, text, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(m.width(Face::Regular, 10.0, line) <= 120.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
        let long = m.wrap(Face::Bold, 10.0, &"x".repeat(80), 50.0);
        assert!(long.len() > 3);
        assert_eq!(long.concat(), "x".repeat(80));
        assert!(m.width(Face::Bold, 10.0, "Câu") > m.width(Face::Regular, 10.0, "Câu") * 0.99);
        assert_eq!(m.wrap(Face::Regular, 10.0, "", 50.0), vec![String::new()]);
    }
}
