//! Reading county CSV and Excel sheets into reports (placeholder until the parser lands).
