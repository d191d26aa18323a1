//! Reading the version log back: every version of the records about a person, as plain
//! domain values for the governed `reportHistory` field.

use std::collections::HashMap;

use entities::hrss_training::report;

use super::{store, Reporter};
use crate::domain::reports::{RecordKind, ReportAction, ReportKind, ReportVersion};
use crate::error::HubError;
use crate::id_number::IdNumber;

impl Reporter {
    /// The versions of the records about each of `ids` (every one answered, empty when
    /// none), oldest first, in one read of the log. Read straight from the log (it is
    /// never updated, so there is nothing to cache); the caller has already been granted
    /// the field.
    pub async fn histories(
        &self,
        ids: &[IdNumber],
    ) -> Result<HashMap<IdNumber, Vec<ReportVersion>>, HubError> {
        let keys = ids.iter().map(|i| i.as_str().to_owned()).collect();
        let rows = store::versions_about_many(&self.training, keys)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading the version log failed");
                HubError::SourceUnavailable(crate::departments::Department::HrssTraining)
            })?;
        let mut out: HashMap<IdNumber, Vec<ReportVersion>> =
            ids.iter().map(|i| (i.clone(), Vec::new())).collect();
        for row in rows {
            let Some(id) = row
                .id_number
                .as_deref()
                .and_then(|s| IdNumber::parse(s).ok())
            else {
                continue;
            };
            if let Some(list) = out.get_mut(&id) {
                list.push(version(row)?);
            }
        }
        Ok(out)
    }
}

/// A log row as a domain value; a code the hub never writes means the log was altered
/// outside the hub, which is refused rather than guessed at.
fn version(row: report::Model) -> Result<ReportVersion, HubError> {
    let id = row.id;
    let corrupt = |what: &str| {
        tracing::error!(
            version_id = id,
            column = what,
            "unknown code in the version log"
        );
        HubError::Internal
    };
    Ok(ReportVersion {
        version_id: row.id,
        record: RecordKind::from_code(&row.record).ok_or_else(|| corrupt("record"))?,
        record_id: row.record_id,
        version: row.version,
        previous_version_id: row.previous_id,
        kind: ReportKind::from_code(&row.kind).ok_or_else(|| corrupt("kind"))?,
        action: ReportAction::from_code(&row.action).ok_or_else(|| corrupt("action"))?,
        corrects_version_id: row.corrects,
        overridden_rules: row
            .override_rules
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        external_id: row.external_id,
        reporter: row.reporter,
        content: row.content,
        snapshot: row.snapshot,
        reason: row.reason,
        override_by: row.override_by,
        override_reason: row.override_reason,
        reported_at: row.created_at,
    })
}
