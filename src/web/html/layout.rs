//! The page shell and its stylesheet (inline: one request on a weak network).

use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Large touch targets (≥ 44 px), visible focus, AA contrast, readable on a 360 px screen.
const CSS: &str = r#"
*{box-sizing:border-box}
html{font-size:112.5%}
body{margin:0;font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;line-height:1.5;color:#1a1a1a;background:#f4f6f8}
header.site{background:#8b1a1a;color:#fff;padding:.6rem 1rem}
header.site p{margin:0;font-weight:600}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem;border-bottom:2px solid #8b1a1a}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.15)}
fieldset{border:1px solid #c4c9cf;border-radius:.5rem;margin:0 0 1rem;padding:.5rem .75rem .75rem;background:#fff}
legend{float:left;width:100%;font-weight:600;padding:.25rem 0 .5rem}
legend+*{clear:both}
.hint{color:#4a4f55;font-size:.9rem;margin:.25rem 0}
.opts{display:flex;flex-direction:column;gap:.35rem}
label.opt{display:flex;align-items:center;gap:.6rem;min-height:44px;padding:.35rem .6rem;border:1px solid #c4c9cf;border-radius:.4rem;cursor:pointer;background:#fff}
label.opt:hover{border-color:#8b1a1a}
input[type=radio]{width:1.5rem;height:1.5rem;margin:0;flex:none;accent-color:#8b1a1a}
input:focus-visible,select:focus-visible,textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
label.opt:has(input:checked){border-color:#8b1a1a;background:#fbeaea;font-weight:600}
select,textarea{width:100%;font:inherit;min-height:44px;padding:.4rem;border:1px solid #6b7178;border-radius:.4rem;background:#fff}
textarea{min-height:7rem}
button,.button{display:inline-block;font:inherit;font-weight:700;min-height:48px;min-width:8rem;padding:.6rem 1.4rem;border:0;border-radius:.5rem;background:#8b1a1a;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
.error-summary{border:3px solid #b00020;background:#fff;padding:.75rem 1rem;margin:0 0 1rem;border-radius:.5rem}
.error-summary h2{border:0;margin:0 0 .5rem;color:#b00020}
.err{color:#b00020;font-weight:600;margin:.25rem 0}
fieldset.invalid{border:2px solid #b00020}
.req{color:#4a4f55;font-weight:400;font-size:.9rem}
.routed-note{font-style:italic}
a{color:#0b57d0}
@media (min-width:40rem){.opts.scale{flex-direction:row;flex-wrap:wrap}.opts.scale label.opt{flex:1 1 8rem}}
@media print{header.site,button{display:none}body{background:#fff}}
"#;

/// A complete page. `extra_css` carries per-form routing rules; `refresh` is a kiosk's return to a
/// fresh form (seconds, URL).
pub fn page(
    title: &str,
    body: Markup,
    extra_css: Option<&str>,
    refresh: Option<(u32, &str)>,
) -> String {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some((seconds, url)) = refresh {
                    meta http-equiv="refresh" content={ (seconds) "; url=" (url) };
                }
                title { (title) }
                style { (PreEscaped(CSS)) @if let Some(css) = extra_css { (PreEscaped(css)) } }
            }
            body {
                header.site { p { "Khảo sát sự hài lòng của người dân, tổ chức (SIPAS)" } }
                main #main { (body) }
            }
        }
    }
    .into_string()
}
