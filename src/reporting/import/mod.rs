//! Reading county CSV and Excel files of reports into typed reports, and the downloadable
//! templates: the public face of the import (limits, errors, the parsed rows).
//!
//! Parsing only turns cells into typed values; `reports::check` and the look-ups are the
//! caller's, as they are for a report filed through a mutation.

mod cells;
mod rows;
mod template;
mod text;
mod xlsx;

use chrono::NaiveDate;

use crate::domain::reports::{FieldProblem, Report, ReportKind};
use crate::i18n::Lang;

pub use template::{template, TemplateError, DATA_SHEET, NOTES_SHEET};

/// How much of a file the import is willing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLimits {
    /// Size of the uploaded file.
    pub max_file_bytes: usize,
    /// Data rows (blank rows are not counted).
    pub max_rows: usize,
    /// All entries of an .xlsx archive together, decompressed: a few KiB of deflated
    /// zeros can claim gigabytes.
    pub max_unzipped_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 32 * 1024 * 1024,
            max_rows: 200_000,
            max_unzipped_bytes: 512 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// By the file name's extension, case-insensitive (`.csv`, `.xlsx`).
    pub fn from_name(file_name: &str) -> Option<Self> {
        let (_, ext) = file_name.trim().rsplit_once('.')?;
        if ext.eq_ignore_ascii_case("csv") {
            Some(Self::Csv)
        } else if ext.eq_ignore_ascii_case("xlsx") {
            Some(Self::Xlsx)
        } else {
            None
        }
    }
}

/// One data row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    /// The spreadsheet row number as the user sees it (the header is usually row 1).
    pub row: usize,
    /// The 业务编号 cell, when not blank (even if other cells of the row are wrong, so the
    /// caller can name the report).
    pub external_id: Option<String>,
    pub outcome: Result<Report, Vec<CellProblem>>,
}

/// A problem with one cell: the column as headed in the file, the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub column: String,
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    pub rows: Vec<ParsedRow>,
    /// Headers of columns that are no field of the kind (e.g. 序号), as in the file.
    pub ignored_columns: Vec<String>,
}

/// Why a whole file is refused. Messages never quote cell contents, which may hold ID
/// numbers; the column names they quote are the template's own headers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("not a CSV text file in UTF-8 or GB18030")]
    NotText,
    #[error("not an Excel .xlsx workbook")]
    NotXlsx,
    #[error("the workbook unpacks to more than {max} bytes")]
    UnzippedTooLarge { max: u64 },
    #[error("missing columns: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("columns given twice: {}", .0.join(", "))]
    DuplicateColumns(Vec<String>),
    #[error("the file has a header row but no data rows")]
    NoRows,
    #[error("the file has more than {max} data rows")]
    TooManyRows { max: usize },
    #[error("unknown file format: upload a .csv or .xlsx file")]
    UnknownFormat,
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "EMPTY_FILE",
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::NotText => "NOT_TEXT",
            Self::NotXlsx => "NOT_XLSX",
            Self::UnzippedTooLarge { .. } => "UNZIPPED_TOO_LARGE",
            Self::MissingColumns(_) => "MISSING_COLUMNS",
            Self::DuplicateColumns(_) => "DUPLICATE_COLUMNS",
            Self::NoRows => "NO_ROWS",
            Self::TooManyRows { .. } => "TOO_MANY_ROWS",
            Self::UnknownFormat => "UNKNOWN_FORMAT",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Self::Empty => "文件为空".into(),
            Self::TooLarge { max } => format!("文件超过 {} MB", max.div_ceil(1024 * 1024)),
            Self::NotText => "不是 UTF-8 或 GB18030 编码的 CSV 文本文件".into(),
            Self::NotXlsx => "不是 Excel .xlsx 工作簿（.xls 请另存为 .xlsx）".into(),
            Self::UnzippedTooLarge { max } => {
                format!("工作簿解压后超过 {} MB", max.div_ceil(1024 * 1024))
            }
            Self::MissingColumns(cols) => format!("缺少列：{}", cols.join("、")),
            Self::DuplicateColumns(cols) => format!("列重复：{}", cols.join("、")),
            Self::NoRows => "文件只有表头，没有数据行".into(),
            Self::TooManyRows { max } => format!("数据行超过 {max} 行，请分批导入"),
            Self::UnknownFormat => "无法识别的文件格式，请上传 .csv 或 .xlsx 文件".into(),
        }
    }
}

/// Reads a file of reports of one kind: the header row (the first non-empty row) names
/// the columns, every later non-blank row becomes a [`ParsedRow`].
pub fn parse(
    kind: ReportKind,
    format: FileFormat,
    bytes: &[u8],
    today: NaiveDate,
    limits: &ImportLimits,
) -> Result<ParsedFile, FileError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(FileError::TooLarge {
            max: limits.max_file_bytes,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    let mut sheet = rows::Sheet::new(kind, today, limits.max_rows);
    match format {
        FileFormat::Csv => text::read(bytes, &mut sheet)?,
        FileFormat::Xlsx => xlsx::read(bytes, limits.max_unzipped_bytes, &mut sheet)?,
    }
    sheet.finish()
}

#[cfg(test)]
mod tests;
