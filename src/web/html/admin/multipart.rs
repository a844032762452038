//! `multipart/form-data` bodies of the administration pages' file uploads (a form file, a unit
//! tree), read whole within a size limit. Only what browsers send: parts with a
//! `Content-Disposition: form-data; name="…"` header and an optional `filename`.

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::web::error::ApiError;

/// One part of the body: a field, or a file when it has a file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// The parts of a body, in order.
#[derive(Debug, Clone, Default)]
pub struct Parts(pub Vec<Part>);

impl Parts {
    /// The first part of this name.
    pub fn get(&self, name: &str) -> Option<&Part> {
        self.0.iter().find(|p| p.name == name)
    }

    /// A text field (lossy UTF-8).
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|p| String::from_utf8_lossy(&p.data).into_owned())
    }
}

fn malformed(detail: &str) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "malformed_body",
        format!("Không đọc được nội dung gửi lên: {detail}"),
        format!("The multipart body cannot be read: {detail}"),
    )
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let media = pieces.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// Reads a `multipart/form-data` body of at most `limit` bytes (415 for another media type,
/// 413 over the limit, 400 when it does not parse).
pub async fn read_multipart(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Parts, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = boundary(content_type)
        .ok_or_else(|| ApiError::unsupported_media_type("multipart/form-data"))?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| malformed(&e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    parse(&body, &boundary).map_err(malformed)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A parameter of a `Content-Disposition` header: `name="value"` (quoted, `\"` escapes) or bare.
fn disposition_param(header: &str, wanted: &str) -> Option<String> {
    let mut rest = header;
    while let Some(i) = rest.find(';') {
        rest = rest[i + 1..].trim_start();
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        if key.eq_ignore_ascii_case(wanted) {
            return Some(value);
        }
        rest = remaining;
    }
    None
}

/// Splits a body into its parts.
pub fn parse(body: &[u8], boundary: &str) -> Result<Parts, &'static str> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = {
        let mut d = b"\r\n".to_vec();
        d.extend_from_slice(&delimiter);
        d
    };
    // The first delimiter may open the body without the leading CRLF.
    let mut pos = if body.starts_with(&delimiter) {
        delimiter.len()
    } else {
        find(body, &next_delimiter, 0).ok_or("no boundary")? + next_delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(Parts(parts));
        }
        // Transport padding, then CRLF.
        while body.get(pos).is_some_and(|b| *b == b' ' || *b == b'\t') {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("a boundary is not followed by a line break");
        }
        pos += 2;
        let headers_end = find(body, b"\r\n\r\n", pos).ok_or("a part has no end of headers")?;
        let headers = std::str::from_utf8(&body[pos..headers_end])
            .map_err(|_| "part headers are not UTF-8")?;
        let mut name = None;
        let mut filename = None;
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(value, "name");
                filename = disposition_param(value, "filename");
            }
        }
        let data_start = headers_end + 4;
        let data_end =
            find(body, &next_delimiter, data_start).ok_or("a part has no closing boundary")?;
        parts.push(Part {
            name: name.ok_or("a part has no name")?,
            filename,
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + next_delimiter.len();
        if parts.len() > 100 {
            return Err("too many parts");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".toml\"\r\n\
                    Content-Type: application/octet-stream\r\n\r\nid = \"x\"\r\n\r\n--XyZ--\r\n";
        let parts = parse(body.as_bytes(), "XyZ").unwrap();
        assert_eq!(parts.text("csrf").as_deref(), Some("abc"));
        let file = parts.get("file").unwrap();
        assert_eq!(file.filename.as_deref(), Some("a \"b\".toml"));
        assert_eq!(file.data, b"id = \"x\"\r\n");
    }

    #[test]
    fn refuses_broken_bodies() {
        assert!(parse(b"nothing here", "XyZ").is_err());
        assert!(parse(
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            "XyZ"
        )
        .is_err());
        assert!(parse(
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx",
            "XyZ"
        )
        .is_err());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"ab c\"").as_deref(),
            Some("ab c")
        );
        assert_eq!(boundary("text/plain; boundary=x"), None);
    }
}
