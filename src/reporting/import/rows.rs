//! Rows into reports: finding the header row, matching its columns to the kind's fields,
//! and turning each later row into a report or the list of its cells' problems.

use chrono::NaiveDate;

use super::cells::{self, Cell};
use super::{CellProblem, FileError, ParsedFile, ParsedRow};
use crate::domain::reports::{
    CertificateReport, ClassReport, EnrolReport, FieldProblem, FieldSpec, Problem, Report,
    ReportKind, ResultReport, SubsidyReport, EXTERNAL_ID,
};

/// A used column: the field it fills, where it is and its header as written in the file.
struct Column {
    field: &'static FieldSpec,
    index: usize,
    header: String,
}

/// Rows arrive one at a time from either reader (sparse: `(column, cell)` pairs), so a
/// large sheet is never held whole.
pub(super) struct Sheet {
    kind: ReportKind,
    today: NaiveDate,
    max_rows: usize,
    columns: Option<Vec<Column>>,
    ignored: Vec<String>,
    rows: Vec<ParsedRow>,
}

impl Sheet {
    pub(super) fn new(kind: ReportKind, today: NaiveDate, max_rows: usize) -> Self {
        Self {
            kind,
            today,
            max_rows,
            columns: None,
            ignored: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Takes the next row (`row` as the user sees it, counting from 1).
    pub(super) fn push(
        &mut self,
        row: usize,
        mut cells: Vec<(usize, Cell)>,
    ) -> Result<(), FileError> {
        if cells.iter().all(|(_, c)| c.is_blank()) {
            return Ok(());
        }
        let Some(columns) = &self.columns else {
            let (columns, ignored) = header(self.kind, &cells)?;
            self.columns = Some(columns);
            self.ignored = ignored;
            return Ok(());
        };
        cells.sort_by_key(|(i, _)| *i);
        let mut fields = Fields {
            cells: &cells,
            columns,
            today: self.today,
            problems: Vec::new(),
        };
        // Templates often come with 序号 numbered down hundreds of rows in advance: a row
        // with nothing in the kind's own columns is blank.
        if columns.iter().all(|c| {
            fields
                .find(c.field.name)
                .is_none_or(|(_, cell)| cell.is_blank())
        }) {
            return Ok(());
        }
        if self.rows.len() >= self.max_rows {
            return Err(FileError::TooManyRows { max: self.max_rows });
        }
        let external_id = fields
            .find(EXTERNAL_ID.name)
            .and_then(|(_, cell)| cells::text(cell).ok())
            .filter(|s| !s.is_empty());
        fields.get(EXTERNAL_ID.name, cells::text);
        let report = build(self.kind, &mut fields);
        let outcome = match report {
            Some(r) if fields.problems.is_empty() => Ok(r),
            _ => Err(fields.problems),
        };
        self.rows.push(ParsedRow {
            row,
            external_id,
            outcome,
        });
        Ok(())
    }

    pub(super) fn finish(self) -> Result<ParsedFile, FileError> {
        if self.columns.is_none() {
            return Err(FileError::Empty);
        }
        if self.rows.is_empty() {
            return Err(FileError::NoRows);
        }
        Ok(ParsedFile {
            rows: self.rows,
            ignored_columns: self.ignored,
        })
    }
}

/// Matches the header row's cells to the kind's fields.
fn header(
    kind: ReportKind,
    cells: &[(usize, Cell)],
) -> Result<(Vec<Column>, Vec<String>), FileError> {
    let fields: Vec<&'static FieldSpec> =
        std::iter::once(&EXTERNAL_ID).chain(kind.fields()).collect();
    let mut columns: Vec<Column> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    for (index, cell) in cells {
        // A header typed as a number (a year, say) still names a column.
        let Ok(header) = cells::text(cell) else {
            continue;
        };
        let header = header.trim_start_matches('\u{feff}').trim().to_string();
        if header.is_empty() {
            continue;
        }
        let wanted = cells::normalise(&header);
        match fields.iter().find(|f| f.zh == wanted) {
            Some(field) if columns.iter().any(|c| c.field.name == field.name) => {
                duplicates.push(field.zh.to_string());
            }
            Some(field) => columns.push(Column {
                field,
                index: *index,
                header,
            }),
            None if !ignored.contains(&header) => ignored.push(header),
            None => {}
        }
    }
    if !duplicates.is_empty() {
        duplicates.sort();
        duplicates.dedup();
        return Err(FileError::DuplicateColumns(duplicates));
    }
    let missing: Vec<String> = fields
        .iter()
        .filter(|f| f.required && !columns.iter().any(|c| c.field.name == f.name))
        .map(|f| f.zh.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing));
    }
    Ok((columns, ignored))
}

/// One data row being read field by field; every problem is kept, not just the first.
struct Fields<'a> {
    cells: &'a [(usize, Cell)],
    columns: &'a [Column],
    today: NaiveDate,
    problems: Vec<CellProblem>,
}

impl Fields<'_> {
    fn find(&self, name: &str) -> Option<(&Column, &Cell)> {
        let column = self.columns.iter().find(|c| c.field.name == name)?;
        let cell = self
            .cells
            .binary_search_by_key(&column.index, |(i, _)| *i)
            .ok()
            .and_then(|at| self.cells.get(at))
            .map_or(&Cell::Empty, |(_, cell)| cell);
        Some((column, cell))
    }

    /// The field's value; `None` when blank (a problem if required) or wrong (a problem).
    fn get<T>(
        &mut self,
        name: &str,
        convert: impl FnOnce(&Cell) -> Result<T, Problem>,
    ) -> Option<T> {
        let (column, cell) = self.find(name)?;
        let result = if cell.is_blank() {
            if column.field.required {
                Err(Problem::Missing)
            } else {
                return None;
            }
        } else {
            convert(cell)
        };
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                let problem = CellProblem {
                    column: column.header.clone(),
                    problem: FieldProblem::new(column.field.name, problem),
                };
                self.problems.push(problem);
                None
            }
        }
    }

    fn text(&mut self, name: &str) -> Option<String> {
        self.get(name, cells::text)
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        self.get(name, cells::date)
    }

    fn int(&mut self, name: &str) -> Option<i64> {
        self.get(name, cells::integer)
    }

    fn int32(&mut self, name: &str) -> Option<i32> {
        self.get(name, cells::integer32)
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        self.get(name, cells::boolean)
    }

    fn id_number(&mut self, name: &str) -> Option<crate::id_number::IdNumber> {
        let today = self.today;
        self.get(name, |c| cells::id_number(c, today))
    }
}

/// The report of the row, when every required field has a value. Each field is read
/// before any `?` so that every problem of the row is recorded.
fn build(kind: ReportKind, f: &mut Fields<'_>) -> Option<Report> {
    Some(match kind {
        ReportKind::Class => {
            let institution_uscc = f.text("institutionUscc");
            let occupation_code = f.text("occupationCode");
            let occupation_name = f.text("occupationName");
            let level = f.get("level", |c| cells::choice(c, cells::LEVELS));
            let training_type = f.get("trainingType", |c| cells::choice(c, cells::TRAINING_TYPES));
            let living_allowance_eligible = f.boolean("livingAllowanceEligible");
            let online = f.boolean("online");
            let filed_on = f.date("filedOn");
            let start_date = f.date("startDate");
            let end_date = f.date("endDate");
            let hours = f.int32("hours");
            let region_code = f.text("regionCode");
            let late_filing_reason = f.text("lateFilingReason");
            Report::Class(ClassReport {
                institution_uscc: institution_uscc?,
                occupation_code: occupation_code?,
                occupation_name: occupation_name?,
                level: level?,
                training_type: training_type?,
                living_allowance_eligible: living_allowance_eligible?,
                online: online?,
                filed_on: filed_on?,
                start_date: start_date?,
                end_date: end_date?,
                hours: hours?,
                region_code: region_code?,
                late_filing_reason,
            })
        }
        ReportKind::Enrolment => {
            let id_number = f.id_number("idNumber");
            let trainee_name = f.text("traineeName");
            let phone = f.text("phone");
            let class_id = f.int("classId");
            let enrolled_on = f.date("enrolledOn");
            let late_enrolment_reason = f.text("lateEnrolmentReason");
            Report::Enrolment(EnrolReport {
                id_number: id_number?,
                trainee_name: trainee_name?,
                phone: phone?,
                class_id: class_id?,
                enrolled_on: enrolled_on?,
                late_enrolment_reason,
            })
        }
        ReportKind::Result => {
            let enrolment_id = f.int("enrolmentId");
            let result = f.get("result", |c| cells::choice(c, cells::RESULTS));
            let attended_hours = f.int32("attendedHours");
            let result_on = f.date("resultOn");
            Report::Result(ResultReport {
                enrolment_id: enrolment_id?,
                result: result?,
                attended_hours: attended_hours?,
                result_on: result_on?,
            })
        }
        ReportKind::Certificate => {
            let id_number = f.id_number("idNumber");
            let kind = f.get("kind", |c| cells::choice(c, cells::CERTIFICATE_KINDS));
            let certificate_no = f.text("certificateNo");
            let occupation_code = f.text("occupationCode");
            let occupation_name = f.text("occupationName");
            let level = f.get("level", |c| cells::choice(c, cells::LEVELS));
            let issued_on = f.date("issuedOn");
            let issuer = f.text("issuer");
            let enrolment_id = f.int("enrolmentId");
            Report::Certificate(CertificateReport {
                id_number: id_number?,
                kind: kind?,
                certificate_no: certificate_no?,
                occupation_code: occupation_code?,
                occupation_name: occupation_name?,
                level: level?,
                issued_on: issued_on?,
                issuer: issuer?,
                enrolment_id,
            })
        }
        ReportKind::Subsidy => {
            let id_number = f.id_number("idNumber");
            let kind = f.get("kind", |c| cells::choice(c, cells::SUBSIDY_KINDS));
            let amount_fen = f.int("amountFen");
            let paid_on = f.date("paidOn");
            let paying_county = f.text("payingCounty");
            let enrolment_id = f.int("enrolmentId");
            let certificate_id = f.int("certificateId");
            let employer_uscc = f.text("employerUscc");
            let months = f.int32("months");
            Report::Subsidy(SubsidyReport {
                id_number: id_number?,
                kind: kind?,
                amount_fen: amount_fen?,
                paid_on: paid_on?,
                paying_county: paying_county?,
                enrolment_id,
                certificate_id,
                employer_uscc,
                months,
            })
        }
    })
}
