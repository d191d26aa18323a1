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
