//! Integration tests: the real hub on a random port, queried over HTTP. Every test runs on
//! embedded SQLite, and again on PostgreSQL when `DATABASE_URL` is set and with some
//! departments on MariaDB when `MYSQL_URL` is set (unreachable services fail the run).

// Test helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod api;
mod audit;
mod browser;
mod cache;
mod cli;
mod conformance;
mod errors;
mod federation;
mod hostile;
mod hostile_corpus;
mod imports;
mod instances;
mod layers;
mod operations;
mod outage;
mod policy;
mod remote;
mod reports;
mod schema;
mod screening;
mod seeding;
mod sources;
