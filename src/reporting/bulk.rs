//! A county's file, end to end: parsed (CSV or Excel), every row checked exactly like
//! the mutation, written in one transaction — nothing when any row is rejected unless
//! `accept_valid` — and a result listing each row with its number, column and reason.

use std::sync::Arc;

use serde::Serialize;

use super::import::{self, FileFormat, ImportLimits};
use super::{Action, Options, Reporter, Submission};
use crate::domain::reports::{self, ReportKind};
use crate::error::HubError;
use crate::i18n::Lang;
use crate::policy::enforce::Access;

/// One row's outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub external_id: Option<String>,
    /// `WRITTEN`, `REPLAYED` (reported before, unchanged), `VALID` (valid, but the file
    /// was not written) or `REJECTED`.
    pub status: &'static str,
    pub record_id: Option<i64>,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// The column header as in the file, when the problem is in one cell.
    pub column: Option<String>,
    pub field: Option<String>,
    pub code: String,
    pub message: String,
    /// The screening rule a refused claim breaks (one error per rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A file's outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub kind: &'static str,
    pub written: bool,
    pub rows: usize,
    pub written_rows: usize,
    pub replayed_rows: usize,
    pub rejected_rows: usize,
    pub ignored_columns: Vec<String>,
    pub results: Vec<RowResult>,
}

/// Why a file could not be taken at all.
#[derive(Debug)]
pub enum ImportError {
    /// The file itself is unreadable (code and message from the parser).
    File(import::FileError),
    /// The batch failed (forbidden, audit unavailable, database).
    Hub(HubError),
}

/// Parses `bytes` and writes its rows as `access`'s consumer.
pub async fn import_file(
    reporter: &Reporter,
    access: &Arc<Access>,
    kind: ReportKind,
    format: FileFormat,
    bytes: &[u8],
    accept_valid: bool,
    lang: Lang,
) -> Result<ImportResult, ImportError> {
    // A consumer that may not report this kind at all is refused the file as a whole
    // (and the refusal audited), before a byte of it is read.
    if let Err(reason) = crate::policy::enforce::writes::may_report(access, kind) {
        let e = HubError::forbidden(reason);
        reporter
            .refused(access, kind)
            .await
            .map_err(ImportError::Hub)?;
        return Err(ImportError::Hub(e));
    }
    let today = access.time.today();
    let limits = ImportLimits::default();
    let parsed = import::parse(kind, format, bytes, today, &limits).map_err(ImportError::File)?;
    let mut results: Vec<RowResult> = Vec::with_capacity(parsed.rows.len());
    let mut batch = Vec::new();
    let mut slots = Vec::new();
    // Headers by field, to name the column of a problem found after parsing.
    let columns: std::collections::HashMap<&str, &str> = kind
        .fields()
        .iter()
        .chain(std::iter::once(&reports::EXTERNAL_ID))
        .map(|f| (f.name, f.zh))
        .collect();
    for row in parsed.rows {
        let mut result = RowResult {
            row: row.row,
            external_id: row.external_id.clone(),
            status: "REJECTED",
            record_id: None,
            errors: Vec::new(),
        };
        match (row.outcome, row.external_id) {
            (Ok(report), Some(external_id)) => {
                slots.push(results.len());
                batch.push(Submission {
                    external_id,
                    action: Action::File(report),
                });
            }
            (Ok(_), None) => result.errors.push(RowError {
                column: Some(reports::EXTERNAL_ID.zh.into()),
                field: Some(reports::EXTERNAL_ID.name.into()),
                code: "MISSING".into(),
                message: reports::Problem::Missing.message(
                    label(reports::EXTERNAL_ID.zh, reports::EXTERNAL_ID.name, lang),
                    lang,
                ),
                rule: None,
            }),
            (Err(problems), _) => {
                for p in problems {
                    result.errors.push(RowError {
                        field: Some(p.problem.field.clone()),
                        code: p.problem.problem.code().into(),
                        message: p.problem.message(lang),
                        column: Some(p.column),
                        rule: None,
                    });
                }
            }
        }
        results.push(result);
    }
    let parse_rejected = results.iter().any(|r| !r.errors.is_empty());
    let options = Options {
        // A row the parser rejected stops the file just like one the checks reject.
        accept_valid,
        override_reason: None,
    };
    let outcome = if batch.is_empty() {
        None
    } else if parse_rejected && !accept_valid {
        // Still check the parsed rows, so the file's every problem is listed at once;
        // nothing is written.
        Some(
            reporter
                .check_only(access, batch)
                .await
                .map_err(ImportError::Hub)?,
        )
    } else {
        Some(
            reporter
                .submit(access, batch, options)
                .await
                .map_err(ImportError::Hub)?,
        )
    };
    let written = outcome.as_ref().is_some_and(|o| o.written);
    if let Some(o) = outcome {
        for (slot, r) in slots.into_iter().zip(o.results) {
            let row = &mut results[slot];
            match r {
                Ok(receipt) => {
                    row.status = if receipt.replayed {
                        "REPLAYED"
                    } else if written {
                        "WRITTEN"
                    } else {
                        "VALID"
                    };
                    row.record_id = (written || receipt.replayed).then_some(receipt.record_id);
                }
                Err(e) => row.errors.extend(hub_errors(&e, &columns, lang)),
            }
        }
    }
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(ImportResult {
        kind: kind.code(),
        written,
        rows: results.len(),
        written_rows: count("WRITTEN"),
        replayed_rows: count("REPLAYED"),
        rejected_rows: count("REJECTED"),
        ignored_columns: parsed.ignored_columns,
        results,
    })
}

fn label<'a>(zh: &'a str, name: &'a str, lang: Lang) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => name,
    }
}

/// A row's rejection as row errors: one per field problem, or one for the whole row.
fn hub_errors(
    e: &HubError,
    columns: &std::collections::HashMap<&str, &str>,
    lang: Lang,
) -> Vec<RowError> {
    match e {
        HubError::InvalidReport(problems) => problems
            .iter()
            .map(|p| RowError {
                column: columns.get(p.field.as_str()).map(|c| c.to_string()),
                field: Some(p.field.clone()),
                code: p.code.into(),
                message: match lang {
                    Lang::Zh => p.message_zh.clone(),
                    Lang::En => p.message_en.clone(),
                },
                rule: None,
            })
            .collect(),
        HubError::Conflict { fields, .. } if !fields.is_empty() => fields
            .iter()
            .map(|f| RowError {
                column: columns.get(f.as_str()).map(|c| c.to_string()),
                field: Some(f.clone()),
                code: e.code().as_str().into(),
                message: e.message(lang),
                rule: None,
            })
            .collect(),
        HubError::RuleViolation(violations) => violations
            .iter()
            .map(|v| RowError {
                column: None,
                field: None,
                code: e.code().as_str().into(),
                message: format!(
                    "{}: {}",
                    v.rule,
                    match lang {
                        Lang::Zh => &v.explanation_zh,
                        Lang::En => &v.explanation_en,
                    }
                ),
                rule: Some(v.rule.into()),
            })
            .collect(),
        other => vec![RowError {
            column: None,
            field: None,
            code: other.code().as_str().into(),
            message: other.message(lang),
            rule: None,
        }],
    }
}
