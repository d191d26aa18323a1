//! The hub as an Apollo Federation v2 subgraph: `Person @key(fields: "idNumber")`, its
//! subgraph SDL (`_service { sdl }`, and `schema.graphql`), and `_entities` — one more way
//! in to persons, through the same admission, policy, audit and batching as `persons`.
//!
//! async-graphql's own `_entities` resolves every representation at the *same* response
//! path (no list index), so the persons of one answer could not be told apart by the
//! enforcement point, which ties each field to the person registered at its path. The
//! hub therefore answers `_entities` itself, as a list (each entity at `_entities[i]`),
//! and adds the `@key` to the exported SDL.

use std::sync::{Arc, OnceLock};

use async_graphql::registry::SDLExportOptions;
use async_graphql::{Any, Context, SimpleObject, Union, Value};

use super::Person;
use crate::error::HubError;
use crate::id_number::IdNumber;

/// The entity types the hub resolves by key: `Person` only.
#[derive(Union)]
#[graphql(name = "_Entity")]
pub enum Entity {
    Person(Person),
}

/// What `_service` answers: the subgraph's SDL.
#[derive(SimpleObject)]
#[graphql(name = "_Service")]
pub struct Service {
    pub sdl: Option<String>,
}

/// The federation key of `Person`.
const PERSON_KEY: &str = "@key(fields: \"idNumber\")";

/// The subgraph SDL: the schema's Federation export with `Person`'s key, built once.
pub fn subgraph_sdl() -> &'static str {
    static SDL: OnceLock<String> = OnceLock::new();
    SDL.get_or_init(|| {
        let schema = super::build_schema(super::QueryLimits::default());
        with_key(&schema.sdl_with_options(SDLExportOptions::new().federation()))
    })
}

/// `sdl` with `@key` on `type Person`.
fn with_key(sdl: &str) -> String {
    let mut out = String::with_capacity(sdl.len() + PERSON_KEY.len() + 1);
    for line in sdl.split_inclusive('\n') {
        match line.strip_prefix("type Person ") {
            Some(rest) if !rest.contains('@') => {
                out.push_str("type Person ");
                out.push_str(PERSON_KEY);
                out.push(' ');
                out.push_str(rest);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The ID number a representation names: `{ __typename: "Person", idNumber: "…" }`.
fn representation_id(i: usize, r: &Value) -> Result<IdNumber, HubError> {
    let bad = |detail: &str| HubError::BadUserInput {
        detail: Some(format!("representations[{i}]: {detail}")),
    };
    let Value::Object(fields) = r else {
        return Err(bad("not an object"));
    };
    match fields.get("__typename") {
        Some(Value::String(t)) if t == "Person" => {}
        Some(Value::String(_)) => return Err(bad("__typename is not an entity of this subgraph")),
        _ => return Err(bad("__typename missing")),
    }
    match fields.get("idNumber") {
        Some(Value::String(s)) => IdNumber::parse(s).map_err(|error| HubError::InvalidIdNumber {
            error,
            index: Some(i),
        }),
        _ => Err(bad("idNumber missing or not a string")),
    }
}

/// `_entities(representations:)`: the persons named, in order, as `persons` answers them
/// (null for a number no department knows, or for a person the consumer may not read);
/// a malformed representation or an invalid ID number fails the field, naming its index.
pub async fn entities(
    ctx: &Context<'_>,
    representations: Vec<Any>,
) -> async_graphql::Result<Vec<Option<Entity>>> {
    super::check_batch(ctx, "representations", representations.len())?;
    let ids = representations
        .iter()
        .enumerate()
        .map(|(i, r)| representation_id(i, &r.0))
        .collect::<Result<Vec<IdNumber>, HubError>>()?;
    Ok(super::admitted_persons(ctx, &ids)
        .await?
        .into_iter()
        .map(|p| p.map(Entity::Person))
        .collect())
}

/// `_service { sdl }`: the subgraph SDL as the calling consumer is shown the schema (the
/// whole of it to the hub admin, or with the policy switched off).
pub fn service(ctx: &Context<'_>) -> Service {
    let full = subgraph_sdl();
    let sdl = match ctx.data_opt::<Arc<crate::policy::enforce::Access>>() {
        Some(a) if !a.consumer.is_admin() => super::view::sdl_for(&a.snapshot, &a.consumer, full),
        _ => full.to_string(),
    };
    Service { sdl: Some(sdl) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_on_person_only() {
        let sdl = "type PersonCore {\n}\ntype Person {\n\tidNumber: IdNumber\n}\n";
        assert_eq!(
            with_key(sdl),
            "type PersonCore {\n}\ntype Person @key(fields: \"idNumber\") {\n\tidNumber: IdNumber\n}\n"
        );
    }

    #[test]
    fn the_subgraph_sdl_links_federation_and_keys_person() {
        let sdl = subgraph_sdl();
        assert!(sdl.contains("@link("), "{sdl}");
        assert!(sdl.contains("specs.apollo.dev/federation/v2"));
        assert_eq!(sdl.matches(PERSON_KEY).count(), 1);
        assert!(
            !sdl.contains("_entities(")
                && !sdl.contains("_service:")
                && !sdl.contains("scalar _Any")
        );
    }

    #[test]
    fn representations_name_a_person_by_a_valid_number() {
        let rep = |v: serde_json::Value| Value::from_json(v).unwrap();
        let ok = rep(serde_json::json!({"__typename": "Person", "idNumber": "11010519491231002X"}));
        assert!(representation_id(0, &ok).is_ok());
        let other = rep(serde_json::json!({"__typename": "Car", "idNumber": "11010519491231002X"}));
        assert!(matches!(
            representation_id(0, &other),
            Err(HubError::BadUserInput { .. })
        ));
        let bad =
            rep(serde_json::json!({"__typename": "Person", "idNumber": "110105194912310021"}));
        assert!(matches!(
            representation_id(3, &bad),
            Err(HubError::InvalidIdNumber { index: Some(3), .. })
        ));
    }
}
