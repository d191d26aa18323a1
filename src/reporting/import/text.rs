//! CSV files: telling UTF-8 from GB18030 (what Chinese Excel saves as "CSV"), refusing
//! anything that is not text, and the records into rows.

use std::borrow::Cow;

use super::cells::Cell;
use super::rows::Sheet;
use super::FileError;

/// Decodes the file: a BOM or valid UTF-8 means UTF-8, anything else must be strict
/// GB18030 — a lossy decode would hand garbage to the parser as if it were data.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Cow::Borrowed(std::str::from_utf8(rest).map_err(|_| FileError::NotText)?)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        Cow::Borrowed(s)
    } else {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(FileError::NotText)?
    };
    // Binary files often decode (GB18030 maps most byte pairs); control characters give
    // them away.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(FileError::NotText);
    }
    Ok(text)
}

fn blank_lines(mut rest: &str) -> usize {
    let mut n = 0;
    while let Some(after) = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .or_else(|| rest.strip_prefix('\r'))
    {
        rest = after;
        n += 1;
    }
    n
}

pub(super) fn read(bytes: &[u8], sheet: &mut Sheet) -> Result<(), FileError> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The csv crate skips blank lines (a record's position is where the reader stood
    // before skipping them), and a quoted field may span lines: count the rows as Excel
    // shows them, one per record and one per blank line.
    let mut next_row = 1usize;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(FileError::NotText),
        }
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        let row = next_row + blank_lines(text.get(start..).unwrap_or(""));
        let cells = record
            .iter()
            .enumerate()
            .map(|(i, s)| (i, Cell::Text(s.to_string())))
            .collect();
        sheet.push(row, cells)?;
        next_row = row + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_gb18030_decode_alike() {
        let s = "业务编号,姓名\nA1,张三\n";
        let (gb, _, bad) = encoding_rs::GB18030.encode(s);
        assert!(!bad);
        assert!(
            std::str::from_utf8(&gb).is_err(),
            "the test needs non-UTF-8 bytes"
        );
        assert_eq!(decode(s.as_bytes()).unwrap(), s);
        assert_eq!(
            decode(&[b"\xEF\xBB\xBF", s.as_bytes()].concat()).unwrap(),
            s
        );
        assert_eq!(decode(&gb).unwrap(), s);
    }

    #[test]
    fn control_characters_and_undecodable_bytes_are_not_text() {
        assert_eq!(decode(b"a,b\0c\n"), Err(FileError::NotText));
        assert_eq!(decode(b"a,b\x07\n"), Err(FileError::NotText));
        assert_eq!(decode(b"\xff\xfe\xfd"), Err(FileError::NotText));
        assert!(decode(b"a\tb\r\n").is_ok());
    }
}
