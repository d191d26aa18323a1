//! `schema.graphql` is generated from the code; this test fails on drift and rewrites the
//! file when `UPDATE_SCHEMA=1`.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = archive_hub::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &sdl).expect("write schema.graphql");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == sdl,
        "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test schema_graphql` and commit it"
    );
}

#[test]
fn id_numbers_are_a_string_scalar_everywhere() {
    let sdl = archive_hub::graphql::sdl();
    assert!(sdl.contains("scalar IdNumber"));
    assert!(sdl.contains("person(idNumber: IdNumber!): Person"));
    assert!(sdl.contains("persons(idNumbers: [IdNumber!]!): [Person]!"));
}

/// Fields reachable from `Query` that carry no catalog entry, each for a stated reason.
/// Everything else reachable from `Query` must have one.
const EXEMPT: &[(&str, &str)] = &[
    // Entry points: which persons a consumer may read at all is decided by admission
    // (region scope, citizen binding) at the enforcement point, and audited.
    ("Query.person", "admission"),
    ("Query.persons", "admission"),
    // Also an entry point to one person (admission), whose rules are decided one by one
    // by the policy layer (`ScreeningRule.<ID>`).
    ("Query.checkClaim", "admission, then per-rule decisions"),
    // The audit trail, not department records: reserved to auditors and citizen portals
    // by consumer kind at the enforcement point.
    ("Query.accessLog", "consumer kind"),
    ("Query.myAccessLog", "consumer kind"),
    // A constant.
    ("Query.errorCodes", "static"),
];

/// The one field that lists persons: in the catalog (a grant on it is required), but its
/// rows are decided by the policy layer person by person (`report_scope`,
/// `admit_report_row`: the rule, the region scope, an audit event per listed person), so
/// the walk does not descend into it.
const LISTING: &[(&str, &str)] = &[("Query.screeningReport", "report_scope and admit_report_row")];

/// Object types whose values never come from a department's records: from the ID number
/// alone (`Region`) or from the audit trail.
const NOT_DEPARTMENT_DATA: &[&str] = &["Region", "AccessLogEntry", "AccessedField"];

/// Every field reachable from `Query` that depends on a department's records (a value, a
/// count, whether a list is empty) must carry `@share` — so the enforcement point decides
/// and audits it — and be nullable, so a refusal is `null` in place. The exemptions are
/// listed above with their reasons; a field added without a catalog entry fails here.
#[test]
fn every_field_reachable_from_query_is_in_the_catalog_and_nullable() {
    use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(archive_hub::graphql::sdl()).unwrap();
    let mut objects = std::collections::HashMap::new();
    for def in &doc.definitions {
        if let TypeSystemDefinition::Type(t) = def {
            if let TypeKind::Object(o) = &t.node.kind {
                objects.insert(t.node.name.node.to_string(), o.clone());
            }
        }
    }
    let named = |mut ty: &async_graphql::parser::types::Type| loop {
        match &ty.base {
            BaseType::Named(n) => return n.to_string(),
            BaseType::List(inner) => ty = inner,
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec!["Query".to_string()];
    let mut missing = Vec::new();
    while let Some(t) = queue.pop() {
        if !seen.insert(t.clone()) || NOT_DEPARTMENT_DATA.contains(&t.as_str()) {
            continue;
        }
        let Some(obj) = objects.get(&t) else { continue };
        for f in &obj.fields {
            let f = &f.node;
            let key = format!("{t}.{}", f.name.node);
            let shared = f.directives.iter().any(|d| d.node.name.node == "share");
            if LISTING.iter().any(|(k, _)| *k == key) {
                assert!(shared, "{key} must be in the catalog");
                continue;
            }
            if EXEMPT.iter().any(|(k, _)| *k == key) {
                assert!(!shared, "{key} is exempt but has @share");
            } else if !shared {
                missing.push(format!("{t}.{} has no @share", f.name.node));
            } else if !f.ty.node.nullable {
                missing.push(format!("{t}.{} is non-null", f.name.node));
            }
            queue.push(named(&f.ty.node));
        }
    }
    assert!(seen.len() > 10, "walked only {seen:?}");
    assert!(missing.is_empty(), "{missing:#?}");
}
