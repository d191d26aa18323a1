//! GraphiQL in a real headless Chromium (Debian's `chromium` + `chromedriver`, driven over
//! WebDriver by fantoccini) against the demo binary, with every connection that does not
//! go to this machine cut: the page, GraphiQL and React must all come from the hub.
//!
//! Without Chromium on the machine the test says so and passes, unless
//! `CI_EXTERNAL_TESTS=1` (set by `.ci/run`, which installs it): then it fails.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What the demo printed that a person would copy.
struct Demo {
    child: Child,
    url: String,
    /// Consumer name → the headers JSON printed for GraphiQL.
    headers: Vec<(String, String)>,
    /// An ID number in the Liaocheng consumer's region.
    liaocheng_id: String,
}

async fn start_demo(dir: &Path) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_archive-hub"))
        .args(["demo", "--persons", "300", "--port", "0"])
        .current_dir(dir)
        .env("ARCHIVE_HUB_LOG__FILTER", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the demo");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut headers = Vec::new();
    let mut liaocheng_id = None;
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("GraphiQL: open ") {
                url = rest.split_whitespace().next().map(String::from);
            }
            if line.contains("try it as liaocheng-hrss-subsidy-review") {
                liaocheng_id = line.split_whitespace().next().map(String::from);
            }
            if let Some((name, json)) = line.trim().split_once(' ') {
                let json = json.trim();
                if url.is_some() && json.starts_with('{') {
                    headers.push((name.to_string(), json.to_string()));
                    if name == "citizen-portal-demo" {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(180), read)
        .await
        .expect("the demo starts within 3 minutes");
    // Keep draining stdout so that the demo never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Demo {
        child,
        url: url.expect("the demo prints the GraphiQL address"),
        headers,
        liaocheng_id: liaocheng_id.expect("a sample ID for the Liaocheng consumer"),
    }
}

async fn start_chromedriver() -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (child, port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port}");
}

async fn browser(port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                format!("--user-data-dir={}", profile.display()),
                // The outside world cut off: every connection goes to a closed local
                // port (loopback is exempt), and no host name resolves.
                "--proxy-server=http://127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--window-size=1400,1000",
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session")
}

/// Runs `script` (a function body) until it returns something other than null.
async fn wait_for(c: &Client, what: &str, script: &str) -> Value {
    for _ in 0..300 {
        let v = c.execute(script, vec![]).await.expect(what);
        if !v.is_null() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Sets the GraphiQL editor (CodeMirror) whose text contains `marker`.
async fn set_editor(c: &Client, marker: &str, text: &str) {
    let done = c
        .execute(
            "const [marker, text] = arguments;
             const cm = [...document.querySelectorAll('.CodeMirror')]
               .map(e => e.CodeMirror).find(cm => cm && cm.getValue().includes(marker));
             if (!cm) return false;
             cm.setValue(text);
             return true;",
            vec![json!(marker), json!(text)],
        )
        .await
        .unwrap();
    if done != json!(true) {
        let all = c
            .execute(
                "return [...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror && e.CodeMirror.getValue());",
                vec![],
            )
            .await
            .unwrap();
        panic!("no editor holds {marker:?}: {all}");
    }
}

#[tokio::test]
async fn graphiql_runs_a_query_offline_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let required = std::env::var("CI_EXTERNAL_TESTS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CI_EXTERNAL_TESTS=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("browser test not run: install Debian's chromium and chromium-driver");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path()).await;
    let (_driver, port) = start_chromedriver().await;
    let c = browser(port, &dir.path().join("profile")).await;
    c.goto(&demo.url).await.unwrap();
    wait_for(
        &c,
        "GraphiQL to render",
        "return document.querySelector('.graphiql-execute-button') && \
         document.querySelectorAll('.CodeMirror').length >= 3 ? true : null;",
    )
    .await;
    // Every resource the page loaded came from the hub.
    let origin = c
        .execute("return window.location.origin;", vec![])
        .await
        .unwrap();
    let resources = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    let origin = origin.as_str().unwrap();
    for r in resources.as_array().unwrap() {
        assert!(
            r.as_str().unwrap().starts_with(origin),
            "{r} is not the hub"
        );
    }
    // The headers editor holds placeholders; paste what the demo printed.
    let headers = &demo
        .headers
        .iter()
        .find(|(n, _)| n == "liaocheng-hrss-subsidy-review")
        .expect("the demo prints the Liaocheng consumer's headers")
        .1;
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(headers).unwrap()).unwrap();
    set_editor(&c, "X-Purpose", &pretty).await;
    set_editor(
        &c,
        "\"idNumber\"",
        &json!({ "idNumber": demo.liaocheng_id }).to_string(),
    )
    .await;
    // Run the page's sample query.
    c.execute(
        "document.querySelector('.graphiql-execute-button').click();",
        vec![],
    )
    .await
    .unwrap();
    let response = wait_for(
        &c,
        "the query's response",
        "const el = document.querySelector('.graphiql-response .CodeMirror');
         const text = el && el.CodeMirror.getValue();
         return text && text.includes('\"data\"') ? text : null;",
    )
    .await;
    let body: Value = serde_json::from_str(response.as_str().unwrap()).unwrap();
    let person = &body["data"]["person"];
    assert!(person["identity"]["age"].as_u64().is_some(), "{body}");
    assert!(
        person["identity"]["region"]["fullName"]
            .as_str()
            .is_some_and(|r| r.contains("聊城")),
        "{body}"
    );
    // The schema GraphiQL loads with these headers is this consumer's own: its docs list
    // `person` but not the auditors' `accessLog`.
    c.execute(
        "document.querySelector('[aria-label=\"Re-fetch GraphQL schema\"]').click();",
        vec![],
    )
    .await
    .unwrap();
    c.execute(
        "document.querySelector('[aria-label=\"Show Documentation Explorer\"]').click();",
        vec![],
    )
    .await
    .unwrap();
    wait_for(
        &c,
        "the docs' root types",
        "const a = [...document.querySelectorAll('.graphiql-doc-explorer a, .graphiql-doc-explorer button')]
           .find(e => e.textContent.trim() === 'Query');
         if (!a) return null; a.click(); return true;",
    )
    .await;
    let docs = wait_for(
        &c,
        "the Query type's docs",
        "const d = document.querySelector('.graphiql-doc-explorer');
         const t = d && d.innerText;
         return t && t.includes('persons') ? t : null;",
    )
    .await;
    let docs = docs.as_str().unwrap();
    assert!(docs.contains("errorCodes"), "{docs}");
    assert!(!docs.contains("accessLog"), "{docs}");
    c.close().await.unwrap();
    drop(demo.child);
}
