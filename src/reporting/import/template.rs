//! The downloadable .xlsx template of each kind: a 数据 sheet whose header row the import
//! reads back, its columns formatted so Excel keeps codes as text and dates as dates,
//! and a 填写说明 sheet explaining each column.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::cells::{self, FieldType};
use crate::domain::reports::{FieldSpec, ReportKind, EXTERNAL_ID};

#[derive(Debug, thiserror::Error)]
#[error("could not write the template: {0}")]
pub struct TemplateError(#[from] XlsxError);

pub const DATA_SHEET: &str = "数据";
pub const NOTES_SHEET: &str = "填写说明";

/// The template of one kind of report, as .xlsx bytes.
pub fn template(kind: ReportKind) -> Result<Vec<u8>, TemplateError> {
    let mut workbook = Workbook::new();
    data_sheet(workbook.add_worksheet(), kind)?;
    notes_sheet(workbook.add_worksheet(), kind)?;
    Ok(workbook.save_to_buffer()?)
}

fn columns(kind: ReportKind) -> impl Iterator<Item = &'static FieldSpec> {
    std::iter::once(&EXTERNAL_ID).chain(kind.fields())
}

/// The 数据 sheet: its header row and column formats (tests write data rows below it).
pub(super) fn data_sheet(sheet: &mut Worksheet, kind: ReportKind) -> Result<(), XlsxError> {
    sheet.set_name(DATA_SHEET)?;
    let header = Format::new().set_bold().set_border(FormatBorder::Thin);
    let required = header.clone().set_background_color(Color::RGB(0xFF_F2_CC));
    // A column format applies to every cell typed into the column later, so an ID number
    // or a region code typed or pasted there stays text, and a date stays a date.
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (col, field) in columns(kind).enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        let format = if field.required { &required } else { &header };
        sheet.write_string_with_format(0, col, field.zh, format)?;
        let ty = cells::field_type(kind, field.name);
        match ty {
            FieldType::Code | FieldType::IdNumber => {
                sheet.set_column_format(col, &text)?;
            }
            FieldType::Date => {
                sheet.set_column_format(col, &date)?;
            }
            _ => {}
        }
        sheet.set_column_width(col, width(field, &ty))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Wide enough for the header (CJK characters count double) and a typical value.
fn width(field: &FieldSpec, ty: &FieldType) -> f64 {
    let header = field
        .zh
        .chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.1 })
        .sum::<f64>();
    let value = match ty {
        FieldType::IdNumber => 21.0,
        FieldType::Date => 12.0,
        FieldType::Code => 16.0,
        FieldType::Choice(_) => 16.0,
        FieldType::Text => 14.0,
        FieldType::Integer | FieldType::Bool => 8.0,
    };
    header.max(value) + 2.0
}

fn notes_sheet(sheet: &mut Worksheet, kind: ReportKind) -> Result<(), XlsxError> {
    sheet.set_name(NOTES_SHEET)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (col, title) in ["列名", "字段", "是否必填", "格式/可选值", "说明"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (i, field) in columns(kind).enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let ty = cells::field_type(kind, field.name);
        sheet.write_string(row, 0, field.zh)?;
        sheet.write_string(row, 1, field.name)?;
        sheet.write_string(row, 2, if field.required { "必填" } else { "选填" })?;
        sheet.write_string_with_format(row, 3, format_note(field, &ty), &wrap)?;
        sheet.write_string_with_format(row, 4, explanation(field.name), &wrap)?;
    }
    for (col, w) in [(0, 26.0), (1, 24.0), (2, 10.0), (3, 48.0), (4, 48.0)] {
        sheet.set_column_width(col, w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn format_note(field: &FieldSpec, ty: &FieldType) -> String {
    match ty {
        FieldType::IdNumber => {
            "18 位居民身份证号码，文本格式（不要存为数字），半角字符，末位 X 大小写均可".into()
        }
        FieldType::Date => {
            "日期格式单元格，或文本 2026-03-01、2026/3/1、2026年3月1日、20260301".into()
        }
        FieldType::Integer if field.name == "amountFen" => {
            "金额以分为单位的整数（如 80000 表示 800 元）".into()
        }
        FieldType::Integer => "整数".into(),
        FieldType::Bool => "是 / 否".into(),
        FieldType::Choice(labels) => labels.join("、"),
        FieldType::Code => match field.name {
            "institutionUscc" | "employerUscc" => "18 位统一社会信用代码，文本格式".into(),
            "regionCode" | "payingCounty" => "6 位行政区划代码，文本格式".into(),
            "occupationCode" => "职业分类代码，如 4-10-01-02，文本格式".into(),
            "phone" => "手机或固定电话号码，文本格式".into(),
            _ => "文本格式".into(),
        },
        FieldType::Text => "文本".into(),
    }
}

fn explanation(name: &str) -> &'static str {
    match name {
        "externalId" => "本单位业务系统中该条记录的唯一编号；同一编号再次导入视为更正",
        "institutionUscc" => "承办培训的机构，须在目录清单内",
        "occupationCode" | "occupationName" => "按国家职业分类大典填写",
        "level" => "培训或证书对应的职业技能等级",
        "livingAllowanceEligible" | "online" => "填 是 或 否",
        "filedOn" => "向人社部门备案的日期，不得晚于今天",
        "startDate" | "endDate" => "结业日期不得早于开班日期",
        "hours" | "attendedHours" => "课时数（学时）",
        "regionCode" | "payingCounty" => "县（区）级行政区划代码",
        "lateFilingReason" => "备案日期晚于开班日期时必填",
        "idNumber" => "学员本人身份证号",
        "classId" => "开班备案后系统返回的班级编号",
        "enrolmentId" => "学员报名后系统返回的报名编号",
        "enrolledOn" => "学员报名日期，不得晚于今天",
        "lateEnrolmentReason" => "开班后补报名时填写原因",
        "result" | "resultOn" => "学员退训也须上报（培训结果填 退训）",
        "certificateNo" => "证书上印制的编号",
        "issuer" => "颁发证书的机构名称",
        "amountFen" => "实际发放金额，单位为分",
        "certificateId" => "证书登记后系统返回的证书编号（非证书上的编号）",
        "employerUscc" | "months" => "以工代训补贴必填",
        _ => "",
    }
}
