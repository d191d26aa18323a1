//! Limits on the shape of an operation, checked before anything executes and in time
//! linear in the document: each fragment's expanded cost is computed once and reused at
//! every spread, so fragment fan-out cannot make the check (or the engine after it) slow.
//! Depth, recursion, aliases, root fields, fields, directives and complexity are all
//! measured **after** fragment expansion.

use std::collections::HashMap;

use async_graphql::parser::types::Field;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value as ConstValue, Variables};
use async_graphql_value::Value;

use crate::error::HubError;

/// The limits are the config's `[limits]` as they are.
pub use crate::config::LimitsConfig as QueryLimits;

/// Refuses a document of more than `max` lexical tokens before it is parsed: the count
/// stops at the limit, so a flood costs no more than a legitimate query (GraphQL's ignored
/// tokens — white space, commas, comments — do not count).
pub fn check_tokens(query: &str, max: usize) -> Result<(), HubError> {
    let b = query.as_bytes();
    let (mut i, mut n) = (0, 0usize);
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                n += 1;
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += if b[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                n += 1;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if b[i..].starts_with(b"...") => {
                n += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                n += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'+' | b'.'))
                {
                    i += 1;
                }
            }
            _ => {
                n += 1;
                i += 1;
            }
        }
        if n > max {
            return Err(HubError::LimitExceeded {
                what: "tokens",
                limit: max,
                got: n,
            });
        }
    }
    Ok(())
}

/// What reading one department's section costs, on top of its fields: source-backed
/// fields are what make a query expensive.
pub const SOURCE_COST: usize = 50;

/// Field name → named return type, per object type: enough type knowledge to follow a
/// selection through the schema.
#[derive(Debug, Default, Clone)]
pub struct TypeMap(HashMap<String, HashMap<String, String>>);

impl TypeMap {
    pub fn from_sdl(sdl: &str) -> Self {
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        let mut map = HashMap::new();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return Self(map);
        };
        for def in doc.definitions {
            if let TypeSystemDefinition::Type(t) = def {
                if let TypeKind::Object(obj) = &t.node.kind {
                    let fields = obj
                        .fields
                        .iter()
                        .map(|f| {
                            let ty = f.node.ty.node.to_string();
                            let named = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
                            (f.node.name.node.to_string(), named.to_string())
                        })
                        .collect();
                    map.insert(t.node.name.node.to_string(), fields);
                }
            }
        }
        Self(map)
    }

    fn field_type(&self, parent: Option<&str>, field: &str) -> Option<&str> {
        self.0.get(parent?)?.get(field).map(String::as_str)
    }
}

/// The measures of one selection set, fragments expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    depth: usize,
    recursion: usize,
    complexity: usize,
    aliases: usize,
    fields: usize,
    top_fields: usize,
    directives: usize,
    arguments: usize,
    /// Introspection lists nested in one another (by field name; only checked under
    /// `__schema` / `__type`).
    lists: usize,
    /// Persons asked for: `person` and `checkClaim` 1, `persons` and `_entities` their
    /// batch size.
    persons: usize,
}

/// The list-valued fields of the introspection types.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "args",
    "directives",
];

struct Checker<'a> {
    doc: &'a ExecutableDocument,
    types: &'a TypeMap,
    variables: &'a Variables,
    limits: &'a QueryLimits,
    /// `None` while a fragment is being measured: meeting it again is a cycle.
    fragments: HashMap<&'a Name, Option<Cost>>,
}

/// Checks every operation of `doc` against `limits`, and that the variables the operation
/// requires are given; returns how many persons the selected operation asks for. Every consumer may introspect (it sees its own view of the schema,
/// [`super::view`]); introspection has its own depth and nesting limits.
pub fn check(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    types: &TypeMap,
    limits: &QueryLimits,
) -> Result<usize, HubError> {
    let mut c = Checker {
        doc,
        types,
        variables,
        limits,
        fragments: HashMap::new(),
    };
    for (_, op) in doc.fragments.iter() {
        c.locations(&op.node.selection_set.node, op.node.directives.len())?;
    }
    let mut persons = 0;
    for (_, op) in doc.operations.iter() {
        let op = &op.node;
        c.locations(&op.selection_set.node, op.directives.len())?;
        let root = match op.ty {
            async_graphql::parser::types::OperationType::Query => "Query",
            async_graphql::parser::types::OperationType::Mutation => "Mutation",
            async_graphql::parser::types::OperationType::Subscription => "Subscription",
        };
        let cost = c.set(&op.selection_set.node, Some(root))?;
        let over = |what, got, limit| {
            (got > limit).then_some(HubError::LimitExceeded { what, limit, got })
        };
        let checks = [
            over("depth", cost.depth, limits.max_depth),
            over("recursion", cost.recursion, limits.max_recursive_depth),
            over("aliases", cost.aliases, limits.max_aliases),
            over("rootFields", cost.top_fields, limits.max_root_fields),
            over("fields", cost.fields, limits.max_fields),
            over(
                "directives",
                cost.directives + op.directives.len(),
                limits.max_directives,
            ),
            over("arguments", cost.arguments, limits.max_arguments),
            over("complexity", cost.complexity, limits.max_complexity),
        ];
        if let Some(e) = checks.into_iter().flatten().next() {
            return Err(e);
        }
        persons = persons.max(cost.persons);
    }
    if let Some(op) = selected(&doc.operations, operation_name) {
        required_variables(op, variables)?;
    }
    Ok(persons)
}

impl<'a> Checker<'a> {
    /// Directives at each location of a selection set (not expanded: a location is a
    /// place in the document).
    fn locations(&self, set: &SelectionSet, own: usize) -> Result<(), HubError> {
        let max = self.limits.max_directives_per_field;
        let over = |got: usize| {
            (got > max).then_some(HubError::LimitExceeded {
                what: "directivesPerLocation",
                limit: max,
                got,
            })
        };
        if let Some(e) = over(own) {
            return Err(e);
        }
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    self.locations(&f.node.selection_set.node, f.node.directives.len())?
                }
                Selection::InlineFragment(f) => {
                    self.locations(&f.node.selection_set.node, f.node.directives.len())?
                }
                Selection::FragmentSpread(s) => {
                    if let Some(e) = over(s.node.directives.len()) {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    fn set(&mut self, set: &'a SelectionSet, ty: Option<&'a str>) -> Result<Cost, HubError> {
        let mut total = Cost::default();
        for sel in &set.items {
            let (item, nested, top) = match &sel.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.as_str();
                    let child_ty = self.types.field_type(ty, name);
                    let mut child = self.set(&f.selection_set.node, child_ty)?;
                    if name == "__schema" || name == "__type" {
                        self.introspection(&child)?;
                        // Counted against its own limits above, not the data's depth.
                        child.depth = 0;
                    }
                    let weight = match (ty, name) {
                        (_, "__typename") => 1,
                        (Some("Person"), "idNumber" | "identity") => 1,
                        (Some("Person"), _) => SOURCE_COST,
                        _ => 1,
                    };
                    let batch = match (ty, name) {
                        (Some("Query"), "persons") => Some(self.batch_size(f, "idNumbers")),
                        (Some("Query"), "_entities") => Some(self.batch_size(f, "representations")),
                        _ => None,
                    };
                    let complexity = if let Some(n) = batch {
                        n.saturating_mul(child.complexity)
                    } else {
                        weight.saturating_add(child.complexity)
                    };
                    let has_children = !f.selection_set.node.items.is_empty();
                    let cost = Cost {
                        depth: child.depth + 1,
                        recursion: if has_children { child.recursion + 1 } else { 0 },
                        complexity,
                        aliases: child.aliases + usize::from(f.alias.is_some()),
                        fields: child.fields + 1,
                        top_fields: 1,
                        directives: child.directives + f.directives.len(),
                        arguments: child.arguments + f.arguments.len(),
                        lists: child.lists + usize::from(INTROSPECTION_LISTS.contains(&name)),
                        persons: match (batch, ty, name) {
                            (Some(n), _, _) => n,
                            (None, Some("Query"), "person" | "checkClaim") => 1,
                            _ => child.persons,
                        },
                    };
                    (cost, false, 1)
                }
                Selection::InlineFragment(f) => {
                    let inner_ty = f
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str())
                        .or(ty);
                    let mut cost = self.set(&f.node.selection_set.node, inner_ty)?;
                    cost.directives += f.node.directives.len();
                    (cost, true, cost.top_fields)
                }
                Selection::FragmentSpread(s) => {
                    let mut cost = self.fragment(&s.node.fragment_name.node)?;
                    cost.directives += s.node.directives.len();
                    (cost, true, cost.top_fields)
                }
            };
            total.depth = total.depth.max(item.depth);
            let recursion = if nested {
                item.recursion + 1
            } else {
                item.recursion
            };
            total.recursion = total.recursion.max(recursion);
            total.complexity = total.complexity.saturating_add(item.complexity);
            total.aliases = total.aliases.saturating_add(item.aliases);
            total.fields = total.fields.saturating_add(item.fields);
            total.top_fields = total.top_fields.saturating_add(top);
            total.directives = total.directives.saturating_add(item.directives);
            total.arguments = total.arguments.saturating_add(item.arguments);
            total.lists = total.lists.max(item.lists);
            total.persons = total.persons.saturating_add(item.persons);
        }
        Ok(total)
    }

    /// The limits of an introspection field's selection.
    fn introspection(&self, child: &Cost) -> Result<(), HubError> {
        let l = self.limits;
        let over = |what, got, limit| {
            (got > limit).then_some(HubError::LimitExceeded { what, limit, got })
        };
        [
            over(
                "introspectionDepth",
                child.depth + 1,
                l.max_introspection_depth,
            ),
            over("introspectionLists", child.lists, l.max_introspection_lists),
        ]
        .into_iter()
        .flatten()
        .next()
        .map_or(Ok(()), Err)
    }

    /// A fragment's cost, measured once.
    fn fragment(&mut self, name: &'a Name) -> Result<Cost, HubError> {
        match self.fragments.get(name) {
            Some(Some(cost)) => return Ok(*cost),
            Some(None) => {
                return Err(HubError::ValidationFailed {
                    detail: format!("fragment `{name}` spreads itself (a cycle)"),
                })
            }
            None => {}
        }
        // An unknown fragment costs nothing here; validation reports it.
        let Some(def) = self.doc.fragments.get(name) else {
            return Ok(Cost::default());
        };
        self.fragments.insert(name, None);
        let ty = def.node.type_condition.node.on.node.as_str();
        let cost = self.set(&def.node.selection_set.node, Some(ty))?;
        self.fragments.insert(name, Some(cost));
        Ok(cost)
    }

    /// How many persons a `persons` or `_entities` field asks for in its list argument
    /// `arg` (at least 1, at most one over the limit: the resolver refuses larger batches
    /// itself).
    fn batch_size(&self, f: &Field, arg: &str) -> usize {
        let n = match f.get_argument(arg).map(|v| &v.node) {
            Some(Value::List(items)) => items.len(),
            Some(Value::Variable(var)) => match self.variables.get(var) {
                Some(ConstValue::List(items)) => items.len(),
                _ => 1,
            },
            _ => 1,
        };
        n.clamp(1, self.limits.max_batch_ids.saturating_add(1))
    }
}

/// The operation that will run: the named one, or the only one.
fn selected<'a>(
    ops: &'a DocumentOperations,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (ops, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(m), Some(n)) => m.get(n).map(|op| &op.node),
        (DocumentOperations::Multiple(m), None) if m.len() == 1 => {
            m.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// Every non-null variable without a default must be given, and not as null.
fn required_variables(op: &OperationDefinition, variables: &Variables) -> Result<(), HubError> {
    for def in &op.variable_definitions {
        let def = &def.node;
        let given = variables
            .get(&def.name.node)
            .is_some_and(|v| !matches!(v, ConstValue::Null));
        if !def.var_type.node.nullable && def.default_value.is_none() && !given {
            return Err(HubError::BadUserInput {
                detail: Some(format!("variable ${} is required", def.name.node)),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> QueryLimits {
        QueryLimits::default()
    }

    fn run(q: &str) -> Result<usize, HubError> {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        let types = TypeMap::from_sdl(&crate::graphql::sdl());
        check(&doc, None, &Variables::default(), &types, &limits())
    }

    #[test]
    fn fragment_bomb_is_rejected_without_expanding() {
        let mut q = String::from("query { ...F0 }\nfragment F0 on Query { __typename }\n");
        for i in 1..=40 {
            q.push_str(&format!(
                "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
                i - 1,
                i - 1
            ));
        }
        q = q.replace("{ ...F0 }", "{ ...F40 }");
        // 2^40 expanded selections: this returns at all only because nothing is expanded.
        let err = run(&q).unwrap_err();
        assert!(matches!(err, HubError::LimitExceeded { .. }), "{err:?}");
    }

    #[test]
    fn persons_asked_for_are_counted_through_fragments_and_aliases() {
        let ids: Vec<String> = (0..7).map(|i| format!("\"{i}\"")).collect();
        let q = format!(
            "query {{ a: person(idNumber: \"x\") {{ idNumber }} ...F }} \
             fragment F on Query {{ persons(idNumbers: [{}]) {{ idNumber }} b: person(idNumber: \"y\") {{ idNumber }} }}",
            ids.join(",")
        );
        assert_eq!(run(&q).unwrap(), 1 + 7 + 1);
        assert_eq!(run("{ errorCodes }").unwrap(), 0);
    }

    #[test]
    fn aliases_are_counted_after_expansion() {
        let frag: String = (0..21).map(|i| format!("a{i}: __typename ")).collect();
        let roots: String = (0..9)
            .map(|i| format!("p{i}: person(idNumber: \"x\") {{ ...F }} "))
            .collect();
        let q = format!("query {{ {roots} }} fragment F on Person {{ {frag} }}");
        match run(&q) {
            Err(HubError::LimitExceeded { what, got, .. }) => {
                assert_eq!(what, "aliases");
                assert_eq!(got, 9 + 9 * 21);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tokens_are_counted_without_ignored_ones_and_the_count_stops_at_the_limit() {
        assert!(check_tokens("{ errorCodes }", 3).is_ok());
        assert!(check_tokens("{ errorCodes }", 2).is_err());
        let commas = format!("{{ errorCodes {} }}", ",".repeat(100_000));
        assert!(check_tokens(&commas, 3).is_ok());
        let q = "query($id: IdNumber!) { person(idNumber: $id) { idNumber } } # a comment";
        // query ( $ id : IdNumber ! ) { person ( idNumber : $ id ) { idNumber } }
        assert!(check_tokens(q, 20).is_ok());
        assert!(check_tokens(q, 19).is_err());
        assert!(check_tokens(r#"{ a(s: "x \" y", b: """ block \""" still """) }"#, 11).is_ok());
        let flood = "a: 1 ".repeat(1_000_000);
        match check_tokens(&flood, 5000) {
            Err(HubError::LimitExceeded { got, .. }) => assert_eq!(got, 5001),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cycles_are_validation_errors() {
        let q = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(matches!(run(q), Err(HubError::ValidationFailed { .. })));
    }

    #[test]
    fn an_ordinary_query_passes() {
        let q = "query { person(idNumber: \"x\") { identity { age } trainings { class { institution { name } } } } }";
        run(q).unwrap();
    }
}
