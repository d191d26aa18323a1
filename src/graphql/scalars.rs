//! GraphQL scalars of the hub's own types.

use async_graphql::{InputValueResult, Scalar, ScalarType, Value};

use crate::error::id_number_input_error;
use crate::id_number::{IdNumber, IdNumberError};

/// Resident ID number (居民身份证号码, GB 11643-1999): always a JSON string of 18
/// characters on output; input may be 18 characters (lower-case `x` allowed, surrounding
/// spaces ignored) or a legacy 15-digit number, which is converted.
#[Scalar(name = "IdNumber")]
impl ScalarType for IdNumber {
    fn parse(value: Value) -> InputValueResult<Self> {
        let result = match &value {
            Value::String(s) => IdNumber::parse(s),
            _ => Err(IdNumberError::NotAString),
        };
        result.map_err(|e| id_number_input_error(&e))
    }

    fn is_valid(value: &Value) -> bool {
        // Let every value through validation so that `parse` reports the precise reason.
        let _ = value;
        true
    }

    fn to_value(&self) -> Value {
        Value::String(self.as_str().to_owned())
    }
}

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub chrono::NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    async_graphql::InputValueError::custom("expected a date as YYYY-MM-DD")
                }),
            _ => Err(async_graphql::InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        // chrono's Display is YYYY-MM-DD for years 0–9999 (every date the sources hold)
        // and skips parsing a format string for each of a batch's thousands of dates.
        Value::String(self.0.to_string())
    }
}

impl From<chrono::NaiveDate> for Date {
    fn from(d: chrono::NaiveDate) -> Self {
        Date(d)
    }
}

/// A `[IdNumber!]!` argument parsed item by item, so that the resolver can report each
/// invalid number with its position (the engine's own list parsing drops the reason).
pub struct IdNumberList(pub Vec<Result<IdNumber, IdNumberError>>);

impl async_graphql::InputType for IdNumberList {
    type RawValueType = Self;

    fn type_name() -> std::borrow::Cow<'static, str> {
        <Vec<IdNumber> as async_graphql::InputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<IdNumber> as async_graphql::InputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Vec<IdNumber> as async_graphql::InputType>::create_type_info(registry)
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        let one = |v: Value| match &v {
            Value::String(s) => IdNumber::parse(s),
            _ => Err(IdNumberError::NotAString),
        };
        match value.unwrap_or_default() {
            Value::List(items) => Ok(Self(items.into_iter().map(one).collect())),
            Value::Null => Err(async_graphql::InputValueError::expected_type(Value::Null)),
            // GraphQL input coercion accepts a single value for a list.
            v => Ok(Self(vec![one(v)])),
        }
    }

    fn to_value(&self) -> Value {
        Value::List(
            self.0
                .iter()
                .filter_map(|r| r.as_ref().ok().map(ScalarType::to_value))
                .collect(),
        )
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_yyyy_mm_dd() {
        for (y, m, d, text) in [
            (2024, 3, 1, "2024-03-01"),
            (999, 1, 2, "0999-01-02"),
            (1950, 12, 31, "1950-12-31"),
        ] {
            let date = Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
            assert_eq!(date.to_value(), Value::String(text.into()));
            assert_eq!(Date::parse(Value::String(text.into())).unwrap(), date);
        }
    }
}
