//! Bad input gets a clear error with a code from the closed set, changes nothing, and
//! leaks nothing.

use serde_json::json;

use crate::common::{backends, codes, spawn_app, FULL, FULL_PURPOSE};

const PERSON: &str = "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }";

#[tokio::test]
async fn invalid_id_numbers_say_what_is_wrong_in_the_callers_language() {
    let app = spawn_app(&backends()[0]).await;
    let cases = [
        (json!("11010519491231002"), "LENGTH"),
        (json!("1101051949123100A2"), "CHARACTER"),
        (json!("991051194912310020"), "PROVINCE"),
        (json!("110105194902300020"), "BIRTH_DATE"),
        (json!("110105194912310021"), "CHECKSUM"),
        (json!(110105194912310021u64), "NOT_A_STRING"),
    ];
    for (id, reason) in cases {
        let before = app.statements();
        let (status, zh) = app.gql_lang(PERSON, json!({ "id": id }), None).await;
        assert_eq!(status, 200);
        assert_eq!(codes(&zh), vec!["INVALID_ID_NUMBER"], "{id}: {zh}");
        assert_eq!(
            zh["errors"][0]["extensions"]["reason"], reason,
            "{id}: {zh}"
        );
        let msg = zh["errors"][0]["message"].as_str().unwrap().to_string();
        assert!(msg.contains("身份证号码"), "{msg}");
        assert!(
            !msg.contains(&id.to_string().trim_matches('"').to_string()),
            "echoes the number: {msg}"
        );
        let (_, en) = app
            .gql_lang(PERSON, json!({ "id": id }), Some("en-US,en;q=0.9"))
            .await;
        let en_msg = en["errors"][0]["message"].as_str().unwrap();
        assert!(en_msg.is_ascii(), "{en_msg}");
        assert_ne!(en_msg, msg);
        assert_eq!(en["errors"][0]["extensions"]["reason"], reason);
        assert_eq!(
            app.statements(),
            before,
            "no source may be read for bad input"
        );
    }
    // Inline literals take the same path.
    let body = app
        .gql(
            r#"{ person(idNumber: "110105194912310021") { idNumber } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["INVALID_ID_NUMBER"], "{body}");
    // One bad number in a batch rejects the batch.
    let body = app
        .gql(
            "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }",
            json!({ "ids": ["11010519491231002X", "110105194912310021"] }),
        )
        .await;
    assert_eq!(codes(&body), vec!["INVALID_ID_NUMBER"], "{body}");
    assert!(body["data"].is_null());
    app.cleanup().await;
}

#[tokio::test]
async fn batches_over_the_limit_are_refused_before_any_source_is_read() {
    let app = spawn_app(&backends()[0]).await;
    let ids: Vec<String> = archive_hub::seed::sample_ids(100_000, 1, 1001)
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert_eq!(ids.len(), 1001);
    let before = app.statements();
    let body = app
        .gql(
            "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(codes(&body), vec!["LIMIT_EXCEEDED"], "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 1000);
    assert_eq!(app.statements(), before);
    // Exactly at the limit is fine.
    let ok = app
        .gql(
            "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }",
            json!({ "ids": &ids[..1000] }),
        )
        .await;
    assert!(ok["errors"].is_null(), "{ok}");
    assert_eq!(ok["data"]["persons"].as_array().unwrap().len(), 1000);
    app.cleanup().await;
}

#[tokio::test]
async fn malformed_requests_get_codes_from_the_closed_set() {
    let app = spawn_app(&backends()[0]).await;
    let parse = app.gql("{ person(idNumber: ", json!({})).await;
    assert_eq!(codes(&parse), vec!["GRAPHQL_PARSE_FAILED"], "{parse}");
    let validation = app.gql("{ nobody { name } }", json!({})).await;
    assert_eq!(
        codes(&validation),
        vec!["GRAPHQL_VALIDATION_FAILED"],
        "{validation}"
    );
    // Suggestions are off: the message does not fish for field names.
    assert!(!validation.to_string().contains("Did you mean"));
    let (status, not_json) = app.post_raw(b"not json".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(codes(&not_json), vec!["BAD_REQUEST"]);
    let (status, batch) = app
        .post_raw(br#"[{"query":"{ errorCodes }"},{"query":"{ errorCodes }"}]"#.to_vec())
        .await;
    assert_eq!(status, 400, "array batching is off");
    assert_eq!(codes(&batch), vec!["BAD_REQUEST"]);
    let (status, empty) = app.post_raw(b"[]".to_vec()).await;
    assert_eq!(status, 400, "{empty}");
    assert_eq!(codes(&empty), vec!["BAD_REQUEST"]);
    let huge = format!(
        r#"{{"query":"{{ errorCodes }}","variables":{{"pad":"{}"}}}}"#,
        "x".repeat(300 * 1024)
    );
    let (status, too_big) = app.post_raw(huge.into_bytes()).await;
    assert_eq!(status, 413);
    assert_eq!(codes(&too_big), vec!["LIMIT_EXCEEDED"]);
    app.cleanup().await;
}

#[tokio::test]
async fn every_code_sent_is_in_the_published_closed_set() {
    let app = spawn_app(&backends()[0]).await;
    let body = app.gql("{ errorCodes }", json!({})).await;
    let set: Vec<String> = body["data"]["errorCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for code in [
        "INVALID_ID_NUMBER",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "SOURCE_UNAVAILABLE",
        "LIMIT_EXCEEDED",
        "INTERNAL",
    ] {
        assert!(
            set.contains(&code.to_string()),
            "{code} missing from {set:?}"
        );
    }
    for q in [
        "{ person(idNumber: 1) { idNumber } }",
        "{ x }",
        "{",
        "{ persons(idNumbers: [\"1\"]) { idNumber } }",
    ] {
        let b = app.gql(q, json!({})).await;
        for c in codes(&b) {
            assert!(set.contains(&c), "{q}: {c} not in the closed set");
        }
    }
    app.cleanup().await;
}

/// Client mistakes get client codes, in the caller's language; a syntax error says where,
/// never what (quoting the query could echo an ID number).
#[tokio::test]
async fn client_mistakes_get_client_codes_and_errors_echo_no_personal_data() {
    let app = spawn_app(&backends()[0]).await;
    let id = app.report.samples[0].to_string();
    let cases: Vec<(&str, String, serde_json::Value, &str)> = vec![
        ("missing variable", PERSON.into(), json!({}), "BAD_USER_INPUT"),
        (
            "bad date",
            "query($id: IdNumber!) { person(idNumber: $id) { veterans { records(asOf: \"2020-13-01\") { category } } } }".into(),
            json!({ "id": id }),
            "BAD_USER_INPUT",
        ),
        (
            "bad date variable",
            "query($id: IdNumber!, $d: Date) { person(idNumber: $id) { veterans { records(asOf: $d) { category } } } }".into(),
            json!({ "id": id, "d": "2020-13-01" }),
            "BAD_USER_INPUT",
        ),
        (
            "number out of range",
            format!("{{ accessLog(idNumber: \"{id}\", limit: 99999999999) {{ seq }} }}"),
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "syntax error",
            format!("{{ person(idNumber: \"{id}\") {{ idNumber }}"),
            json!({}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "an ID number in the wrong argument",
            format!("{{ accessLog(idNumber: \"{id}\", limit: \"{id}\") {{ seq }} }}"),
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (name, q, vars, code) in cases {
        // The access log is for auditors.
        let (consumer, purpose) = if q.contains("accessLog") {
            ("city-audit", "audit")
        } else {
            (FULL, FULL_PURPOSE)
        };
        for lang in [None, Some("en")] {
            let (status, body) = app.gql_as(consumer, purpose, &q, vars.clone(), lang).await;
            assert_eq!(status, 200, "{name}");
            let c = codes(&body);
            assert_eq!(c.first().map(String::as_str), Some(code), "{name}: {body}");
            assert!(!c.contains(&"INTERNAL".to_string()), "{name}: {body}");
            assert!(
                !body.to_string().contains(&id),
                "{name} echoes the ID: {body}"
            );
            let msg = body["errors"][0]["message"].as_str().unwrap();
            let chinese = msg
                .chars()
                .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
            assert_eq!(chinese, lang.is_none(), "{name} ({lang:?}): {msg}");
        }
    }
    let (_, parse) = app
        .gql_lang(
            &format!("{{\n  person(idNumber: \"{id}\") {{ x"),
            json!({}),
            None,
        )
        .await;
    let ext = &parse["errors"][0]["extensions"];
    assert_eq!(ext["line"], 2, "{parse}");
    assert!(ext["column"].as_u64().unwrap() > 0, "{parse}");
    app.cleanup().await;
}

/// Queries are not taken by GET (an ID number in a URL lands in proxy logs); the page
/// itself still serves GraphiQL.
#[tokio::test]
async fn queries_by_get_are_refused() {
    let app = spawn_app(&backends()[0]).await;
    let url = format!(
        "{}/graphql?query=%7Bperson(idNumber%3A%2237152419731109066X%22)%7BidNumber%7D%7D",
        app.addr
    );
    let r = app.client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(codes(&body), vec!["BAD_REQUEST"]);
    let page = app
        .client
        .get(format!("{}/graphql", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    app.cleanup().await;
}

/// GraphQL over HTTP: `application/json` by default (every GraphQL result a 200);
/// `application/graphql-response+json` on request, where a request that never produced
/// data (syntax, validation, variables) is a 400 without `data`.
#[tokio::test]
async fn media_types_follow_graphql_over_http() {
    let app = spawn_app(&backends()[0]).await;
    let send = |accept: Option<&'static str>, query: &'static str| {
        let mut req = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("authorization", format!("Bearer {}", app.keys[FULL]))
            .header("x-purpose", FULL_PURPOSE)
            .json(&json!({ "query": query }));
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        req.send()
    };
    for accept in [None, Some("*/*"), Some("application/json")] {
        let r = send(accept, "{ errorCodes }").await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let r = send(accept, "{ nobody }").await.unwrap();
        assert_eq!(r.status(), 200, "{accept:?}");
    }
    let gql = Some("application/graphql-response+json, application/json;q=0.9");
    let r = send(gql, "{ errorCodes }").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/graphql-response+json"));
    for bad in [
        "{ nobody }",
        "{ errorCodes ",
        "query($x: Int!) { errorCodes }",
    ] {
        let r = send(gql, bad).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body.get("data").is_none(), "{bad}: {body}");
        assert!(!codes(&body).is_empty());
    }
    app.cleanup().await;
}
