//! Whole files through `parse` and `template`: good CSV in each encoding, workbooks
//! written here with rust_xlsxwriter, and the bad files an upload form meets.

use std::io::{Cursor, Write};

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use super::*;
use crate::domain::hrss_training::{SkillLevel, SubsidyKind, TrainingType};
use crate::domain::reports::{ClassReport, EnrolReport, Problem, SubsidyReport, EXTERNAL_ID};
use crate::id_number::IdNumber;

const ID_A: &str = "11010519491231002X";
/// A second person, born 1980 in 潮南区.
const ID_B: &str = "440524198001010013";

fn today() -> NaiveDate {
    d("2026-06-01")
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_second_test_id_number_is_valid() {
    assert_eq!(
        IdNumber::from_parts(440524, d("1980-01-01"), 1).as_str(),
        ID_B
    );
}

fn id(s: &str) -> IdNumber {
    IdNumber::parse_as_of(s, today()).unwrap()
}

fn csv(kind: ReportKind, bytes: &[u8]) -> Result<ParsedFile, FileError> {
    parse(
        kind,
        FileFormat::Csv,
        bytes,
        today(),
        &ImportLimits::default(),
    )
}

fn xlsx(kind: ReportKind, bytes: &[u8]) -> Result<ParsedFile, FileError> {
    parse(
        kind,
        FileFormat::Xlsx,
        bytes,
        today(),
        &ImportLimits::default(),
    )
}

fn enrolment(id_number: &str, name: &str, phone: &str, on: &str) -> Report {
    Report::Enrolment(EnrolReport {
        id_number: id(id_number),
        trainee_name: name.into(),
        phone: phone.into(),
        class_id: 12,
        enrolled_on: d(on),
        late_enrolment_reason: None,
    })
}

/// The problems of a row as (field, problem code).
fn problems(row: &ParsedRow) -> Vec<(String, &'static str)> {
    match &row.outcome {
        Ok(r) => panic!("row {} parsed: {r:?}", row.row),
        Err(ps) => ps
            .iter()
            .map(|p| (p.problem.field.clone(), p.problem.problem.code()))
            .collect(),
    }
}

const ENROL_CSV: &str = "序号,业务编号,身份证号码,姓名,联系电话,班级编号,报名日期,补报名原因\n\
1,E-001,11010519491231002X,张三,13800138000,12,2026-03-01,\n\
\n\
2,E-002,440524198001010013,李四,0531-1234567,12,2026/3/2\n\
3,,,,,,,\n\
4\n";

fn assert_enrolments(file: &ParsedFile) {
    assert_eq!(file.ignored_columns, vec!["序号"]);
    assert_eq!(file.rows.len(), 2);
    assert_eq!(file.rows[0].row, 2);
    assert_eq!(file.rows[0].external_id.as_deref(), Some("E-001"));
    assert_eq!(
        file.rows[0].outcome,
        Ok(enrolment(ID_A, "张三", "13800138000", "2026-03-01"))
    );
    // The blank line is row 3 in Excel; the short row just lacks its optional cell; rows
    // numbered in 序号 alone are blank.
    assert_eq!(file.rows[1].row, 4);
    assert_eq!(
        file.rows[1].outcome,
        Ok(enrolment(ID_B, "李四", "0531-1234567", "2026-03-02"))
    );
}

#[test]
fn csv_in_utf8_with_and_without_bom() {
    assert_enrolments(&csv(ReportKind::Enrolment, ENROL_CSV.as_bytes()).unwrap());
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), ENROL_CSV.as_bytes()].concat();
    assert_enrolments(&csv(ReportKind::Enrolment, &with_bom).unwrap());
}

#[test]
fn csv_in_gb18030_with_full_width_parentheses_in_headers_and_labels() {
    let text = "业务编号,培训机构统一社会信用代码,职业（工种）代码,职业（工种）名称,等级,培训类型,可享生活费补贴,线上培训,备案日期,开班日期,结业日期,课时,开班地区代码\r\n\
C-1,91371500MA3C000001,4-10-01-02,育婴员,初级工（五级）,就业技能培训,是,否,2026-03-01,2026年3月10日,20260330,80,371502\r\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    let file = csv(ReportKind::Class, &bytes).unwrap();
    assert!(file.ignored_columns.is_empty());
    assert_eq!(
        file.rows[0].outcome,
        Ok(Report::Class(ClassReport {
            institution_uscc: "91371500MA3C000001".into(),
            occupation_code: "4-10-01-02".into(),
            occupation_name: "育婴员".into(),
            level: SkillLevel::Level5,
            training_type: TrainingType::EmploymentSkills,
            living_allowance_eligible: true,
            online: false,
            filed_on: d("2026-03-01"),
            start_date: d("2026-03-10"),
            end_date: d("2026-03-30"),
            hours: 80,
            region_code: "371502".into(),
            late_filing_reason: None,
        }))
    );
}

#[test]
fn every_problem_of_a_row_is_reported_with_its_column() {
    let text = "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期\n\
,１１010519491231002X,,13800138000,12.5,45123\n";
    let file = csv(ReportKind::Enrolment, text.as_bytes()).unwrap();
    let row = &file.rows[0];
    assert_eq!(row.external_id, None);
    assert_eq!(
        problems(row),
        vec![
            ("externalId".to_string(), "MISSING"),
            ("idNumber".to_string(), "FULL_WIDTH_DIGITS"),
            ("traineeName".to_string(), "MISSING"),
            ("classId".to_string(), "MALFORMED"),
            ("enrolledOn".to_string(), "MALFORMED"),
        ]
    );
    let Err(ps) = &row.outcome else {
        unreachable!()
    };
    assert_eq!(ps[4].column, "报名日期");
    assert_eq!(
        ps[4].problem.problem,
        Problem::Malformed {
            expected: "date".into()
        }
    );
    let zh = ps[4].problem.message(Lang::Zh);
    assert!(zh.contains("日期格式") && zh.contains("2026-03-01"), "{zh}");
    let en = ps[4].problem.message(Lang::En);
    assert!(
        en.contains("format the cell as a date") && en.contains("YYYY-MM-DD"),
        "{en}"
    );
}

#[test]
fn empty_and_header_only_files() {
    for bytes in [
        b"".as_slice(),
        b"  \r\n\t ",
        b"\xEF\xBB\xBF\n",
        b",,,\n,,\n",
    ] {
        let err = csv(ReportKind::Enrolment, bytes).unwrap_err();
        assert_eq!(err.code(), "EMPTY_FILE", "{bytes:?}");
    }
    let header = "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期\n,,,\n";
    assert_eq!(
        csv(ReportKind::Enrolment, header.as_bytes()).unwrap_err(),
        FileError::NoRows
    );
}

#[test]
fn wrong_headers_name_the_missing_columns() {
    let text = "序号,业务编号,姓名,联系电话\n1,E-1,张三,13800138000\n";
    let err = csv(ReportKind::Enrolment, text.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "MISSING_COLUMNS");
    assert_eq!(
        err,
        FileError::MissingColumns(vec![
            "身份证号码".into(),
            "班级编号".into(),
            "报名日期".into()
        ])
    );
    assert!(err
        .message(Lang::Zh)
        .contains("身份证号码、班级编号、报名日期"));
    let twice = "业务编号,身份证号码,姓名,联系电话,班级编号,报名日期,姓名\n";
    assert_eq!(
        csv(ReportKind::Enrolment, twice.as_bytes())
            .unwrap_err()
            .code(),
        "DUPLICATE_COLUMNS"
    );
}

#[test]
fn size_and_row_limits() {
    let limits = ImportLimits {
        max_file_bytes: 100,
        ..ImportLimits::default()
    };
    let err = parse(
        ReportKind::Enrolment,
        FileFormat::Csv,
        ENROL_CSV.as_bytes(),
        today(),
        &limits,
    )
    .unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE");
    let limits = ImportLimits {
        max_rows: 1,
        ..ImportLimits::default()
    };
    let err = parse(
        ReportKind::Enrolment,
        FileFormat::Csv,
        ENROL_CSV.as_bytes(),
        today(),
        &limits,
    )
    .unwrap_err();
    assert_eq!(err, FileError::TooManyRows { max: 1 });
}

/// Deterministic noise (xorshift), so a failure can be replayed.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn ten_megabytes_of_garbage_are_refused_cleanly() {
    let bytes = garbage(10 * 1024 * 1024);
    let err = csv(ReportKind::Subsidy, &bytes).unwrap_err();
    assert!(
        ["NOT_TEXT", "MISSING_COLUMNS"].contains(&err.code()),
        "{err}"
    );
    assert_eq!(
        xlsx(ReportKind::Subsidy, &bytes).unwrap_err(),
        FileError::NotXlsx
    );
    // Garbage behind a zip signature is no workbook either.
    let zipish = [b"PK\x03\x04".as_slice(), &bytes[..4096]].concat();
    assert_eq!(
        xlsx(ReportKind::Subsidy, &zipish).unwrap_err(),
        FileError::NotXlsx
    );
}

/// A workbook-looking archive whose sheet entry is `mib` MiB of deflated zeros, written a
/// MiB at a time so the test never holds the unpacked entry.
fn zip_bomb(mib: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn bomb_limits() -> ImportLimits {
    ImportLimits {
        max_unzipped_bytes: 8 * 1024 * 1024,
        ..ImportLimits::default()
    }
}

#[test]
fn a_zip_bomb_disguised_as_xlsx_stops_at_the_cap() {
    let bytes = zip_bomb(64);
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    let err = parse(
        ReportKind::Enrolment,
        FileFormat::Xlsx,
        &bytes,
        today(),
        &bomb_limits(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "UNZIPPED_TOO_LARGE");
    assert!(err.message(Lang::Zh).contains("解压"));
}

#[test]
fn a_zip_bomb_that_understates_its_size_still_stops_at_the_cap() {
    let mut bytes = zip_bomb(64);
    // Rewrite the declared uncompressed size (local and central headers) to 1 KiB. The zip
    // crate (9.8) then stops at the declared size and the checksum fails (NOT_XLSX); were
    // it to read on, the capped reader stops it (UNZIPPED_TOO_LARGE).
    let small = 1024u32.to_le_bytes();
    let mut patched = 0;
    for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(4).position(|w| w == signature) {
            let field = at + i + offset;
            if bytes[field..field + 4] == ((64u32 << 20).to_le_bytes()) {
                bytes[field..field + 4].copy_from_slice(&small);
                patched += 1;
            }
            at += i + 4;
        }
    }
    assert_eq!(patched, 2, "both headers declare the size");
    let err = parse(
        ReportKind::Enrolment,
        FileFormat::Xlsx,
        &bytes,
        today(),
        &bomb_limits(),
    )
    .unwrap_err();
    assert!(
        ["UNZIPPED_TOO_LARGE", "NOT_XLSX"].contains(&err.code()),
        "{err}"
    );
}

/// A cell the tests write.
enum V {
    S(&'static str),
    N(f64),
    /// A real date cell (a serial number formatted as a date).
    D(u16, u8, u8),
    /// A formula with its cached result.
    F(&'static str, &'static str),
    Blank,
}

fn write_row(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &[V]) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (col, v) in cells.iter().enumerate() {
        let col = col as u16;
        match v {
            V::S(s) => {
                sheet.write_string(row, col, *s).unwrap();
            }
            V::N(n) => {
                sheet.write_number(row, col, *n).unwrap();
            }
            V::D(y, m, d) => {
                let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                sheet
                    .write_datetime_with_format(row, col, &dt, &date)
                    .unwrap();
            }
            V::F(f, cached) => {
                sheet
                    .write_formula(row, col, Formula::new(*f).set_result(*cached))
                    .unwrap();
            }
            V::Blank => {}
        }
    }
}

fn book(rows: &[&[V]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (i, cells) in rows.iter().enumerate() {
        write_row(sheet, i as u32, cells);
    }
    workbook.save_to_buffer().unwrap()
}

const ENROL_HEADER: &[V] = &[
    V::S("业务编号"),
    V::S("身份证号码"),
    V::S("姓名"),
    V::S("联系电话"),
    V::S("班级编号"),
    V::S("报名日期"),
];

#[test]
fn xlsx_with_date_cells_dates_as_text_and_numbers_in_text_columns() {
    let bytes = book(&[
        &[V::S("2026年报名表")],
        &[],
        ENROL_HEADER,
        &[
            V::S("E-1"),
            V::S(ID_A),
            V::S("张三"),
            V::N(13800138000.0),
            V::N(12.0),
            V::D(2026, 3, 1),
        ],
        &[
            V::S("E-2"),
            V::S(ID_B),
            V::S("李四"),
            V::S("13900139000"),
            V::S("12"),
            V::S("2026/3/2"),
        ],
    ]);
    // A title row above the header would be taken as the header: the first non-empty row is.
    let err = xlsx(ReportKind::Enrolment, &bytes).unwrap_err();
    assert_eq!(err.code(), "MISSING_COLUMNS");

    let bytes = book(&[
        ENROL_HEADER,
        &[
            V::S("E-1"),
            V::S(ID_A),
            V::S("张三"),
            V::N(13800138000.0),
            V::N(12.0),
            V::D(2026, 3, 1),
        ],
        &[],
        &[
            V::S("E-2"),
            V::S(ID_B),
            V::S("李四"),
            V::S("13900139000"),
            V::S("12"),
            V::S("2026/3/2"),
        ],
    ]);
    let file = xlsx(ReportKind::Enrolment, &bytes).unwrap();
    assert_eq!(file.rows.len(), 2);
    assert_eq!((file.rows[0].row, file.rows[1].row), (2, 4));
    assert_eq!(
        file.rows[0].outcome,
        Ok(enrolment(ID_A, "张三", "13800138000", "2026-03-01"))
    );
    assert_eq!(
        file.rows[1].outcome,
        Ok(enrolment(ID_B, "李四", "13900139000", "2026-03-02"))
    );
}

#[test]
fn xlsx_serial_dates_id_numbers_in_number_cells_full_width_digits_and_formulas() {
    let bytes = book(&[
        ENROL_HEADER,
        // The date as a bare serial number (a cell not formatted as a date).
        &[
            V::S("E-1"),
            V::S(ID_A),
            V::S("张三"),
            V::S("13800138000"),
            V::N(12.0),
            V::N(46082.0),
        ],
        // The ID number in a number cell: Excel has already dropped its last digits.
        &[
            V::S("E-2"),
            V::N(440524198001010000.0),
            V::S("李四"),
            V::S("13800138000"),
            V::N(12.0),
            V::D(2026, 3, 1),
        ],
        &[
            V::S("E-3"),
            V::S("４４0524198001010013"),
            V::S("王五"),
            V::S("13800138000"),
            V::N(12.0),
            V::D(2026, 3, 1),
        ],
        // A formula, even with a good cached value, is refused.
        &[
            V::S("E-4"),
            V::S(ID_B),
            V::F("=\"赵\"&\"六\"", "赵六"),
            V::S("13800138000"),
            V::N(12.0),
            V::D(2026, 3, 1),
        ],
        &[
            V::S("E-5"),
            V::S(ID_B),
            V::S("孙七"),
            V::S("13800138000"),
            V::N(800.5),
            V::Blank,
        ],
    ]);
    let file = xlsx(ReportKind::Enrolment, &bytes).unwrap();
    let rows = &file.rows;
    assert_eq!(problems(&rows[0]), vec![("enrolledOn".into(), "MALFORMED")]);
    assert_eq!(problems(&rows[1]), vec![("idNumber".into(), "MALFORMED")]);
    let Err(ps) = &rows[1].outcome else {
        unreachable!()
    };
    assert_eq!(
        ps[0].problem.problem,
        Problem::Malformed {
            expected: "text (an ID number in a number cell loses digits)".into()
        }
    );
    assert_eq!(
        problems(&rows[2]),
        vec![("idNumber".into(), "FULL_WIDTH_DIGITS")]
    );
    assert_eq!(problems(&rows[3]), vec![("traineeName".into(), "FORMULA")]);
    assert_eq!(rows[3].external_id.as_deref(), Some("E-4"));
    assert_eq!(
        problems(&rows[4]),
        vec![
            ("classId".into(), "MALFORMED"),
            ("enrolledOn".into(), "MISSING")
        ]
    );
}

#[test]
fn formulas_in_ignored_columns_neither_make_rows_nor_problems() {
    let bytes = book(&[
        &[
            V::S("序号"),
            V::S("业务编号"),
            V::S("身份证号码"),
            V::S("姓名"),
            V::S("联系电话"),
            V::S("班级编号"),
            V::S("报名日期"),
        ],
        &[
            V::F("=ROW()-1", "1"),
            V::S("E-1"),
            V::S(ID_A),
            V::S("张三"),
            V::S("13800138000"),
            V::N(12.0),
            V::S("2026-03-01"),
        ],
        &[V::F("=ROW()-1", "2")],
        &[V::F("=ROW()-1", "3")],
    ]);
    let file = xlsx(ReportKind::Enrolment, &bytes).unwrap();
    assert_eq!(file.ignored_columns, vec!["序号"]);
    assert_eq!(file.rows.len(), 1);
    assert_eq!(
        file.rows[0].outcome,
        Ok(enrolment(ID_A, "张三", "13800138000", "2026-03-01"))
    );
}

#[test]
fn a_template_reads_back_as_no_rows_and_with_a_row_as_that_report() {
    for kind in ReportKind::ALL {
        let bytes = template(kind).unwrap();
        assert_eq!(
            xlsx(kind, &bytes).unwrap_err(),
            FileError::NoRows,
            "{kind:?}"
        );
    }

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    template::data_sheet(sheet, ReportKind::Subsidy).unwrap();
    write_row(
        sheet,
        1,
        &[
            V::S("S-1"),
            V::S(ID_A),
            V::S("以工代训补贴"),
            V::N(80000.0),
            V::D(2026, 5, 20),
            V::N(371502.0),
            V::Blank,
            V::Blank,
            V::S("91371500MA3C000001"),
            V::S("3"),
        ],
    );
    let bytes = workbook.save_to_buffer().unwrap();
    let file = xlsx(ReportKind::Subsidy, &bytes).unwrap();
    assert_eq!(file.rows[0].external_id.as_deref(), Some("S-1"));
    assert_eq!(
        file.rows[0].outcome,
        Ok(Report::Subsidy(SubsidyReport {
            id_number: id(ID_A),
            kind: SubsidyKind::WorkForTraining,
            amount_fen: 80000,
            paid_on: d("2026-05-20"),
            paying_county: "371502".into(),
            enrolment_id: None,
            certificate_id: None,
            employer_uscc: Some("91371500MA3C000001".into()),
            months: Some(3),
        }))
    );
}

#[test]
fn the_template_has_the_header_row_and_the_notes_sheet() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = template(ReportKind::Class).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec![DATA_SHEET, NOTES_SHEET]);
    let data = book.worksheet_range(DATA_SHEET).unwrap();
    let header: Vec<String> = data
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let expected: Vec<&str> = std::iter::once(EXTERNAL_ID.zh)
        .chain(ReportKind::Class.fields().iter().map(|f| f.zh))
        .collect();
    assert_eq!(header, expected);
    let notes = book.worksheet_range(NOTES_SHEET).unwrap();
    let rows: Vec<Vec<String>> = notes
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect())
        .collect();
    assert_eq!(
        rows[0],
        vec!["列名", "字段", "是否必填", "格式/可选值", "说明"]
    );
    assert_eq!(rows.len(), expected.len() + 1);
    let level = rows.iter().find(|r| r[1] == "level").unwrap();
    assert_eq!(level[2], "必填");
    assert!(level[3].contains("初级工(五级)") && level[3].contains("高级技师"));
    let late = rows.iter().find(|r| r[1] == "lateFilingReason").unwrap();
    assert_eq!(late[2], "选填");
    let subsidy = template(ReportKind::Subsidy).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(subsidy)).unwrap();
    let notes = book.worksheet_range(NOTES_SHEET).unwrap();
    assert!(notes
        .rows()
        .any(|r| r[3].to_string().contains("金额以分为单位的整数")));
}

#[test]
fn file_formats_by_extension_and_error_codes_and_messages() {
    assert_eq!(FileFormat::from_name("报名.CSV"), Some(FileFormat::Csv));
    assert_eq!(FileFormat::from_name("a.b.Xlsx"), Some(FileFormat::Xlsx));
    assert_eq!(FileFormat::from_name("报名.xls"), None);
    assert_eq!(FileFormat::from_name("csv"), None);
    assert_eq!(
        FileError::NotText.message(Lang::Zh),
        "不是 UTF-8 或 GB18030 编码的 CSV 文本文件"
    );
    assert_eq!(
        FileError::NotText.message(Lang::En),
        "not a CSV text file in UTF-8 or GB18030"
    );
    assert_eq!(FileError::UnknownFormat.code(), "UNKNOWN_FORMAT");
}
