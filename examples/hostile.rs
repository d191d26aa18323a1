//! Hostile-request timings (issue: trust under attack). Starts a hub in-process on
//! embedded SQLite with 2,000 seeded persons, then sends the hostile corpus
//! (`tests/integration/hostile_corpus.rs`): one at a time (each request's worst of 5), and
//! eight clients at once while `/healthz` is polled every 10 ms. Prints each request's
//! status and latency, the slowest refusal, `/healthz` p50/p99/max, and the peak RSS.
//!
//!     cargo run --release --example hostile

use std::sync::Arc;
use std::time::{Duration, Instant};

use archive_hub::config::Config;
use archive_hub::db::Databases;
use archive_hub::seed::{self, SeedOptions};
use archive_hub::Application;

#[path = "../tests/integration/hostile_corpus.rs"]
mod hostile_corpus;
use hostile_corpus::{corpus, Hostile};

struct Client {
    http: reqwest::Client,
    url: String,
    key: String,
}

impl Client {
    async fn send(&self, h: &Hostile) -> (u16, Duration) {
        let start = Instant::now();
        let status = match self
            .http
            .post(format!("{}/graphql", self.url))
            .header("content-type", h.content_type)
            .header("authorization", format!("Bearer {}", self.key))
            .header("x-purpose", "subsidy_review")
            .body(h.body.clone())
            .send()
            .await
        {
            Ok(r) => {
                let s = r.status().as_u16();
                let _ = r.bytes().await;
                s
            }
            Err(_) => 0,
        };
        (status, start.elapsed())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // `--write DIR ID`: write the corpus for `bench/hostile.lua` (one file per request and
    // an index of file and content type) instead of running it.
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, out, id] = args.as_slice() {
        if flag == "--write" {
            return write_corpus(std::path::Path::new(out), id);
        }
    }
    let dir = tempfile::tempdir()?;
    let mut config = Config::default();
    config.server.port = 0;
    config.data_dir = dir.path().to_path_buf();
    config.database_url = None;
    config.log.filter = "error".into();
    let dbs = Databases::connect(&config).await?;
    dbs.migrate().await?;
    let report = seed::seed(&dbs, &SeedOptions::new(2000, 7)).await?;
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/demo.toml");
    let keys: std::collections::HashMap<String, String> =
        archive_hub::cli::apply_policy(&config, &dbs, &demo)
            .await?
            .into_iter()
            .collect();
    let app = Application::build(config).await?;
    let url = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until_stopped());
    let client = Arc::new(Client {
        http: reqwest::Client::new(),
        url,
        key: keys["hrss-archive-desk"].clone(),
    });
    let id = report.samples[0].to_string();
    let corpus = Arc::new(corpus(&id));

    println!("== one at a time (worst of 5)");
    println!("{:<50} {:>6} {:>10}", "request", "status", "ms");
    let mut worst = Duration::ZERO;
    for h in corpus.iter() {
        let refused = h.refused;
        let mut slowest = Duration::ZERO;
        let mut status = 0;
        for _ in 0..5 {
            let (s, d) = client.send(h).await;
            status = s;
            slowest = slowest.max(d);
        }
        if refused {
            worst = worst.max(slowest);
        }
        println!("{:<50} {:>6} {:>10.2}", h.name, status, ms(slowest));
    }
    println!("slowest refusal, sequential: {:.2} ms", ms(worst));

    println!("== eight clients at once (corpus three times each), /healthz every 10 ms");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = {
        let (client, done) = (client.clone(), done.clone());
        tokio::spawn(async move {
            let mut lat = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let start = Instant::now();
                let ok = client
                    .http
                    .get(format!("{}/healthz", client.url))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                lat.push((ok, start.elapsed()));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            lat
        })
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, corpus) = (client.clone(), corpus.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..3 {
                for h in corpus.iter() {
                    let (status, took) = client.send(h).await;
                    out.push((status, took, h.refused));
                }
            }
            out
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.extend(t.await?);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let health = prober.await?;
    let five_xx = results
        .iter()
        .filter(|(s, _, _)| *s >= 500 || *s == 0)
        .count();
    let mut lat: Vec<Duration> = results
        .iter()
        .filter(|(_, _, refused)| *refused)
        .map(|(_, d, _)| *d)
        .collect();
    lat.sort();
    let pct = |v: &[Duration], p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    println!(
        "requests: {}, 5xx or no answer: {five_xx}; refusals: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        results.len(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(*lat.last().unwrap_or(&Duration::ZERO))
    );
    let failed = health.iter().filter(|(ok, _)| !ok).count();
    let mut h: Vec<Duration> = health.iter().map(|(_, d)| *d).collect();
    h.sort();
    println!(
        "/healthz: {} probes, {failed} failed, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        h.len(),
        ms(pct(&h, 0.5)),
        ms(pct(&h, 0.99)),
        ms(*h.last().unwrap_or(&Duration::ZERO))
    );
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak RSS (hub and client in one process): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

fn write_corpus(dir: &std::path::Path, id: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut index = String::new();
    for (i, h) in corpus(id).iter().enumerate() {
        let file = format!("{i:03}.body");
        std::fs::write(dir.join(&file), &h.body)?;
        index.push_str(&format!("{file} {}\n", h.content_type));
    }
    std::fs::write(dir.join("index.txt"), index)?;
    Ok(())
}
