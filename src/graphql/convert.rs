//! How domain values become GraphQL output values: by reference where the type is the
//! same, by conversion for dates and for enums mirrored from the domain layer.

use chrono::NaiveDate;

use super::scalars::Date;

/// Converts a domain value (borrowed) to the GraphQL output type `T`.
pub trait Gql<'a, T> {
    fn gql(&'a self) -> T;
}

impl<'a, T: 'a> Gql<'a, &'a T> for T {
    fn gql(&'a self) -> &'a T {
        self
    }
}

impl Gql<'_, Date> for NaiveDate {
    fn gql(&self) -> Date {
        Date(*self)
    }
}

impl Gql<'_, Option<Date>> for Option<NaiveDate> {
    fn gql(&self) -> Option<Date> {
        self.map(Date)
    }
}

/// `Gql` for GraphQL enums declared with `#[graphql(remote = "…")]` over a domain enum
/// (async-graphql generates the `From` both ways).
#[macro_export]
macro_rules! gql_enums {
    ($($local:ident => $remote:path),* $(,)?) => {
        $(
            impl $crate::graphql::convert::Gql<'_, $local> for $remote {
                fn gql(&self) -> $local {
                    (*self).into()
                }
            }
        )*
    };
}
