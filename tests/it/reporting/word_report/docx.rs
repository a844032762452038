//! A small reader of the `.docx` a báo cáo is: its zip parts, the body's paragraphs (style and
//! text) and tables (the text of each cell) in document order, the section's properties, the
//! parts its relationships name and the pictures it embeds.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";

/// A paragraph of the body: its style id, its text and the relationship ids of its pictures.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub style: Option<String>,
    pub text: String,
    pub images: Vec<String>,
}

/// What the body holds, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    /// Rows of cells; a cell's paragraphs are joined with `\n`.
    Table(Vec<Vec<String>>),
}

/// The page of the (single) section: size, margins in twips, a first page of its own, and the
/// header parts by type (`default`, `first`).
#[derive(Debug)]
pub struct Section {
    pub page: (String, String),
    /// top, right, bottom, left.
    pub margins: [String; 4],
    pub title_page: bool,
    pub headers: BTreeMap<String, String>,
}

/// The parts of a `.docx`, by name.
pub struct Docx {
    parts: BTreeMap<String, Vec<u8>>,
}

fn is_w(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(W) && node.tag_name().name() == name
}

fn w_children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is_w(c, name))
}

fn w_child<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    w_children(node, name).next()
}

fn w_val(node: Node<'_, '_>, attribute: &str) -> Option<String> {
    node.attribute((W, attribute)).map(str::to_string)
}

/// The text of a paragraph: its `w:t` runs (not field instructions), tabs as `\t`.
fn paragraph_text(p: Node<'_, '_>) -> String {
    p.descendants()
        .filter_map(|n| {
            if is_w(&n, "t") {
                Some(n.text().unwrap_or("").to_string())
            } else if is_w(&n, "tab") && n.parent().is_some_and(|r| is_w(&r, "r")) {
                Some("\t".to_string())
            } else {
                None
            }
        })
        .collect()
}

fn paragraph(p: Node<'_, '_>) -> Para {
    let style = w_child(p, "pPr")
        .and_then(|ppr| w_child(ppr, "pStyle"))
        .and_then(|s| w_val(s, "val"));
    let images = p
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(A))
        .filter(|n| n.tag_name().name() == "blip")
        .filter_map(|n| n.attribute((R, "embed")).map(str::to_string))
        .collect();
    Para {
        style,
        text: paragraph_text(p),
        images,
    }
}

fn table(tbl: Node<'_, '_>) -> Vec<Vec<String>> {
    w_children(tbl, "tr")
        .map(|tr| {
            w_children(tr, "tc")
                .map(|tc| {
                    let texts: Vec<String> = w_children(tc, "p").map(paragraph_text).collect();
                    texts.join("\n")
                })
                .collect()
        })
        .collect()
}

impl Docx {
    /// Opens the zip (its files; folders are no parts); fails the test when it is not one.
    pub fn read(bytes: &[u8]) -> Docx {
        assert!(bytes.starts_with(b"PK\x03\x04"), "a .docx is a zip file");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("the .docx opens as zip");
        let mut parts = BTreeMap::new();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).expect("a zip entry");
            if file.is_dir() {
                continue;
            }
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("the entry inflates");
            parts.insert(file.name().to_string(), content);
        }
        Docx { parts }
    }

    pub fn names(&self) -> Vec<&str> {
        self.parts.keys().map(String::as_str).collect()
    }

    pub fn bytes(&self, name: &str) -> &[u8] {
        self.parts
            .get(name)
            .unwrap_or_else(|| panic!("part {name} in {:?}", self.names()))
    }

    /// A part as UTF-8 text.
    pub fn xml(&self, name: &str) -> &str {
        std::str::from_utf8(self.bytes(name)).unwrap_or_else(|e| panic!("{name} is UTF-8: {e}"))
    }

    /// `word/document.xml`, checked to parse.
    pub fn document_xml(&self) -> &str {
        let xml = self.xml("word/document.xml");
        Document::parse(xml).expect("word/document.xml parses");
        xml
    }

    /// The body's paragraphs and tables, in order.
    pub fn blocks(&self) -> Vec<Block> {
        let doc = Document::parse(self.document_xml()).unwrap();
        let body = w_child(doc.root_element(), "body").expect("w:body");
        body.children()
            .filter_map(|n| {
                if is_w(&n, "p") {
                    Some(Block::Para(paragraph(n)))
                } else if is_w(&n, "tbl") {
                    Some(Block::Table(table(n)))
                } else {
                    None
                }
            })
            .collect()
    }

    /// The body's top-level paragraphs.
    pub fn paragraphs(&self) -> Vec<Para> {
        self.blocks()
            .into_iter()
            .filter_map(|b| match b {
                Block::Para(p) => Some(p),
                Block::Table(_) => None,
            })
            .collect()
    }

    /// The texts of the paragraphs of style `style`.
    pub fn styled(&self, style: &str) -> Vec<String> {
        self.paragraphs()
            .into_iter()
            .filter(|p| p.style.as_deref() == Some(style))
            .map(|p| p.text)
            .collect()
    }

    /// Every text of the document (paragraphs and cells), one paragraph a line.
    pub fn text(&self) -> String {
        let doc = Document::parse(self.document_xml()).unwrap();
        let lines: Vec<String> = doc
            .descendants()
            .filter(|n| is_w(n, "p"))
            .map(paragraph_text)
            .collect();
        lines.join("\n")
    }

    /// The table under the caption "Bảng N. {caption}" (the caption's number checked to follow
    /// the previous table's).
    pub fn table_under(&self, caption: &str) -> Vec<Vec<String>> {
        let blocks = self.blocks();
        let mut number = 0;
        for (i, block) in blocks.iter().enumerate() {
            let Block::Para(p) = block else { continue };
            if p.style.as_deref() != Some("Caption") || !p.text.starts_with("Bảng ") {
                continue;
            }
            number += 1;
            let (label, rest) = p.text.split_once(". ").expect("Bảng N. …");
            assert_eq!(label, format!("Bảng {number}"), "tables numbered in order");
            if rest == caption {
                return match blocks.get(i + 1) {
                    Some(Block::Table(t)) => t.clone(),
                    other => panic!("a table after the caption {caption:?}, got {other:?}"),
                };
            }
        }
        panic!(
            "no table captioned {caption:?} in {:?}",
            self.styled("Caption")
        )
    }

    /// The body paragraphs after the heading `heading` up to the next heading.
    pub fn under_heading(&self, heading: &str) -> Vec<String> {
        let paragraphs = self.paragraphs();
        let is_heading = |p: &Para| matches!(p.style.as_deref(), Some("Heading1" | "Heading2"));
        let start = paragraphs
            .iter()
            .position(|p| is_heading(p) && p.text == heading)
            .unwrap_or_else(|| panic!("a heading {heading:?}"));
        paragraphs[start + 1..]
            .iter()
            .take_while(|p| !is_heading(p))
            .filter(|p| p.style.as_deref() == Some("BodyText"))
            .map(|p| p.text.clone())
            .collect()
    }

    /// The body's section properties (`w:sectPr`).
    pub fn section(&self) -> Section {
        let doc = Document::parse(self.document_xml()).unwrap();
        let body = w_child(doc.root_element(), "body").expect("w:body");
        let sect = w_child(body, "sectPr").expect("the body's w:sectPr");
        let size = w_child(sect, "pgSz").expect("w:pgSz");
        let margins = w_child(sect, "pgMar").expect("w:pgMar");
        let margin = |side: &str| w_val(margins, side).unwrap_or_default();
        Section {
            page: (
                w_val(size, "w").unwrap_or_default(),
                w_val(size, "h").unwrap_or_default(),
            ),
            margins: [
                margin("top"),
                margin("right"),
                margin("bottom"),
                margin("left"),
            ],
            title_page: w_child(sect, "titlePg")
                .is_some_and(|t| w_val(t, "val").is_none_or(|v| v != "false" && v != "0")),
            headers: w_children(sect, "headerReference")
                .map(|h| {
                    let kind = w_val(h, "type").unwrap_or_else(|| "default".into());
                    let id = h.attribute((R, "id")).expect("r:id").to_string();
                    (kind, id)
                })
                .collect(),
        }
    }

    /// The targets of `word/document.xml`'s relationships, by id, as part names.
    pub fn relationships(&self) -> BTreeMap<String, String> {
        let xml = self.xml("word/_rels/document.xml.rels");
        let doc = Document::parse(xml).expect("the relationships parse");
        doc.descendants()
            .filter(|n| n.tag_name().name() == "Relationship")
            .map(|n| {
                let target = n.attribute("Target").unwrap_or("");
                let part = target
                    .strip_prefix('/')
                    .map_or_else(|| format!("word/{target}"), str::to_string);
                (n.attribute("Id").unwrap_or("").to_string(), part)
            })
            .collect()
    }

    /// The part a relationship id of the document names.
    pub fn related(&self, id: &str) -> &[u8] {
        let rels = self.relationships();
        let part = rels
            .get(id)
            .unwrap_or_else(|| panic!("relationship {id} in {rels:?}"));
        self.bytes(part)
    }

    /// The pictures of the body, in order: the bytes of each embedded image.
    pub fn pictures(&self) -> Vec<&[u8]> {
        self.paragraphs()
            .iter()
            .flat_map(|p| p.images.clone())
            .map(|id| self.related(&id))
            .collect()
    }

    /// The text of a header or footer part (by relationship id) and whether it has a `PAGE`
    /// field.
    pub fn header(&self, id: &str) -> (String, bool) {
        let xml = std::str::from_utf8(self.related(id)).expect("the header is UTF-8");
        let doc = Document::parse(xml).expect("the header parses");
        let text = doc
            .descendants()
            .filter(|n| is_w(n, "p"))
            .map(paragraph_text)
            .collect::<Vec<_>>()
            .join("\n");
        let page_field = doc.descendants().any(|n| {
            (is_w(&n, "instrText") && n.text().is_some_and(|t| t.trim() == "PAGE"))
                || (is_w(&n, "fldSimple")
                    && w_val(n, "instr").is_some_and(|i| i.trim().starts_with("PAGE")))
        });
        (text, page_field)
    }

    /// The default run properties of `word/styles.xml`: (fonts ascii, hAnsi, size).
    pub fn default_run(&self) -> (Option<String>, Option<String>, Option<String>) {
        let doc = Document::parse(self.xml("word/styles.xml")).expect("styles.xml parses");
        let rpr = doc
            .descendants()
            .find(|n| is_w(n, "rPrDefault"))
            .and_then(|d| w_child(d, "rPr"))
            .expect("w:docDefaults/w:rPrDefault/w:rPr");
        let fonts = w_child(rpr, "rFonts");
        (
            fonts.and_then(|f| w_val(f, "ascii")),
            fonts.and_then(|f| w_val(f, "hAnsi")),
            w_child(rpr, "sz").and_then(|s| w_val(s, "val")),
        )
    }

    /// The paragraph style ids of `word/styles.xml`.
    pub fn paragraph_styles(&self) -> Vec<String> {
        let doc = Document::parse(self.xml("word/styles.xml")).expect("styles.xml parses");
        doc.descendants()
            .filter(|n| is_w(n, "style") && w_val(*n, "type").as_deref() == Some("paragraph"))
            .filter_map(|n| w_val(n, "styleId"))
            .collect()
    }
}
