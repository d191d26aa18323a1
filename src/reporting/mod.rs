//! The write side: reports into the HRSS training records — validated, authorised,
//! idempotent by the reporter's `externalId`, versioned, screened before any subsidy is
//! paid, and audited — from GraphQL mutations and from CSV/Excel imports.

pub mod import;
