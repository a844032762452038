//! HTML pages as the tests read them: a fetched [`Page`] (status, content type, parsed document)
//! and small helpers over `scraper` elements.

use reqwest::header::CONTENT_TYPE;
use scraper::{ElementRef, Html, Selector};

use super::TestApp;

/// A fetched page: status, content type and the parsed document.
pub struct Page {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub doc: Html,
}

impl Page {
    pub async fn from(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.text().await.expect("body");
        let doc = Html::parse_document(&body);
        Page {
            status,
            content_type,
            body,
            doc,
        }
    }

    /// GETs `path` from the app and reads the page.
    pub async fn get(app: &TestApp, path: &str) -> Page {
        Page::from(app.get(path).await).await
    }

    pub fn all(&self, selector: &str) -> Vec<ElementRef<'_>> {
        all(&self.doc, selector)
    }

    /// The single element matching `selector`; fails when there are none or several.
    pub fn one(&self, selector: &str) -> ElementRef<'_> {
        let found = self.all(selector);
        assert_eq!(
            found.len(),
            1,
            "exactly one {selector:?} in the page:\n{}",
            self.body
        );
        found[0]
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.all(selector).is_empty()
    }

    /// The value of a hidden input of the form.
    pub fn hidden(&self, name: &str) -> String {
        attr(
            self.one(&format!("form input[type=hidden][name={name}]")),
            "value",
        )
        .to_string()
    }

    /// An HTML page in Vietnamese with this status.
    pub fn assert_html(&self, status: u16) {
        assert_eq!(self.status, status, "status; page:\n{}", self.body);
        assert!(
            self.content_type.starts_with("text/html"),
            "content type {:?}",
            self.content_type
        );
        assert!(
            self.body.contains("<html lang=\"vi\">"),
            "lang=vi:\n{}",
            self.body
        );
        assert!(self.has("h1"), "a heading:\n{}", self.body);
    }

    /// The thank-you page after a stored submission: 201, no form left to post.
    pub fn assert_thank_you(&self) {
        self.assert_html(201);
        assert!(
            self.body.contains("Cảm ơn"),
            "thank-you page:\n{}",
            self.body
        );
        assert!(
            !self.has("form[method=post]"),
            "no form on the thank-you page"
        );
    }
}

pub fn sel(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector:?}: {e:?}"))
}

/// Every element of `doc` matching `selector`.
pub fn all<'a>(doc: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(selector)).collect()
}

/// The single element of `doc` matching `selector`; fails when there are none or several.
pub fn one<'a>(doc: &'a Html, selector: &str) -> ElementRef<'a> {
    let found = all(doc, selector);
    assert_eq!(
        found.len(),
        1,
        "exactly one {selector:?} in\n{}",
        doc.html()
    );
    found[0]
}

/// The attribute `name` of `element`; fails when it is absent.
pub fn attr<'a>(element: ElementRef<'a>, name: &str) -> &'a str {
    element
        .value()
        .attr(name)
        .unwrap_or_else(|| panic!("{name} on {:?}", element.value()))
}

/// The text of `element` and its descendants.
pub fn text(element: ElementRef<'_>) -> String {
    element.text().collect()
}
