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
