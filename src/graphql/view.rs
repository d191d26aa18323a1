//! Each consumer's view of the schema: introspection (GraphiQL's docs and autocomplete)
//! and `GET /schema` show a consumer only the root fields its kind may call and the
//! catalog fields it could ever be granted ([`PolicySnapshot::shows`]); the hub admin sees
//! everything. Only what is *shown* changes: validation and execution use the one schema,
//! and the policy extension still decides every field of every request.
//!
//! async-graphql hides a field from introspection through a `visible` function pointer
//! that is not told which field it is asked about. So at schema build every object field
//! gets its own monomorphised `visible_at::<N>`, and `N` indexes a process-wide table of
//! `(type, field)` names.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, RwLock};

use async_graphql::parser::types::Directive;
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    Context, ContextDirective, CustomDirective, CustomDirectiveFactory, ServerError, ServerResult,
};

use crate::policy::enforce::Access;
use crate::policy::{Consumer, PolicySnapshot};

/// How many distinct object fields the view can tell apart; far above the schema's (a
/// unit test keeps it so). A field beyond it is hidden from everyone but the admin.
const CAPACITY: usize = 2048;

type VisibleFn = fn(&Context<'_>) -> bool;

/// One object or interface field of the schema.
struct FieldName {
    type_name: Arc<str>,
    name: Arc<str>,
    /// The object or interface type it returns, if any.
    returns: Option<Arc<str>>,
}

/// Every field handed an index, and the reverse.
#[derive(Default)]
struct Names {
    fields: Vec<FieldName>,
    index: HashMap<(Arc<str>, Arc<str>), usize>,
    by_type: HashMap<Arc<str>, Vec<usize>>,
}

static NAMES: LazyLock<RwLock<Names>> = LazyLock::new(RwLock::default);

fn names() -> std::sync::RwLockReadGuard<'static, Names> {
    NAMES.read().unwrap_or_else(|p| p.into_inner())
}

/// The fixed index of a field, handed out on first sight (the same in every schema this
/// process builds); `None` past [`CAPACITY`].
fn index_of(type_name: &str, name: &str, returns: Option<&str>) -> Option<usize> {
    let key: (Arc<str>, Arc<str>) = (type_name.into(), name.into());
    let mut names = NAMES.write().unwrap_or_else(|p| p.into_inner());
    if let Some(i) = names.index.get(&key) {
        return Some(*i);
    }
    let i = names.fields.len();
    if i >= CAPACITY {
        return None;
    }
    names.fields.push(FieldName {
        type_name: key.0.clone(),
        name: key.1.clone(),
        returns: returns.map(Into::into),
    });
    names.by_type.entry(key.0.clone()).or_default().push(i);
    names.index.insert(key, i);
    Some(i)
}

/// Which fields `consumer` is shown, by index: those [`PolicySnapshot::shows`] it whose
/// object type (if any) keeps at least one field shown — an object with nothing in it is
/// not a type a client can use (GraphiQL would call the schema invalid).
fn view_of(snapshot: &PolicySnapshot, consumer: &Consumer) -> Vec<bool> {
    fn decide(
        i: usize,
        names: &Names,
        shown: &mut [Option<bool>],
        base: &dyn Fn(&FieldName) -> bool,
    ) -> bool {
        if let Some(v) = shown[i] {
            return v;
        }
        let f = &names.fields[i];
        let own = base(f);
        // Provisional while its type is looked into (a cycle counts as non-empty).
        shown[i] = Some(own);
        let v = own
            && f.returns.as_ref().is_none_or(|t| {
                names
                    .by_type
                    .get(t)
                    .is_none_or(|fs| fs.iter().any(|&j| decide(j, names, shown, base)))
            });
        shown[i] = Some(v);
        v
    }
    let names = names();
    let base = |f: &FieldName| snapshot.shows(consumer, &f.type_name, &f.name);
    let mut shown = vec![None; names.fields.len()];
    (0..names.fields.len())
        .map(|i| decide(i, &names, &mut shown, &base))
        .collect()
}

fn visible(ctx: &Context<'_>, index: usize) -> bool {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        // Policy switched off (benchmark comparison only): one schema for everyone.
        return true;
    };
    let view = access
        .schema_view
        .get_or_init(|| view_of(&access.snapshot, &access.consumer));
    // An index is always in the table; fail closed all the same.
    view.get(index).copied().unwrap_or(false)
}

fn visible_at<const N: usize>(ctx: &Context<'_>) -> bool {
    visible(ctx, N)
}

/// The mutation root, to consumers that may write something.
fn mutation_visible(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Arc<Access>>().is_none_or(|a| {
        a.consumer.is_admin() || crate::policy::mutation_allowed(&a.consumer, "fileClass")
    })
}

/// Fields past [`CAPACITY`]: the admin's only.
fn admin_only(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Arc<Access>>()
        .is_none_or(|a| a.consumer.is_admin())
}

static VISIBLE: [VisibleFn; CAPACITY] =
    seq_macro::seq!(N in 0..2048 { [ #( visible_at::<N>, )* ] });

/// Installs the per-field `visible` functions when the schema is built. It goes in as a
/// custom directive's registration hook (the one place async-graphql hands out its
/// registry); no directive is declared, so no query can use it.
pub struct ConsumerView;

impl CustomDirectiveFactory for ConsumerView {
    fn name(&self) -> std::borrow::Cow<'static, str> {
        "archiveHubConsumerView".into()
    }

    fn register(&self, registry: &mut Registry) {
        let composite: BTreeSet<String> = registry
            .types
            .iter()
            .filter(|(_, t)| matches!(t, MetaType::Object { .. } | MetaType::Interface { .. }))
            .map(|(n, _)| n.clone())
            .collect();
        for (type_name, ty) in registry.types.iter_mut() {
            if type_name.starts_with("__") {
                continue;
            }
            if let MetaType::Object { visible, .. } = ty {
                if type_name == "Mutation" {
                    *visible = Some(mutation_visible);
                }
            }
            let fields = match ty {
                MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => fields,
                _ => continue,
            };
            for (name, field) in fields.iter_mut() {
                let returns = MetaTypeName::concrete_typename(&field.ty);
                let returns = composite.contains(returns).then_some(returns);
                field.visible = Some(match index_of(type_name, name, returns) {
                    Some(i) => VISIBLE[i],
                    None => {
                        tracing::error!(%type_name, %name, "schema view full; field shown to the admin only");
                        admin_only
                    }
                });
            }
        }
    }

    fn create(
        &self,
        _ctx: &ContextDirective<'_>,
        _directive: &Directive,
    ) -> ServerResult<Box<dyn CustomDirective>> {
        // Not declared in the registry, so validation rejects it before this is reached.
        Err(ServerError::new("unknown directive", None))
    }
}

/// The SDL as one consumer sees it: the same fields and types its introspection shows.
pub fn sdl_for(snapshot: &PolicySnapshot, consumer: &Consumer, sdl: &str) -> String {
    let view = view_of(snapshot, consumer);
    let mut defs = parse(sdl);
    {
        let names = names();
        for def in &mut defs {
            if matches!(def.keyword, "type" | "interface") {
                let t = def.name;
                def.members.retain(|m| {
                    let key: (Arc<str>, Arc<str>) = (t.into(), m.name.into());
                    // Every field of the built schema has an index; fail closed.
                    names.index.get(&key).is_some_and(|&i| view[i])
                });
            }
        }
    }
    // A root type left with no field (a consumer that may write nothing sees no
    // `Mutation`) goes, with its entry in `schema { … }`.
    let empty: BTreeSet<&str> = defs
        .iter()
        .filter(|d| d.keyword == "type" && d.members.is_empty())
        .map(|d| d.name)
        .collect();
    for def in &mut defs {
        if def.keyword == "schema" {
            def.members.retain(|m| {
                let target = m.line.split(':').nth(1).map_or("", str::trim);
                !empty.contains(target)
            });
        }
    }
    let reachable = reachable(&defs);
    let mut lines: Vec<&str> = Vec::with_capacity(sdl.len() / 40);
    for def in defs
        .iter()
        .filter(|d| !d.is_type() || reachable.contains(d.name))
    {
        if !lines.is_empty() {
            lines.extend(std::iter::repeat_n("", def.blank_before));
        }
        lines.extend(def.description.iter().chain([&def.header]));
        for m in &def.members {
            lines.extend(m.description.iter().chain([&m.line]));
        }
        lines.extend(def.close);
    }
    let mut out = lines.join("\n");
    if sdl.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// One top-level definition of async-graphql's SDL export.
struct Def<'a> {
    /// Empty lines before it, kept so that the admin's view is the SDL byte for byte.
    blank_before: usize,
    description: Vec<&'a str>,
    header: &'a str,
    keyword: &'a str,
    name: &'a str,
    members: Vec<Member<'a>>,
    close: Option<&'a str>,
}

impl Def<'_> {
    /// Types are shown when reachable; `schema`, `extend` and directives always.
    fn is_type(&self) -> bool {
        matches!(
            self.keyword,
            "type" | "interface" | "input" | "enum" | "scalar" | "union"
        )
    }
}

struct Member<'a> {
    description: Vec<&'a str>,
    line: &'a str,
    name: &'a str,
}

/// Lines of a `"""` block starting at `first` (one line when it opens and closes there).
fn description<'a>(first: &'a str, lines: &mut impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out = vec![first];
    let t = first.trim();
    if t.len() >= 6 && t.ends_with("\"\"\"") {
        return out;
    }
    for line in lines.by_ref() {
        out.push(line);
        if line.trim() == "\"\"\"" {
            break;
        }
    }
    out
}

fn parse(sdl: &str) -> Vec<Def<'_>> {
    let mut defs = Vec::new();
    let mut lines = sdl.lines();
    let mut blank = 0;
    while let Some(mut line) = lines.next() {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        let blank_before = std::mem::take(&mut blank);
        let mut desc = Vec::new();
        if line.starts_with("\"\"\"") {
            desc = description(line, &mut lines);
            let Some(next) = lines.next() else { break };
            line = next;
        }
        let mut words = line.split([' ', '(', '{']).filter(|w| !w.is_empty());
        let keyword = words.next().unwrap_or_default();
        let name = words.next().unwrap_or_default();
        let mut def = Def {
            blank_before,
            description: desc,
            header: line,
            keyword,
            name,
            members: Vec::new(),
            close: None,
        };
        if line.trim_end().ends_with('{') {
            let mut pending = Vec::new();
            while let Some(m) = lines.next() {
                if m == "}" {
                    def.close = Some(m);
                    break;
                }
                if m.trim_start().starts_with("\"\"\"") {
                    pending = description(m, &mut lines);
                    continue;
                }
                let name = m.trim().split(['(', ':', ' ']).next().unwrap_or_default();
                def.members.push(Member {
                    description: std::mem::take(&mut pending),
                    line: m,
                    name,
                });
            }
        }
        defs.push(def);
    }
    defs
}

/// Types reachable from the roots, the directives' arguments and entity (`@key`) types,
/// over the fields left: async-graphql's rule for which types introspection shows.
fn reachable<'a>(defs: &[Def<'a>]) -> BTreeSet<&'a str> {
    let by_name: HashMap<&str, &Def<'a>> = defs
        .iter()
        .filter(|d| d.is_type())
        .map(|d| (d.name, d))
        .collect();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&'a str> = Vec::new();
    let refs = |text: &'a str, todo: &mut Vec<&'a str>| {
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if by_name.contains_key(word) {
                todo.push(word);
            }
        }
    };
    for d in defs {
        match d.keyword {
            "schema" => d.members.iter().for_each(|m| refs(m.line, &mut todo)),
            "directive" => refs(d.header, &mut todo),
            "type" | "interface" if d.header.contains("@key") => todo.push(d.name),
            // The subgraph SDL has no `schema { … }`: the root types are found by name
            // (one a consumer is shown nothing of is gone).
            "type" if matches!(d.name, "Query" | "Mutation") && !d.members.is_empty() => {
                todo.push(d.name)
            }
            _ => {}
        }
    }
    while let Some(name) = todo.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(d) = by_name.get(name) else { continue };
        // A field's own name is not a reference; what follows it is (arguments, type).
        match d.keyword {
            "enum" | "scalar" => {}
            "union" => refs(d.header.split_once('=').map_or("", |x| x.1), &mut todo),
            _ => d.members.iter().for_each(|m| {
                refs(
                    m.line.trim_start().get(m.name.len()..).unwrap_or(""),
                    &mut todo,
                )
            }),
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_has_room_for_every_field_of_the_schema() {
        let sdl = crate::graphql::sdl();
        let fields: usize = parse(&sdl)
            .iter()
            .filter(|d| matches!(d.keyword, "type" | "interface"))
            .map(|d| d.members.len())
            .sum();
        assert!(fields > 50, "{fields}");
        assert!(fields * 4 < CAPACITY, "{fields} fields: raise CAPACITY");
    }
}
