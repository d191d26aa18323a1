//! The one clock. Every "today" in the hub is the calendar date in China Standard Time
//! (Asia/Shanghai, UTC+8 all year, no daylight saving), taken once per request from the
//! app's [`Clock`], which tests replace with a fixed instant.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Where the current time comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    /// Always this instant (tests).
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }

    /// The time of one request: every "today" in it is the same day.
    pub fn request_time(&self) -> RequestTime {
        RequestTime { now: self.now() }
    }
}

/// China Standard Time (checked at compile time).
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The calendar date of `t` in China Standard Time.
pub fn date_in_china(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&CHINA).date_naive()
}

/// Today's date in China Standard Time, from the system clock (for validations that have
/// no request, such as an ID number's birth date not lying in the future).
pub fn today_in_china() -> NaiveDate {
    date_in_china(Utc::now())
}

/// The instant a request is served at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTime {
    pub now: DateTime<Utc>,
}

impl RequestTime {
    /// The request's date in China Standard Time.
    pub fn today(&self) -> NaiveDate {
        date_in_china(self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_date_in_china() {
        // 16:30 UTC on 31 Dec is already 1 Jan in Beijing.
        let t = Utc.with_ymd_and_hms(2025, 12, 31, 16, 30, 0).unwrap();
        assert_eq!(
            Clock::Fixed(t).request_time().today(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        let t = Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap();
        assert_eq!(
            date_in_china(t),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }
}
