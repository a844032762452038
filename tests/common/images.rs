//! Images as the tests read them: `data:` URIs, the grey pixels of a PNG, the QR codes in it.

use base64::Engine;

/// The bytes of a `data:{mime};base64,…` URI.
pub fn data_uri_bytes(uri: &str, mime: &str) -> Vec<u8> {
    let prefix = format!("data:{mime};base64,");
    let encoded = uri
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{prefix}… expected, got {:.60}", uri));
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("valid base64")
}

/// The colour type of a PNG (8 bits per sample, or the test fails).
pub fn png_color_type(bytes: &[u8]) -> png::ColorType {
    let reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    let info = reader.info();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    info.color_type
}

/// The grey pixels of a PNG (grey, grey + alpha, RGB or RGBA, 8 bits), with its size.
pub fn grey_pixels(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let grey = buf[..w * h * channels]
        .chunks_exact(channels)
        .map(|p| p[0])
        .collect();
    (w, h, grey)
}

/// The texts of every QR code found in a PNG.
pub fn decode_qr(bytes: &[u8]) -> Vec<String> {
    let (w, h, grey) = grey_pixels(bytes);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("the QR code decodes").1)
        .collect()
}

/// Checks both QR data URIs of a registration or an invitation (`qr_png`, `qr_svg`): a PNG that
/// decodes to `url`, and an SVG document that draws something.
pub fn assert_qr_codes(body: &serde_json::Value, url: &str) {
    let png_bytes = data_uri_bytes(body["qr_png"].as_str().expect("qr_png"), "image/png");
    assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(
        decode_qr(&png_bytes),
        [url],
        "the PNG QR code holds the link"
    );

    let svg_bytes = data_uri_bytes(body["qr_svg"].as_str().expect("qr_svg"), "image/svg+xml");
    let svg = String::from_utf8(svg_bytes).expect("SVG is UTF-8");
    let doc = roxmltree::Document::parse(&svg).expect("the SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert!(
        doc.descendants().count() > 3,
        "the SVG draws something: {svg:.200}"
    );
}
