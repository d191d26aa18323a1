//! A corpus of hostile requests: depth, fragment fan-out (up to 30 levels), cycles,
//! alias/root/directive/argument floods, token floods, huge variables, batching, content
//! types, injection and error-leak probes. Shared by the hostile test and the benchmark
//! (`cargo run --release --example hostile`), which loads this file with `#[path]`.

/// One hostile request: a name, the body, and its content type.
pub struct Hostile {
    pub name: String,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// False for requests that are harmless once bounded (answered normally, cheaply).
    pub refused: bool,
}

fn gql(name: impl Into<String>, query: String, variables: serde_json::Value) -> Hostile {
    Hostile {
        name: name.into(),
        body: serde_json::to_vec(&serde_json::json!({ "query": query, "variables": variables }))
            .unwrap_or_default(),
        content_type: "application/json",
        refused: true,
    }
}

fn raw(name: &str, body: impl Into<Vec<u8>>, content_type: &'static str) -> Hostile {
    Hostile {
        name: name.into(),
        body: body.into(),
        content_type,
        refused: true,
    }
}

/// Fragments `F0..=Fn`, each spreading the previous one twice: 2^n expanded selections.
fn fan_out(n: usize, leaf: &str, on: &str) -> String {
    let mut q = format!("fragment F0 on {on} {{ {leaf} }}\n");
    for i in 1..=n {
        q.push_str(&format!(
            "fragment F{i} on {on} {{ ...F{} ...F{} }}\n",
            i - 1,
            i - 1
        ));
    }
    q
}

/// The corpus; `id` is a valid, known ID number.
pub fn corpus(id: &str) -> Vec<Hostile> {
    use serde_json::json;
    let mut v = Vec::new();
    for n in [10, 20, 30] {
        v.push(gql(
            format!("fragment fan-out {n} levels"),
            format!("query {{ ...F{n} }}\n{}", fan_out(n, "errorCodes", "Query")),
            json!({}),
        ));
        v.push(gql(
            format!("fragment fan-out {n} levels under a person"),
            format!(
                "query($id: IdNumber!) {{ person(idNumber: $id) {{ ...F{n} }} }}\n{}",
                fan_out(n, "trainings { traineeName }", "Person")
            ),
            json!({ "id": id }),
        ));
    }
    v.push(gql(
        "fragment cycle",
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }".into(),
        json!({}),
    ));
    let deep = "{ identity ".repeat(60) + &"}".repeat(60);
    v.push(gql(
        "depth",
        format!("query($id: IdNumber!) {{ person(idNumber: $id) {deep} }}"),
        json!({ "id": id }),
    ));
    v.push(gql(
        "parser recursion",
        "{ a".repeat(5000) + &"}".repeat(5000),
        json!({}),
    ));
    let aliases: String = (0..2000).map(|i| format!("a{i}: errorCodes ")).collect();
    v.push(gql("alias flood", format!("{{ {aliases} }}"), json!({})));
    let roots = "errorCodes ".repeat(5000);
    v.push(gql("root field flood", format!("{{ {roots} }}"), json!({})));
    let dirs = "@include(if: true) ".repeat(3000);
    v.push(gql(
        "directive flood on a field",
        format!("{{ errorCodes {dirs} }}"),
        json!({}),
    ));
    v.push(gql(
        "directive flood on fragment spreads",
        format!("query {{ ...F {dirs} }} fragment F on Query {{ errorCodes }}"),
        json!({}),
    ));
    let op_dirs = "@skip(if: false) ".repeat(3000);
    v.push(gql(
        "directive flood on the operation",
        format!("query Q {op_dirs} {{ errorCodes }}"),
        json!({}),
    ));
    let args: String = (0..20_000).map(|i| format!("a{i}: 1 ")).collect();
    v.push(gql(
        "unknown-argument flood",
        format!("{{ errorCodes({args}) }}"),
        json!({}),
    ));
    v.push(gql(
        "ignored-token flood",
        format!("{{ errorCodes {} }}", ",".repeat(200_000)),
        json!({}),
    ));
    // A legitimate heavy document: 1,000 inline ID numbers, under every limit: answered.
    let inline: Vec<String> = (0..1000).map(|_| format!("\"{id}\"")).collect();
    let mut near = gql(
        "1,000 inline ID numbers (legitimate)",
        format!(
            "{{ persons(idNumbers: [{}]) {{ idNumber }} }}",
            inline.join(", ")
        ),
        json!({}),
    );
    near.refused = false;
    v.push(near);
    v.push(gql(
        "huge string variable",
        "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }".into(),
        json!({ "id": "9".repeat(200_000) }),
    ));
    v.push(raw(
        "deeply nested variables",
        format!(
            "{{\"query\":\"{{ errorCodes }}\",\"variables\":{{\"x\":{}1{}}}}}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
        "application/json",
    ));
    v.push(gql(
        "over-large batch",
        "query($ids: [IdNumber!]!) { persons(idNumbers: $ids) { idNumber } }".into(),
        json!({ "ids": vec![id; 1001] }),
    ));
    v.push(raw(
        "array batching",
        r#"[{"query":"{ errorCodes }"},{"query":"{ errorCodes }"}]"#,
        "application/json",
    ));
    v.push(raw("empty array", "[]", "application/json"));
    v.push(raw("not JSON", "{ errorCodes }", "application/json"));
    v.push(raw(
        "text/plain body",
        r#"{"query":"{ errorCodes }"}"#,
        "text/plain",
    ));
    v.push(raw(
        "form body",
        "query=%7B+errorCodes+%7D",
        "application/x-www-form-urlencoded",
    ));
    v.push(gql(
        "SQL injection in an ID number",
        "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }".into(),
        json!({ "id": "1' OR '1'='1" }),
    ));
    v.push(gql(
        "SQL injection in a literal",
        format!("{{ person(idNumber: \"{id}' OR 1=1 --\") {{ idNumber }} }}"),
        json!({}),
    ));
    v.push(gql(
        "missing required variable",
        "query($id: IdNumber!) { person(idNumber: $id) { idNumber } }".into(),
        json!({}),
    ));
    v.push(gql(
        "bad date",
        "query($id: IdNumber!) { person(idNumber: $id) { veterans { records(asOf: \"2020-13-01\") { category } } } }".into(),
        json!({ "id": id }),
    ));
    v.push(gql(
        "number out of range",
        format!("{{ accessLog(idNumber: \"{id}\", limit: 99999999999) {{ seq }} }}"),
        json!({}),
    ));
    v.push(gql(
        "syntax error quoting an ID number",
        format!("{{ person(idNumber: \"{id}\") {{ idNumber }}"),
        json!({}),
    ));
    v.push(raw(
        "unknown operation name",
        r#"{"query":"query A { errorCodes }","operationName":"B"}"#,
        "application/json",
    ));
    v
}
