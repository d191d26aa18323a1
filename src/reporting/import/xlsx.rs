//! Excel workbooks: the zip-bomb guard, then the first worksheet's cells, streamed in row
//! order into rows (formula cells marked as such, date cells as dates).

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};
use chrono::NaiveDate;

use super::cells::Cell;
use super::rows::Sheet;
use super::FileError;

/// Decompresses every entry into nothing, stopping once the total passes `cap`: calamine
/// inflates entries into memory, and a few KiB of deflated zeros can claim gigabytes.
fn check_unzipped_size(bytes: &[u8], cap: u64) -> Result<(), FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::NotXlsx)?;
    let too_large = FileError::UnzippedTooLarge { max: cap };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| FileError::NotXlsx)?;
        let left = cap.saturating_sub(total);
        // The declared size may lie; it is only a quick first refusal.
        if entry.size() > left {
            return Err(too_large);
        }
        let mut capped = (&mut entry).take(left.saturating_add(1));
        let read =
            std::io::copy(&mut capped, &mut std::io::sink()).map_err(|_| FileError::NotXlsx)?;
        total = total.saturating_add(read);
        if total > cap {
            return Err(too_large);
        }
    }
    Ok(())
}

fn cell(value: DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Float(f) => Cell::Float(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or(Cell::BadDate, Cell::Date)
        }
        DataRef::DateTime(_) | DataRef::DurationIso(_) => Cell::BadDate,
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or(Cell::BadDate, Cell::Date),
        DataRef::Error(_) => Cell::Error,
    }
}

/// Reads the first worksheet into `sheet`, a row at a time: a sheet is never held whole
/// (calamine's ranges are dense, and one cell at XFD1048576 would make them huge).
pub(super) fn read(bytes: &[u8], max_unzipped: u64, sheet: &mut Sheet) -> Result<(), FileError> {
    check_unzipped_size(bytes, max_unzipped)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileError::NotXlsx)?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FileError::NotXlsx)?;
    let mut reader = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| FileError::NotXlsx)?;
    let mut current: Option<(u32, Vec<(usize, Cell)>)> = None;
    while let Some(record) = reader
        .next_cell_with_formula_metadata()
        .map_err(|_| FileError::NotXlsx)?
    {
        let (row, col) = record.pos;
        let value = if record.formula.is_some() {
            Cell::Formula
        } else {
            cell(record.value)
        };
        match &mut current {
            Some((r, cells)) if *r == row => cells.push((col as usize, value)),
            Some((r, _)) if row < *r => {
                // Excel, WPS and LibreOffice write rows in order; merging rows written out
                // of order is not worth the memory it takes.
                return Err(FileError::NotXlsx);
            }
            _ => {
                if let Some((r, cells)) = current.take() {
                    sheet.push(r as usize + 1, cells)?;
                }
                current = Some((row, vec![(col as usize, value)]));
            }
        }
    }
    if let Some((r, cells)) = current {
        sheet.push(r as usize + 1, cells)?;
    }
    Ok(())
}
