//! (b) The JSON API on arbitrary bodies.

use super::*;

// ---------------------------------------------------------------------------------------------
// (b) The JSON API on arbitrary bodies
// ---------------------------------------------------------------------------------------------

/// A request body and its content type.
#[derive(Debug, Clone)]
struct Body {
    content_type: &'static str,
    bytes: Vec<u8>,
}

fn json_body(v: &Value) -> Body {
    Body {
        content_type: "application/json",
        bytes: serde_json::to_vec(v).unwrap(),
    }
}

fn submission_like() -> impl Strategy<Value = Value> {
    let service = FORMS.iter().find(|f| f.id == "sipas-dich-vu").unwrap();
    let field = |s: BoxedStrategy<Value>| prop::option::weighted(0.8, s);
    (
        field(
            prop_oneof![
                Just(()).prop_map(|_| Value::from(uuid::Uuid::new_v4().to_string())),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                prop::sample::select(vec![
                    "phuoc-son",
                    "tuy-phuoc",
                    "binh-dinh",
                    "",
                    "PHUOC-SON",
                    "x"
                ])
                .prop_map(Value::from),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                prop::sample::select(vec!["phone", "web", "kiosk", "paper", "", "Phone", "sms"])
                    .prop_map(Value::from),
                json_value()
            ]
            .boxed(),
        ),
        field(
            prop_oneof![
                4 => answers_for(service).prop_map(Value::Object),
                1 => json_value()
            ]
            .boxed(),
        ),
        prop::option::weighted(
            0.2,
            prop_oneof![
                prop::sample::select(vec![
                    "2024-05-02T09:30:00+07:00",
                    "2999-01-01T00:00:00Z",
                    "0000-01-01T00:00:00Z",
                    "2024-13-45T99:99:99Z",
                    "yesterday",
                ])
                .prop_map(Value::from),
                json_value()
            ],
        ),
        prop::option::weighted(0.1, json_value()),
        prop::option::weighted(0.1, ("\\PC{1,8}", json_value())),
    )
        .prop_map(
            |(client_id, unit, channel, answers, at, invitation, extra)| {
                let mut m = Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        m.insert(k.to_string(), v);
                    }
                };
                put("client_id", client_id);
                put("unit", unit);
                put("channel", channel);
                put("answers", answers);
                put("submitted_at", at);
                put("invitation", invitation);
                if let Some((k, v)) = extra {
                    m.insert(k, v);
                }
                Value::Object(m)
            },
        )
}

/// Raw JSON texts serde_json's `Value` cannot produce: huge and odd numbers, duplicate keys,
/// deep nesting, lone surrogates, trailing garbage.
fn raw_json() -> impl Strategy<Value = Body> {
    let valid = valid_submission();
    let head = format!(
        r#"{{"client_id":"{}","unit":"phuoc-son","channel":"web","answers":{{"da_pakn":"khong","TC1":"#,
        uuid::Uuid::new_v4()
    );
    let _ = valid;
    prop_oneof![
        prop::sample::select(vec![
            "123456789012345678901234567890",
            "1e400",
            "-1e400",
            "5.0000000000000000000000001",
            "4.99999999999999999999999",
            "18446744073709551616",
            "-9223372036854775809",
            "0x5",
            "NaN",
            "Infinity",
            "05",
            "+5",
            "5e0",
            "\"5\"",
            "[5]",
            "{\"v\":5}",
            "true",
        ])
        .prop_map(move |n| format!("{head}{n}}}}}")),
        (1usize..200_000).prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth))),
        (1usize..5_000).prop_map(|depth| format!(
            r#"{{"unit":"phuoc-son","channel":"web","answers":{}1{}}}"#,
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        )),
        Just(r#"{"unit":"phuoc-son","unit":"tuy-phuoc","channel":"web","answers":{"da_pakn":"khong","da_pakn":"co"}}"#.to_string()),
        Just(r#"{"unit":"phuoc-son","channel":"web","answers":{"y_kien":"\ud800"}}"#.to_string()),
        Just(r#"{"unit":"phuoc-son","channel":"web","answers":{"da_pakn":"khong"}} trailing"#.to_string()),
        Just(String::new()),
        Just("null".to_string()),
    ]
    .prop_map(|text| Body {
        content_type: "application/json",
        bytes: text.into_bytes(),
    })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        4 => submission_like().prop_map(|v| json_body(&v)),
        2 => json_value().prop_map(|v| json_body(&v)),
        2 => raw_json(),
        // Invalid UTF-8 inside an otherwise fine submission, and random bytes.
        1 => (any::<Vec<u8>>(), prop::sample::select(vec![0xffu8, 0xc3, 0xed, 0x80])).prop_map(|(mut b, bad)| {
            let mut text = br#"{"unit":"phuoc-son","channel":"web","answers":{"da_pakn":"khong","y_kien":""#.to_vec();
            b.push(bad);
            text.extend(b);
            text.extend(br#""}}"#);
            Body { content_type: "application/json", bytes: text }
        }),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(|bytes| Body { content_type: "application/json", bytes }),
        // Over the 64 KiB limit.
        1 => (65_000usize..70_000).prop_map(|n| json_body(&json!({
            "unit": "phuoc-son", "channel": "web",
            "answers": {"da_pakn": "khong", "y_kien": "a".repeat(n)}
        }))),
        1 => (prop::sample::select(vec!["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx", ""]), json_value())
            .prop_map(|(content_type, v)| Body { content_type, bytes: serde_json::to_vec(&v).unwrap() }),
    ]
}

/// Whether `body` has the API.md error shape.
fn error_shape(body: &Value) -> Result<(), String> {
    let e = &body["error"];
    let text = |k: &str| e[k].as_str().is_some_and(|s| !s.is_empty());
    if !(text("code") && text("message") && text("message_en")) {
        return Err(format!("no error code/message/message_en in {body}"));
    }
    let code = e["code"].as_str().unwrap();
    if !code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!("error code {code:?} is not snake_case"));
    }
    if let Some(fields) = e.get("fields") {
        let ok = fields.as_array().is_some_and(|fs| {
            fs.iter().all(|f| {
                f["field"].is_string() && f["code"].as_str().is_some_and(|c| !c.is_empty())
            })
        });
        if !ok {
            return Err(format!("bad fields in {body}"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_submission_api_survives_arbitrary_bodies() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_burst = 1_000_000;
        c.public_per_hour = 1_000_000;
    })
    .await
    else {
        return;
    };
    let path = "/api/v1/forms/sipas-dich-vu/responses";
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed()),
    );
    let strategy = body();
    let mut failures = Vec::new();
    for case in 0..proptest_cases(60) {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let before = app.counts();
        let mut request = app.client.post(app.url(path)).body(body.bytes.clone());
        if !body.content_type.is_empty() {
            request = request.header(reqwest::header::CONTENT_TYPE, body.content_type);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let after = app.counts();
        let shown = String::from_utf8_lossy(&body.bytes);
        let shown: String = shown.chars().take(300).collect();
        let problem = if status >= 500 {
            Some(format!("status {status}: {text}"))
        } else if (400..500).contains(&status) {
            match serde_json::from_str::<Value>(&text) {
                Err(e) => Some(format!(
                    "{status} with a body that is not JSON ({e}): {text}"
                )),
                Ok(v) => error_shape(&v)
                    .err()
                    .map(|e| format!("{status}: {e}"))
                    .or_else(|| {
                        (after != before)
                            .then(|| format!("{status} but stored: {before:?} → {after:?}"))
                    }),
            }
        } else if status == 201 {
            (after.0 != before.0 + 1).then(|| format!("201 but {before:?} → {after:?}"))
        } else if status == 200 {
            (after != before).then(|| format!("200 (a repeat) but {before:?} → {after:?}"))
        } else {
            Some(format!("unexpected status {status}: {text}"))
        };
        if let Some(problem) = problem {
            failures.push(format!(
                "case {case}: {} {} bytes {shown:?}…: {problem}",
                body.content_type,
                body.bytes.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A random seed per run (printed, so that a failure can be repeated with `FUZZ_SEED`).
fn seed() -> [u8; 32] {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand_seed);
    eprintln!("FUZZ_SEED={seed}");
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&seed.to_le_bytes());
    out
}

fn rand_seed() -> u64 {
    let id = uuid::Uuid::new_v4();
    u64::from_le_bytes(id.as_bytes()[..8].try_into().unwrap())
}
