//! How domain values become GraphQL output values — by reference where the type is the
//! same, by conversion for dates and for enums mirrored from the domain layer — and the
//! macro that declares a GraphQL object, with its field catalog, over a domain struct.

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

/// Instants as RFC 3339 text in UTC, as receipts give them.
impl Gql<'_, String> for chrono::DateTime<chrono::Utc> {
    fn gql(&self) -> String {
        self.to_rfc3339()
    }
}

impl Gql<'_, Option<String>> for Option<chrono::DateTime<chrono::Utc>> {
    fn gql(&self) -> Option<String> {
        self.map(|t| t.to_rfc3339())
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

/// Declares a GraphQL object over a plain domain struct whose fields all carry personal
/// data: every listed field becomes a **nullable** GraphQL field (so that a denied field can
/// be null without changing the response's shape) with its `@share` declaration. The type
/// after the colon is the GraphQL output type; the domain value is converted to it with
/// [`Gql`](crate::graphql::convert::Gql).
///
/// ```text
/// shared_object!(SchoolingRecord {
///     /// Name as registered by the school.
///     student_name: &String => Education, Conditional, sensitive, Name;
/// });
/// ```
#[macro_export]
macro_rules! shared_object {
    ($(#[$tmeta:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty => $owner:ident, $class:ident, $sens:ident, $mask:ident; )* }) => {
        $(#[$tmeta])*
        #[async_graphql::Object]
        impl $name {
            $(
                $(#[$fmeta])*
                #[graphql(directive = $crate::policy::catalog::share::apply(
                    $crate::departments::Department::$owner,
                    $crate::policy::catalog::SharingClass::$class,
                    $crate::shared_object!(@sensitive $sens),
                    $crate::policy::mask::MaskKind::$mask,
                ))]
                async fn $field(&self) -> Option<$ty> {
                    Some($crate::graphql::convert::Gql::gql(&self.$field))
                }
            )*
        }
    };
    (@sensitive sensitive) => { true };
    (@sensitive plain) => { false };
}
