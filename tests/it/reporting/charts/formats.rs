//! Every kind as a PNG and an SVG of the asked size; sizes out of bounds; kinds and formats parse;
//! sample files when asked.

use super::*;

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn every_kind_is_a_png_of_the_asked_size() {
    for kind in ChartKind::ALL {
        let report = report_for(kind);
        for (w, h) in [(1200, 700), (320, 240), (800, 1000)] {
            let bytes =
                render(kind, ChartFormat::Png, &report, &options(w, h)).expect("png renders");
            let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
            let mut reader = decoder.read_info().expect("a PNG");
            assert_eq!(
                (reader.info().width, reader.info().height),
                (w, h),
                "{kind:?}"
            );
            let mut pixels = vec![0; reader.output_buffer_size()];
            let frame = reader.next_frame(&mut pixels).expect("PNG data");
            let pixels = &pixels[..frame.buffer_size()];
            let step = frame.color_type.samples();
            let coloured = pixels
                .chunks(step)
                .filter(|p| p[0].abs_diff(p[1]) > 40 || p[1].abs_diff(p[2]) > 40)
                .count();
            assert!(
                coloured > 100,
                "{kind:?} {w}×{h}: the PNG shows coloured marks"
            );
        }
    }
}

#[test]
fn every_kind_is_an_svg_of_the_asked_size_with_vietnamese_fonts() {
    for kind in ChartKind::ALL {
        let svg = svg_of(kind, &report_for(kind), (1000, 640));
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let root = doc.root_element();
        assert!(root.has_tag_name("svg"));
        assert_eq!(root.attribute("width"), Some("1000"), "{kind:?}");
        assert_eq!(root.attribute("height"), Some("640"), "{kind:?}");
        assert!(
            !svg.contains("font-family=\"sans-serif\""),
            "{kind:?}: families named"
        );
        assert!(svg.contains("font-family=\"DejaVu Sans, Noto Sans, Arial, sans-serif\""));
        for t in texts(&doc) {
            assert_eq!(t, t.nfc().collect::<String>(), "{kind:?}: text in NFC");
        }
        let texts = texts(&doc).join("\n");
        assert!(
            texts.contains("Xã Phước Sơn · năm 2024 · n = 100"),
            "{kind:?}: title context"
        );
    }
}

#[test]
fn sizes_out_of_bounds_are_refused() {
    let report = whole();
    for (w, h) in [(319, 700), (3001, 700), (1200, 239), (1200, 2001), (0, 0)] {
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let got = render(ChartKind::Elements, format, &report, &options(w, h));
            assert!(
                matches!(got, Err(ChartError::BadSize { .. })),
                "{w}×{h} refused"
            );
        }
    }
    for (w, h) in [(320, 240), (3000, 2000)] {
        let svg = svg_of(ChartKind::Elements, &report, (w, h));
        assert!(svg.contains(&format!("width=\"{w}\" height=\"{h}\"")));
    }
}

#[test]
fn kinds_and_formats_parse() {
    for kind in ChartKind::ALL {
        assert_eq!(kind.as_str().parse::<ChartKind>().unwrap(), kind);
    }
    assert!(matches!(
        "pie".parse::<ChartKind>(),
        Err(ChartError::UnknownKind(_))
    ));
    assert_eq!("svg".parse::<ChartFormat>().unwrap(), ChartFormat::Svg);
    assert_eq!(
        "png".parse::<ChartFormat>().unwrap().content_type(),
        "image/png"
    );
    assert!("gif".parse::<ChartFormat>().is_err());
}

/// `SIPAS_CHART_DIR=/tmp cargo test --test charts` writes one PNG and SVG of each kind there
/// (`charts-<kind>.png`, `charts-<kind>-small.svg`, …), for looking at.
#[test]
fn writes_samples_when_asked() {
    let Ok(dir) = std::env::var("SIPAS_CHART_DIR") else {
        return;
    };
    for kind in ChartKind::ALL {
        let report = report_for(kind);
        let (w, h) = match kind {
            ChartKind::Distribution => (1200, 1000),
            _ => (1200, 700),
        };
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let bytes = render(kind, format, &report, &options(w, h)).expect("renders");
            let path = format!("{dir}/charts-{}.{}", kind.as_str(), format.as_str());
            std::fs::write(path, bytes).expect("write");
        }
        for format in [ChartFormat::Png, ChartFormat::Svg] {
            let small = render(kind, format, &report, &options(480, 320)).expect("small");
            let path = format!("{dir}/charts-{}-small.{}", kind.as_str(), format.as_str());
            std::fs::write(path, small).expect("write");
        }
    }
    let mut empty = whole();
    empty.groups.clear();
    let png = render(
        ChartKind::Elements,
        ChartFormat::Png,
        &empty,
        &options(800, 500),
    )
    .expect("png");
    std::fs::write(format!("{dir}/charts-empty.png"), png).expect("write");
}
