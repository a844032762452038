//! No link between an invitation and its response: not in the tables, not in SQLite's files and
//! write-ahead log, not in PostgreSQL's old row versions.

use super::*;

// ---------------------------------------------------------------------------------------------
// Anonymity
// ---------------------------------------------------------------------------------------------

async fn responses_keep_no_link_to_their_invitation(app: TestApp) {
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 2, "dai_bieu_hdnd").await;
    let issued = invitation_rows(&app);
    let root = root_unit(&app).await;
    let client_id = new_client_id();
    let answers =
        json!({"nhom": "dai_bieu_hdnd", "DB1": 4, "y_kien": "Cần đẩy mạnh chuyển đổi số."});
    let page = Page::from(
        post_invitation(
            &app,
            &tokens[0],
            &client_fields(&client_id, &answers),
            false,
        )
        .await,
    )
    .await;
    page.assert_html(201);
    let (status, body) = status_and_json(
        app.post_json(
            RESPONSES,
            &api_body(
                &root,
                Some(&tokens[1]),
                delegate_answers("dai_bieu_hdnd", 3),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.counts().0, 2);

    let mut conn = raw_conn(&app);
    let response_columns = table_columns(&mut conn, "responses");
    assert!(
        response_columns
            .iter()
            .all(|c| !c.contains("invit") && !c.contains("token")),
        "no column of responses refers to an invitation: {response_columns:?}"
    );
    let secrets: Vec<String> = tokens
        .iter()
        .flat_map(|t| [t.clone(), sha256_hex(t), sha256_hex(sha256_hex(t))])
        .collect();
    // Neither the response nor the record of the invitation's use holds the token or a plain
    // hash of it (the use is a keyed hash: see the storage tests at the end of this file).
    for table in ["responses", "answers", "invitation_uses"] {
        for column in table_columns(&mut conn, table) {
            for value in column_values(&mut conn, table, &column)
                .into_iter()
                .flatten()
            {
                for secret in &secrets {
                    assert!(
                        !value.contains(secret.as_str()),
                        "{table}.{column} holds an invitation's token or hash: {value}"
                    );
                }
            }
        }
    }

    // The invitations keep whether they were used, not when.
    let invitation_columns: BTreeSet<String> = table_columns(&mut conn, "invitations")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = [
        "token_hash",
        "form_id",
        "respondent_group",
        "unit",
        "created_at",
        "used",
        "deadline",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        invitation_columns, expected,
        "no time of use, no response id"
    );
    assert_eq!(
        invitation_rows(&app),
        issued,
        "the invitation rows are never written after they were issued"
    );
    let use_columns: BTreeSet<String> = table_columns(&mut conn, "invitation_uses")
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = ["use_hash", "form_id", "respondent_group"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(use_columns, expected, "a use holds no time, unit or token");
    assert_eq!(
        column_values(&mut conn, "invitation_uses", "use_hash").len(),
        2
    );
    for token in &tokens {
        assert!(is_used(&app, token).await);
    }
}
both_backends!(responses_keep_no_link_to_their_invitation);

// ---------------------------------------------------------------------------------------------
// What the database's own storage keeps (someone with the files, the log or old row versions)
// ---------------------------------------------------------------------------------------------

/// Answers `tokens[0]` through its page and `tokens[1]` through the JSON API.
async fn answer_two(app: &TestApp, tokens: &[String]) {
    let body = client_fields(&new_client_id(), &delegate_answers("dai_bieu_hdnd", 4));
    assert_eq!(
        post_invitation(app, &tokens[0], &body, true).await.status(),
        201
    );
    let root = root_unit(app).await;
    let body = api_body(
        &root,
        Some(&tokens[1]),
        delegate_answers("dai_bieu_hdnd", 2),
    );
    let (status, body) = status_and_json(app.post_json(RESPONSES, &body).await).await;
    assert_eq!(status, 201, "{body}");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// SQLite keeps every page a commit wrote in its write-ahead log (`…-wal`) until a checkpoint,
/// and the log shows which pages changed together. The invitations are issued and checkpointed
/// into the main file; then two are answered. Everything written since is in the log: the
/// responses and the records of use must be there, and no page of the invitations table or its
/// index — which would show, by the token's SHA-256, which invitation changed in the commit that
/// stored which response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_files_hold_no_link_between_invitation_and_response() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 40, "dai_bieu_hdnd").await;
    let mut conn = diesel::SqliteConnection::establish(&app.database_url).expect("SQLite");
    let done: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .get_result(&mut conn)
        .expect("checkpoint");
    assert_eq!(done.busy, 0, "the checkpoint ran");
    let wal = format!("{}-wal", app.database_url);
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);

    answer_two(&app, &tokens).await;
    let log = std::fs::read(&wal).expect("the write-ahead log");
    let ids = response_ids(&app);
    assert_eq!(ids.len(), 2);
    let mut raw = raw_conn(&app);
    let uses: Vec<String> = column_values(&mut raw, "invitation_uses", "use_hash")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(uses.len(), 2);
    for written in ids.iter().chain(&uses) {
        assert!(
            contains(&log, written),
            "the log holds what was written since: {written}"
        );
    }
    for token in &tokens {
        assert!(
            !contains(&log, &sha256_hex(token)) && !contains(&log, token),
            "the log holds a page of the invitations (token {token})"
        );
    }
    let file = std::fs::read(&app.database_url).expect("the database file");
    for token in &tokens {
        assert!(
            contains(&file, &sha256_hex(token)),
            "issued invitations are in the file"
        );
    }
    for used in &uses {
        assert!(
            tokens.iter().all(|t| !used.contains(&sha256_hex(t))),
            "a use record is not the token's SHA-256"
        );
    }
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    xmin: String,
    #[diesel(sql_type = Text)]
    xmax: String,
}

#[derive(QueryableByName)]
struct Xmin {
    #[diesel(sql_type = Text)]
    x: String,
}

/// PostgreSQL keeps old versions of updated rows on the table's pages until VACUUM, each stamped
/// with the transaction that wrote it (`xmin`) and the one that replaced it (`xmax`): a row
/// version of an invitation replaced by the transaction that stored a response would name the
/// invitation the response came through. Read every tuple on the invitations' pages, live or
/// dead (pageinspect): there is one version per invitation, none was ever replaced or locked, and
/// none was written by a transaction that stored a response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_row_versions_hold_no_link_between_invitation_and_response() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let admin = app.token_for(Role::Admin).await;
    let tokens = issue(&app, &admin, 3, "dai_bieu_hdnd").await;
    answer_two(&app, &tokens).await;

    let mut pg = diesel::PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .execute(&mut pg)
        .expect("pageinspect (PostgreSQL's contrib) is available");
    let versions: Vec<Version> = diesel::sql_query(
        "SELECT t_xmin::text AS xmin, t_xmax::text AS xmax \
         FROM generate_series(0, (pg_relation_size('invitations') \
                                  / current_setting('block_size')::int)::int - 1) AS blk, \
              LATERAL heap_page_items(get_raw_page('invitations', blk)) \
         WHERE lp_flags = 1",
    )
    .load(&mut pg)
    .expect("read the invitations' pages");
    assert_eq!(versions.len(), 3, "one version per invitation, no old ones");
    assert!(
        versions.iter().all(|v| v.xmax == "0"),
        "never replaced nor locked"
    );
    let issued: BTreeSet<String> = versions.into_iter().map(|v| v.xmin).collect();
    assert_eq!(
        issued.len(),
        1,
        "all written by the one transaction that issued them"
    );

    let stamps = |pg: &mut diesel::PgConnection, sql: &str| -> BTreeSet<String> {
        diesel::sql_query(sql)
            .load::<Xmin>(pg)
            .unwrap()
            .into_iter()
            .map(|r| r.x)
            .collect()
    };
    let responses = stamps(&mut pg, "SELECT xmin::text AS x FROM responses");
    let uses = stamps(&mut pg, "SELECT xmin::text AS x FROM invitation_uses");
    assert_eq!(responses.len(), 2);
    assert!(responses.is_disjoint(&issued));
    // A use is recorded with its response (that is what makes single use atomic); it names no
    // invitation: a keyed hash, not the SHA-256 the invitation rows hold.
    assert_eq!(uses, responses);
    let mut raw = raw_conn(&app);
    for used in column_values(&mut raw, "invitation_uses", "use_hash")
        .into_iter()
        .flatten()
    {
        assert!(tokens.iter().all(|t| used != sha256_hex(t) && used != *t));
    }
}
