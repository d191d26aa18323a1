//! The module layering, read from the source: departments/domain → sources → policy →
//! graphql → http, each module using only modules below it (so there are no import
//! cycles), the domain free of GraphQL and SQL, the entities free of GraphQL.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer; a module may use lower layers only.
const LAYERS: &[(&str, u8)] = &[
    ("clock", 0),
    ("i18n", 0),
    ("id_number", 1),
    ("departments", 1),
    ("domain", 2),
    ("config", 2),
    ("error", 2),
    ("sources", 3),
    ("db", 4),
    ("audit", 4),
    ("screening", 4),
    ("policy", 5),
    ("seed", 5),
    ("reporting", 6),
    ("graphql", 7),
    ("telemetry", 7),
    ("http", 8),
    ("cli", 9),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `crate::x` (and `$crate::x`) references per top-level module, macros excluded.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        assert!(
            modules.contains(module.as_str()),
            "module `{module}` has no layer in LAYERS"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(name.as_str()) && name != module {
                graph.entry(module.clone()).or_default().insert(name);
            }
        }
    }
    graph
}

#[test]
fn every_module_uses_only_lower_layers() {
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut violations = Vec::new();
    for (from, tos) in uses() {
        for to in tos {
            if layer[to.as_str()] >= layer[from.as_str()] {
                violations.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(violations.is_empty(), "layering violated: {violations:?}");
}

fn files_under(rel: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel), &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn the_domain_has_neither_graphql_nor_sql_and_entities_no_graphql() {
    for (f, text) in files_under("src/domain") {
        for banned in ["async_graphql", "sea_orm", "entities::", "sqlx"] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
    for (f, text) in files_under("entities/src") {
        assert!(
            !text.contains("async_graphql"),
            "{} uses GraphQL",
            f.display()
        );
    }
}
