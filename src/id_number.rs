//! The resident ID number (GB 11643-1999): parsing, validation, normalisation, legacy
//! conversion, derived facts (region, birth date, sex) and masking.
//!
//! `IdNumber` is the only person key the hub knows. Its `Debug` form is masked so that a
//! stray `?id` in a log line never writes a full number; `as_str()` is for queries only.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

use crate::i18n::Lang;

/// ISO 7064 MOD 11-2 weights for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0..=10.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Why a string is not a valid ID number. Messages never echo the number itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("not a string")]
    NotAString,
    #[error("length {0}")]
    Length(usize),
    #[error("invalid character at position {0}")]
    Character(usize),
    #[error("unknown province code")]
    Province,
    #[error("birth date is not a calendar date")]
    BirthDate,
    #[error("birth date is in the future")]
    FutureBirthDate,
    #[error("birth year before 1900")]
    BirthYearTooEarly,
    #[error("check character mismatch")]
    Checksum,
}

impl IdNumberError {
    /// The number that goes with the reason: the length, or the 1-based position.
    pub fn param(&self) -> Option<usize> {
        match self {
            Self::Length(n) | Self::Character(n) => Some(*n),
            _ => None,
        }
    }

    /// The error a `reason` (and its `param`) stands for: the inverse of
    /// [`reason`](Self::reason) and [`param`](Self::param).
    pub fn from_reason(reason: &str, param: Option<usize>) -> Option<Self> {
        Some(match reason {
            "NOT_A_STRING" => Self::NotAString,
            "LENGTH" => Self::Length(param?),
            "CHARACTER" => Self::Character(param?),
            "PROVINCE" => Self::Province,
            "BIRTH_DATE" => Self::BirthDate,
            "FUTURE_BIRTH_DATE" => Self::FutureBirthDate,
            "BIRTH_YEAR_TOO_EARLY" => Self::BirthYearTooEarly,
            "CHECKSUM" => Self::Checksum,
            _ => return None,
        })
    }
    /// Stable machine-readable reason, put into `extensions.reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotAString => "NOT_A_STRING",
            Self::Length(_) => "LENGTH",
            Self::Character(_) => "CHARACTER",
            Self::Province => "PROVINCE",
            Self::BirthDate => "BIRTH_DATE",
            Self::FutureBirthDate => "FUTURE_BIRTH_DATE",
            Self::BirthYearTooEarly => "BIRTH_YEAR_TOO_EARLY",
            Self::Checksum => "CHECKSUM",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::NotAString, Lang::Zh) => "身份证号码须以字符串传递，不能是数字".into(),
            (Self::NotAString, Lang::En) => "an ID number must be sent as a string, not a number".into(),
            (Self::Length(n), Lang::Zh) => {
                format!("身份证号码应为18位（或15位旧号码），实际为{n}位")
            }
            (Self::Length(n), Lang::En) => {
                format!("an ID number has 18 characters (or 15 for a legacy number), got {n}")
            }
            (Self::Character(p), Lang::Zh) => {
                format!("身份证号码第{p}位字符无效：前17位须为数字，第18位为数字或X")
            }
            (Self::Character(p), Lang::En) => format!(
                "invalid character at position {p}: the first 17 must be digits, the 18th a digit or X"
            ),
            (Self::Province, Lang::Zh) => "身份证号码前两位不是有效的省级行政区划代码".into(),
            (Self::Province, Lang::En) => {
                "the first two digits are not a valid province code (GB/T 2260)".into()
            }
            (Self::BirthDate, Lang::Zh) => "身份证号码中的出生日期不是有效日期".into(),
            (Self::BirthDate, Lang::En) => "the birth date in the ID number is not a real date".into(),
            (Self::FutureBirthDate, Lang::Zh) => "身份证号码中的出生日期晚于今天".into(),
            (Self::FutureBirthDate, Lang::En) => "the birth date in the ID number is in the future".into(),
            (Self::BirthYearTooEarly, Lang::Zh) => "身份证号码中的出生年份早于1900年".into(),
            (Self::BirthYearTooEarly, Lang::En) => "the birth year in the ID number is before 1900".into(),
            (Self::Checksum, Lang::Zh) => "身份证号码第18位校验码与前17位不符".into(),
            (Self::Checksum, Lang::En) => {
                "the check character (18th) does not match the first 17 digits".into()
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A validated, normalised 18-character resident ID number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

impl serde::Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for IdNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.reason()))
    }
}

impl IdNumber {
    /// Parses and validates against today's date (birth dates may not lie in the future).
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        Self::parse_as_of(input, crate::clock::today_in_china())
    }

    /// Parses and validates with an explicit "today", so tests and batch jobs are repeatable.
    pub fn parse_as_of(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let trimmed = input.trim();
        let chars: Vec<char> = trimmed.chars().collect();
        match chars.len() {
            18 => Self::parse18(&chars, today),
            15 => Self::parse15(&chars, today),
            n => Err(IdNumberError::Length(n)),
        }
    }

    fn parse18(chars: &[char], today: NaiveDate) -> Result<Self, IdNumberError> {
        let mut bytes = [0u8; 18];
        for (i, &c) in chars.iter().enumerate() {
            bytes[i] = match c {
                '0'..='9' => c as u8,
                'x' | 'X' if i == 17 => b'X',
                _ => return Err(IdNumberError::Character(i + 1)),
            };
        }
        validate_body(&bytes[..17], today)?;
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(IdNumberError::Checksum);
        }
        // Every byte is ASCII by construction.
        Ok(Self(bytes.iter().map(|&b| b as char).collect()))
    }

    /// Legacy 15-digit numbers (before 1999): 6 region + YYMMDD (1900s) + 3 sequence.
    fn parse15(chars: &[char], today: NaiveDate) -> Result<Self, IdNumberError> {
        let mut body = Vec::with_capacity(17);
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_ascii_digit() {
                return Err(IdNumberError::Character(i + 1));
            }
            if i == 6 {
                body.extend_from_slice(b"19");
            }
            body.push(c as u8);
        }
        validate_body(&body, today)?;
        let check = check_char(&body);
        body.push(check);
        Ok(Self(body.iter().map(|&b| b as char).collect()))
    }

    /// Builds a valid number from its parts (used by the synthetic-data generator).
    /// `sequence` is 0..=999; the check character is computed.
    pub fn from_parts(region_code: u32, birth: NaiveDate, sequence: u16) -> Self {
        let body = format!(
            "{region_code:06}{:04}{:02}{:02}{:03}",
            birth.year(),
            birth.month(),
            birth.day(),
            sequence % 1000
        );
        let check = check_char(body.as_bytes());
        let mut s = body;
        s.push(check as char);
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn region(&self) -> Region {
        Region::from_code(self.region_code())
    }

    pub fn birth_date(&self) -> NaiveDate {
        let year = self.0[6..10].parse().unwrap_or(1900);
        let month = self.0[10..12].parse().unwrap_or(1);
        let day = self.0[12..14].parse().unwrap_or(1);
        // Validated at construction, so the fallback is unreachable in practice.
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
    }

    /// Odd 17th digit: male; even: female.
    pub fn sex(&self) -> Sex {
        match self.0.as_bytes()[16] % 2 {
            1 => Sex::Male,
            _ => Sex::Female,
        }
    }

    /// `371502********123X`: region kept, birth date hidden, last four kept.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

fn validate_body(body: &[u8], today: NaiveDate) -> Result<(), IdNumberError> {
    let digits = |r: std::ops::Range<usize>| -> u32 {
        body[r]
            .iter()
            .fold(0, |acc, &b| acc * 10 + u32::from(b - b'0'))
    };
    if !divisions().provinces.contains_key(&digits(0..2)) {
        return Err(IdNumberError::Province);
    }
    let year = digits(6..10) as i32;
    if year < 1900 {
        return Err(IdNumberError::BirthYearTooEarly);
    }
    let birth = NaiveDate::from_ymd_opt(year, digits(10..12), digits(12..14))
        .ok_or(IdNumberError::BirthDate)?;
    if birth > today {
        return Err(IdNumberError::FutureBirthDate);
    }
    Ok(())
}

/// ISO 7064 MOD 11-2 check character over 17 ASCII digits.
pub fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Region derived from the first six digits. Names are `None` where the code is not in the
/// GB/T 2260 table (codes change over time, so an unknown county is not an invalid number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: String,
    pub province: Option<&'static str>,
    pub city: Option<&'static str>,
    pub county: Option<&'static str>,
}

impl Region {
    pub fn from_code(code: &str) -> Self {
        let d = divisions();
        let n: u32 = code.parse().unwrap_or(0);
        Region {
            code: code.to_string(),
            province: d.provinces.get(&(n / 10_000)).copied(),
            city: d
                .names
                .get(&(n / 100 * 100))
                .copied()
                .filter(|_| !n.is_multiple_of(10_000)),
            county: d.names.get(&n).copied().filter(|_| !n.is_multiple_of(100)),
        }
    }

    /// "山东省聊城市东昌府区", skipping levels the table does not know.
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.province, self.city, self.county]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.concat())
    }
}

struct Divisions {
    provinces: HashMap<u32, &'static str>,
    names: HashMap<u32, &'static str>,
}

fn divisions() -> &'static Divisions {
    static DIVISIONS: LazyLock<Divisions> = LazyLock::new(|| {
        let mut provinces = HashMap::new();
        let mut names = HashMap::new();
        for line in include_str!("../assets/gb2260_divisions.csv")
            .lines()
            .skip(1)
        {
            let mut cols = line.split(',');
            let (Some(code), Some(name), Some(level)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let Ok(code) = code.parse::<u32>() else {
                continue;
            };
            names.insert(code, name);
            if level == "province" {
                provinces.insert(code / 10_000, name);
            }
        }
        Divisions { provinces, names }
    });
    &DIVISIONS
}

/// Every county-level code in the table under a prefix ("3715" → Liaocheng's counties).
pub fn counties_under(prefix: &str) -> Vec<u32> {
    let mut v: Vec<u32> = divisions()
        .names
        .keys()
        .copied()
        .filter(|c| c % 100 != 0 && format!("{c:06}").starts_with(prefix))
        .collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn accepts_a_known_valid_number_and_derives_facts() {
        let id = IdNumber::from_parts(371502, NaiveDate::from_ymd_opt(1985, 3, 7).unwrap(), 123);
        let parsed = IdNumber::parse_as_of(id.as_str(), today()).unwrap();
        assert_eq!(parsed, id);
        assert_eq!(
            parsed.birth_date(),
            NaiveDate::from_ymd_opt(1985, 3, 7).unwrap()
        );
        assert_eq!(parsed.sex(), Sex::Male);
        let r = parsed.region();
        assert_eq!(r.province, Some("山东省"));
        assert_eq!(r.city, Some("聊城市"));
        assert_eq!(r.county, Some("东昌府区"));
        assert_eq!(
            parsed.masked(),
            format!("371502********{}", &id.as_str()[14..])
        );
    }

    #[test]
    fn the_standard_example_number_is_valid() {
        // The worked example of GB 11643-1999.
        assert!(IdNumber::parse_as_of("11010519491231002X", today()).is_ok());
        // Lower-case x and surrounding spaces are normalised.
        let id = IdNumber::parse_as_of("  11010519491231002x ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn converts_legacy_15_digit_numbers() {
        let id = IdNumber::parse_as_of("110105491231002", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn rejects_with_a_reason() {
        let t = today();
        assert_eq!(
            IdNumber::parse_as_of("123", t),
            Err(IdNumberError::Length(3))
        );
        assert_eq!(
            IdNumber::parse_as_of("1101051949123100XX", t),
            Err(IdNumberError::Character(17))
        );
        assert_eq!(
            IdNumber::parse_as_of("991051194912310020", t),
            Err(IdNumberError::Province)
        );
        let feb30 = format!("37150219850230123{}", 'X');
        assert_eq!(
            IdNumber::parse_as_of(&feb30, t),
            Err(IdNumberError::BirthDate)
        );
        let future = IdNumber::from_parts(371502, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), 1);
        assert_eq!(
            IdNumber::parse_as_of(future.as_str(), t),
            Err(IdNumberError::FutureBirthDate)
        );
        let old = IdNumber::from_parts(371502, NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(), 1);
        assert_eq!(
            IdNumber::parse_as_of(old.as_str(), t),
            Err(IdNumberError::BirthYearTooEarly)
        );
        assert_eq!(
            IdNumber::parse_as_of("110105194912310021", t),
            Err(IdNumberError::Checksum)
        );
    }

    #[test]
    fn unknown_county_is_valid_and_named_only_as_far_as_known() {
        let id = IdNumber::from_parts(371599, NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 2);
        let parsed = IdNumber::parse_as_of(id.as_str(), today()).unwrap();
        let r = parsed.region();
        assert_eq!(r.province, Some("山东省"));
        assert_eq!(r.county, None);
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse_as_of("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    #[test]
    fn counties_under_a_prefix() {
        let c = counties_under("3715");
        assert!(c.contains(&371502) && c.contains(&371522));
        assert!(c.iter().all(|c| c / 100 == 3715));
    }

    fn valid_number() -> impl Strategy<Value = IdNumber> {
        let regions = prop::sample::select(vec![
            110105u32, 371502, 371522, 370405, 370102, 370321, 440305, 650102, 371599,
        ]);
        // Day offsets from 1900-01-01 up to the fixed "today".
        let max_days = (today() - NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).num_days();
        (regions, 0..=max_days, 0u16..1000).prop_map(|(r, d, s)| {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(d as u64);
            IdNumber::from_parts(r, birth, s)
        })
    }

    proptest! {
        #[test]
        fn generated_valid_numbers_are_accepted(id in valid_number()) {
            let parsed = IdNumber::parse_as_of(id.as_str(), today());
            prop_assert_eq!(parsed, Ok(id.clone()));
            let lower = id.as_str().to_lowercase();
            prop_assert_eq!(IdNumber::parse_as_of(&format!(" {lower} "), today()), Ok(id));
        }

        #[test]
        fn every_single_substitution_is_rejected(id in valid_number()) {
            let s: Vec<char> = id.as_str().chars().collect();
            for pos in 0..18 {
                for c in "0123456789X".chars() {
                    if c == s[pos] {
                        continue;
                    }
                    let mut t = s.clone();
                    t[pos] = c;
                    let t: String = t.into_iter().collect();
                    prop_assert!(
                        IdNumber::parse_as_of(&t, today()).is_err(),
                        "substitution {} at {} accepted", c, pos
                    );
                }
            }
        }

        #[test]
        fn every_adjacent_transposition_is_rejected(id in valid_number()) {
            let s: Vec<char> = id.as_str().chars().collect();
            for pos in 0..17 {
                if s[pos] == s[pos + 1] {
                    continue;
                }
                let mut t = s.clone();
                t.swap(pos, pos + 1);
                let t: String = t.into_iter().collect();
                prop_assert!(
                    IdNumber::parse_as_of(&t, today()).is_err(),
                    "transposition at {} accepted", pos
                );
            }
        }
    }
}
