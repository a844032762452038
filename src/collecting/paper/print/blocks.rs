//! The pieces of a sheet's body (a heading, a question with its boxes, a row of a rating table)
//! as drawing operations relative to their own top, and their pagination onto A4 pages.

use super::text::{Face, Metrics};

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 40.0;
/// The band at the top of every page: the unit, the sheet number and its QR code.
pub const HEADER_H: f32 = 70.0;
/// The band at the bottom of every page: the sheet number and the page.
pub const FOOTER_H: f32 = 18.0;
pub const BODY_TOP: f32 = MARGIN + HEADER_H + 10.0;
pub const BODY_BOTTOM: f32 = PAGE_H - MARGIN - FOOTER_H;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// One drawing operation; `y` grows downwards from the top of its block (then of its page).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text whose baseline is at `y`.
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        text: String,
    },
    /// An empty square to tick, top-left at (`x`, `y`).
    Square { x: f32, y: f32, side: f32 },
    /// A straight line; `light` ones are grey and thin (row separators), the others black.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        light: bool,
    },
}

impl Op {
    fn shifted(&self, dy: f32) -> Op {
        let mut op = self.clone();
        match &mut op {
            Op::Text { y, .. } | Op::Square { y, .. } => *y += dy,
            Op::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
        op
    }
}

/// A piece of the body that is never split across pages.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub ops: Vec<Op>,
    pub height: f32,
    /// Goes on the same page as the next block (a heading and its first question).
    pub keep_with_next: bool,
    /// A row of a table: the table's column header (a block) is drawn again above it when the
    /// row starts a page.
    pub header: Option<usize>,
}

/// Writes blocks: text with its line height, squares, lines.
pub struct Pen<'m> {
    pub metrics: &'m Metrics,
    pub block: Block,
}

/// The line height of a text size.
pub fn leading(size: f32) -> f32 {
    size * 1.32
}

impl<'m> Pen<'m> {
    pub fn new(metrics: &'m Metrics) -> Pen<'m> {
        Pen {
            metrics,
            block: Block::default(),
        }
    }

    /// Wrapped text from `x`, `width` wide, its first line's top at `top`; returns the bottom.
    pub fn text(&mut self, face: Face, size: f32, text: &str, x: f32, width: f32, top: f32) -> f32 {
        let lines = self.metrics.wrap(face, size, text, width);
        let mut y = top;
        for line in lines {
            y += leading(size);
            self.line_at(face, size, line, x, y - size * 0.3);
        }
        self.block.height = self.block.height.max(y);
        y
    }

    /// Wrapped text centred in the column [`x`, `x + width`]; returns the bottom.
    pub fn centred(
        &mut self,
        face: Face,
        size: f32,
        text: &str,
        x: f32,
        width: f32,
        top: f32,
    ) -> f32 {
        let lines = self.metrics.wrap(face, size, text, width);
        let mut y = top;
        for line in lines {
            y += leading(size);
            let w = self.metrics.width(face, size, &line);
            self.line_at(
                face,
                size,
                line,
                x + (width - w).max(0.0) / 2.0,
                y - size * 0.3,
            );
        }
        self.block.height = self.block.height.max(y);
        y
    }

    /// One line of text, baseline at `y`.
    pub fn line_at(&mut self, face: Face, size: f32, text: String, x: f32, y: f32) {
        if !text.is_empty() {
            self.block.ops.push(Op::Text {
                x,
                y,
                face,
                size,
                text,
            });
        }
    }

    pub fn square(&mut self, x: f32, y: f32, side: f32) {
        self.block.ops.push(Op::Square { x, y, side });
        self.block.height = self.block.height.max(y + side);
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, light: bool) {
        self.block.ops.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            light,
        });
        self.block.height = self.block.height.max(y1.max(y2));
    }

    /// The block, `space` points taller (the gap below it).
    pub fn finish(mut self, space: f32) -> Block {
        self.block.height += space;
        self.block
    }
}

/// Places the blocks on pages (body area only): a block that does not fit starts a new page,
/// and so does a heading whose next block would not fit with it; a table row starting a page
/// gets its table's header again.
pub fn paginate(blocks: &[Block]) -> Vec<Vec<Op>> {
    let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
    let mut y = BODY_TOP;
    let mut i = 0;
    while i < blocks.len() {
        // The run of blocks kept together from i.
        let mut end = i;
        while blocks[end].keep_with_next && end + 1 < blocks.len() {
            end += 1;
        }
        let run: f32 = blocks[i..=end].iter().map(|b| b.height).sum();
        let page_has_content = y > BODY_TOP;
        if page_has_content && y + run > BODY_BOTTOM {
            pages.push(Vec::new());
            y = BODY_TOP;
            if let Some(h) = blocks[i].header {
                place(&mut pages, &blocks[h], &mut y);
            }
        }
        for block in &blocks[i..=end] {
            place(&mut pages, block, &mut y);
        }
        i = end + 1;
    }
    pages
}

fn place(pages: &mut [Vec<Op>], block: &Block, y: &mut f32) {
    if let Some(page) = pages.last_mut() {
        page.extend(block.ops.iter().map(|op| op.shifted(*y)));
    }
    *y += block.height;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(height: f32, keep: bool) -> Block {
        Block {
            ops: vec![Op::Square {
                x: 0.0,
                y: 0.0,
                side: 1.0,
            }],
            height,
            keep_with_next: keep,
            header: None,
        }
    }

    #[test]
    fn blocks_that_do_not_fit_start_a_page_and_headings_stay_with_their_question() {
        let body = BODY_BOTTOM - BODY_TOP;
        let pages = paginate(&[
            block(body - 30.0, false),
            block(20.0, true),
            block(20.0, false),
        ]);
        assert_eq!(pages.len(), 2, "the heading moved with its question");
        assert_eq!(pages[0].len(), 1);
        assert_eq!(pages[1].len(), 2);
        assert_eq!(
            pages[1][0],
            Op::Square {
                x: 0.0,
                y: BODY_TOP,
                side: 1.0
            }
        );
        let mut row = block(40.0, false);
        row.header = Some(0);
        let pages = paginate(&[block(10.0, false), block(body - 20.0, false), row]);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].len(), 2, "the header again, then the row");
    }
}
