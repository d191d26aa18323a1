//! The field catalog (政务信息资源目录): which department owns each personal-data field, its
//! sharing class, whether it is sensitive and how it is masked.
//!
//! The declaration lives next to each field in code, as the `@share` directive (see
//! `graphql::convert`'s `shared_object!`); the catalog is read back from the generated
//! schema, so code, `schema.graphql` and enforcement cannot disagree.

use std::collections::BTreeMap;

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use async_graphql::resolver_utils::EnumType;
use async_graphql::{Enum, TypeDirective};

use super::mask::MaskKind;
use crate::departments::Department;

/// Sharing class under the national rules for government information sharing.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SharingClass {
    /// 无条件共享: any authenticated consumer.
    Unconditional,
    /// 有条件共享: needs a grant for the consumer and purpose.
    Conditional,
    /// 不予共享: the owning department only.
    None,
}

/// Declares a personal-data field: owner department, sharing class, sensitivity, mask.
#[TypeDirective(location = "FieldDefinition")]
pub fn share(owner: Department, class: SharingClass, sensitive: bool, mask: MaskKind) {}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPolicy {
    /// `Type.field`, shared so that recording a decision does not allocate.
    pub key: std::sync::Arc<str>,
    pub type_name: String,
    pub field: String,
    pub owner: Department,
    /// Further owners: a screening rule is owned by every department it reads.
    pub co_owners: Vec<Department>,
    pub class: SharingClass,
    pub sensitive: bool,
    pub mask: MaskKind,
    pub description: Option<String>,
}

impl FieldPolicy {
    pub fn key(&self) -> std::sync::Arc<str> {
        self.key.clone()
    }

    /// Whether `d` is its only owner (the owner rule then lets `d` read it).
    pub fn owned_only_by(&self, d: Department) -> bool {
        self.owner == d && self.co_owners.iter().all(|o| *o == d)
    }

    /// Every owner's code, `+`-joined.
    pub fn owners_code(&self) -> String {
        std::iter::once(self.owner)
            .chain(self.co_owners.iter().copied())
            .map(Department::code)
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// The catalog type of the screening rules' entries (`ScreeningRule.<ID>`).
pub const SCREENING_RULE: &str = "ScreeningRule";

/// Every declared field, keyed by `(type, field)`.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    fields: BTreeMap<(String, String), FieldPolicy>,
    /// Looked up for every resolved field: a fast seeded hash, not SipHash.
    by_type: ByType,
}

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type ByType = FastMap<String, FastMap<String, FieldPolicy>>;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("schema SDL does not parse: {0}")]
    Sdl(String),
    #[error("bad @share on {0}: {1}")]
    Directive(String, String),
}

impl Catalog {
    /// Reads every `@share` declaration out of the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Result<Self, CatalogError> {
        let doc = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| CatalogError::Sdl(e.to_string()))?;
        let mut fields = BTreeMap::new();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let TypeKind::Object(obj) = &t.node.kind else {
                continue;
            };
            let type_name = t.node.name.node.to_string();
            for f in &obj.fields {
                let f = &f.node;
                let Some(d) = f.directives.iter().find(|d| d.node.name.node == "share") else {
                    continue;
                };
                let key = format!("{type_name}.{}", f.name.node);
                let arg = |name: &str| -> Result<String, CatalogError> {
                    d.node
                        .get_argument(name)
                        .map(|v| v.node.to_string())
                        .ok_or_else(|| {
                            CatalogError::Directive(key.clone(), format!("missing {name}"))
                        })
                };
                let owner = parse_enum::<Department>(&arg("owner")?)
                    .ok_or_else(|| CatalogError::Directive(key.clone(), "owner".into()))?;
                let class = parse_enum::<SharingClass>(&arg("class")?)
                    .ok_or_else(|| CatalogError::Directive(key.clone(), "class".into()))?;
                let mask = parse_enum::<MaskKind>(&arg("mask")?)
                    .ok_or_else(|| CatalogError::Directive(key.clone(), "mask".into()))?;
                let sensitive = arg("sensitive")? == "true";
                fields.insert(
                    (type_name.clone(), f.name.node.to_string()),
                    FieldPolicy {
                        key: key.as_str().into(),
                        type_name: type_name.clone(),
                        field: f.name.node.to_string(),
                        owner,
                        co_owners: Vec::new(),
                        class,
                        sensitive,
                        mask,
                        description: f.description.as_ref().map(|d| d.node.clone()),
                    },
                );
            }
        }
        // Each screening rule reveals the records it reads: owned by every department it
        // reads, conditional, read (and audited) as `ScreeningRule.<ID>`.
        for rule in crate::screening::ScreeningRule::ALL {
            let reads = rule.reads();
            let key = format!("{SCREENING_RULE}.{}", rule.id());
            fields.insert(
                (SCREENING_RULE.to_string(), rule.id().to_string()),
                FieldPolicy {
                    key: key.as_str().into(),
                    type_name: SCREENING_RULE.to_string(),
                    field: rule.id().to_string(),
                    owner: reads[0],
                    co_owners: reads[1..].to_vec(),
                    class: SharingClass::Conditional,
                    sensitive: true,
                    mask: MaskKind::None,
                    description: Some(format!("screening rule, clause {}", rule.clause())),
                },
            );
        }
        let mut by_type = ByType::default();
        for ((t, f), p) in &fields {
            by_type
                .entry(t.clone())
                .or_default()
                .insert(f.clone(), p.clone());
        }
        Ok(Self { fields, by_type })
    }

    pub fn get(&self, type_name: &str, field: &str) -> Option<&FieldPolicy> {
        // Looked up for every resolved field: two borrowed-key look-ups, no allocation.
        self.by_type.get(type_name)?.get(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldPolicy> {
        self.fields.values()
    }

    pub fn types(&self) -> impl Iterator<Item = &str> {
        let mut v: Vec<&str> = self.fields.keys().map(|(t, _)| t.as_str()).collect();
        v.dedup();
        v.into_iter()
    }

    /// True when `pattern` (`Type.field` or `Type.*`) names at least one catalog field.
    pub fn matches_any(&self, pattern: &str) -> bool {
        self.iter()
            .any(|f| pattern_matches(pattern, &f.type_name, &f.field))
    }

    /// The catalog as CSV (one row per field).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("type,field,owner,class,sensitive,mask,description\n");
        for f in self.iter() {
            out.push_str(&format!(
                "{},{},{},{},{},{},\"{}\"\n",
                f.type_name,
                f.field,
                f.owners_code(),
                enum_name(f.class),
                f.sensitive,
                enum_name(f.mask),
                f.description
                    .clone()
                    .unwrap_or_default()
                    .replace('"', "\"\"")
                    .replace('\n', " ")
            ));
        }
        out
    }

    /// The catalog as a Markdown table.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from(
            "| type | field | owner | class | sensitive | mask |\n|---|---|---|---|---|---|\n",
        );
        for f in self.iter() {
            out.push_str(&format!(
                "| {} | {} | {} ({}) | {} | {} | {} |\n",
                f.type_name,
                f.field,
                std::iter::once(f.owner)
                    .chain(f.co_owners.iter().copied())
                    .map(|d| d.name(crate::i18n::Lang::Zh))
                    .collect::<Vec<_>>()
                    .join("、"),
                f.owners_code(),
                enum_name(f.class),
                if f.sensitive { "yes" } else { "" },
                enum_name(f.mask)
            ));
        }
        out
    }
}

/// `Type.field` or `Type.*`.
pub fn pattern_matches(pattern: &str, type_name: &str, field: &str) -> bool {
    match pattern.split_once('.') {
        Some((t, "*")) => t == type_name,
        Some((t, f)) => t == type_name && f == field,
        None => false,
    }
}

/// How specific a pattern is: an exact field beats `Type.*`.
pub fn specificity(pattern: &str) -> u8 {
    if pattern.ends_with(".*") {
        1
    } else {
        2
    }
}

fn parse_enum<T: EnumType>(s: &str) -> Option<T> {
    T::items().iter().find(|i| i.name == s).map(|i| i.value)
}

fn enum_name<T: EnumType + PartialEq>(v: T) -> &'static str {
    T::items()
        .iter()
        .find(|i| i.value == v)
        .map_or("?", |i| i.name)
}
