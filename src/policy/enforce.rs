//! The one enforcement point. The HTTP layer authenticates the consumer and checks the
//! purpose before anything runs ([`authenticate`]); every field then passes through
//! [`PolicyExtension`], which decides allow / mask / deny from the catalog and grants and
//! records each decision for the audit trail. Root resolvers only tell it which person
//! each result is about, through [`subjects`]; they decide nothing themselves.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Context, PathSegment, QueryPathNode, QueryPathSegment, ServerError, ServerResult, Value,
    Variables,
};
use chrono::{DateTime, Utc};
use entities::hub::ConsumerKind;

use super::mask::mask;
use super::{in_scope, Consumer, DenyReason, FieldDecision, PolicySnapshot};
use crate::audit::{Decision, FieldAccess};
use crate::departments::civil_affairs::AssistanceSource;
use crate::departments::hrss_training::{SubsidySource, TrainingSource};
use crate::departments::{Source, SourceDataLoader};
use crate::error::ErrorCode;
use crate::i18n::Lang;
use crate::id_number::IdNumber;

/// Who is asking, for what, under which policy: put into every GraphQL request's data by
/// the HTTP layer once the consumer is authenticated and the purpose accepted.
pub struct Access {
    pub consumer: Arc<Consumer>,
    pub purpose: String,
    pub snapshot: Arc<PolicySnapshot>,
    pub request_id: String,
    pub lang: Lang,
    pub now: DateTime<Utc>,
    /// Root response key → the persons its result is about, by list index.
    subjects: Mutex<HashMap<String, Vec<IdNumber>>>,
    /// Region codes each person is linked to (ID region, residence, training, subsidies).
    regions: Mutex<HashMap<IdNumber, Arc<Vec<String>>>>,
    /// Every decision taken, per person and field: the audit trail's record, and a cache
    /// (a decision depends only on the field and the person).
    decisions: Mutex<HashMap<IdNumber, HashMap<Arc<str>, FieldDecision>>>,
}

impl Access {
    pub fn new(
        consumer: Arc<Consumer>,
        purpose: String,
        snapshot: Arc<PolicySnapshot>,
        request_id: String,
        lang: Lang,
    ) -> Self {
        Self {
            consumer,
            purpose,
            snapshot,
            request_id,
            lang,
            now: Utc::now(),
            subjects: Mutex::default(),
            regions: Mutex::default(),
            decisions: Mutex::default(),
        }
    }

    fn record(&self, subject: &IdNumber, field: Arc<str>, d: FieldDecision) {
        if let Ok(mut log) = self.decisions.lock() {
            log.entry(subject.clone()).or_default().insert(field, d);
        }
    }

    /// The decision for `field` about `subject`, taken once per request.
    fn decide(&self, subject: &IdNumber, field: &super::catalog::FieldPolicy) -> FieldDecision {
        let cached = self
            .decisions
            .lock()
            .ok()
            .and_then(|m| m.get(subject).and_then(|f| f.get(&*field.key)).copied());
        if let Some(d) = cached {
            return d;
        }
        let regions = self.regions_of(subject);
        let d = self
            .snapshot
            .decide(&self.consumer, &self.purpose, field, &regions, self.now);
        self.record(subject, field.key(), d);
        d
    }

    /// The decisions taken in this request, per person (for the audit trail).
    pub fn accesses(&self) -> Vec<(IdNumber, Vec<FieldAccess>)> {
        let log = match self.decisions.lock() {
            Ok(l) => l.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let mut out: Vec<(IdNumber, Vec<FieldAccess>)> = log
            .into_iter()
            .map(|(id, fields)| {
                let mut fields: Vec<FieldAccess> = fields
                    .into_iter()
                    .map(|(field, d)| FieldAccess {
                        field: field.to_string(),
                        decision: match d {
                            FieldDecision::Allow => Decision::Allowed,
                            FieldDecision::Mask(_) => Decision::Masked,
                            FieldDecision::Deny(_) => Decision::Denied,
                        },
                    })
                    .collect();
                fields.sort_by(|a, b| a.field.cmp(&b.field));
                (id, fields)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn subject_for(&self, path: &QueryPathNode<'_>) -> Option<IdNumber> {
        let segments = segments(path);
        let root = match segments.first()? {
            QueryPathSegment::Name(n) => *n,
            QueryPathSegment::Index(_) => return None,
        };
        let subjects = self.subjects.lock().ok()?;
        let ids = subjects.get(root)?;
        match segments.get(1) {
            Some(QueryPathSegment::Index(i)) => ids.get(*i).cloned(),
            _ => ids.first().cloned(),
        }
    }

    fn regions_of(&self, id: &IdNumber) -> Arc<Vec<String>> {
        self.regions
            .lock()
            .ok()
            .and_then(|r| r.get(id).cloned())
            .unwrap_or_else(|| Arc::new(vec![id.region_code().to_string()]))
    }
}

/// Why a request was refused before execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unauthenticated,
    PurposeMissing,
    PurposeNotAllowed(String),
}

impl Refusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Unauthenticated => ErrorCode::Unauthenticated,
            _ => ErrorCode::Forbidden,
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Unauthenticated => "BAD_KEY",
            Refusal::PurposeMissing => "PURPOSE_MISSING",
            Refusal::PurposeNotAllowed(_) => "PURPOSE_NOT_ALLOWED",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::Unauthenticated, l) => l
                .pick(
                    "缺少有效的接入密钥（Authorization: Bearer <key>），或密钥已被吊销",
                    "missing, wrong or revoked consumer key (Authorization: Bearer <key>)",
                )
                .into(),
            (Refusal::PurposeMissing, l) => l
                .pick(
                    "请求须在 X-Purpose 头中声明用途",
                    "declare the purpose of use in the X-Purpose header",
                )
                .into(),
            (Refusal::PurposeNotAllowed(p), Lang::Zh) => {
                format!("用途 {p} 未登记或未授权给本接入方")
            }
            (Refusal::PurposeNotAllowed(p), Lang::En) => {
                format!("purpose `{p}` is not registered or not allowed for this consumer")
            }
        }
    }
}

/// Finds the (unrevoked) consumer a presented key belongs to.
pub fn authenticate_key(
    snapshot: &PolicySnapshot,
    key: Option<&str>,
) -> Result<Arc<Consumer>, Refusal> {
    let (key_id, secret) = key
        .and_then(super::keys::split)
        .ok_or(Refusal::Unauthenticated)?;
    snapshot
        .consumers
        .get(key_id)
        .filter(|c| !c.revoked && super::keys::verify(secret, &c.key_hash))
        .cloned()
        .ok_or(Refusal::Unauthenticated)
}

/// Finds the consumer for a presented key and checks the declared purpose.
pub fn authenticate(
    snapshot: &PolicySnapshot,
    key: Option<&str>,
    purpose: Option<&str>,
) -> Result<Arc<Consumer>, Refusal> {
    let consumer = authenticate_key(snapshot, key)?;
    let purpose = purpose
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or(Refusal::PurposeMissing)?;
    if !snapshot.purposes.contains_key(purpose) || !consumer.purposes.iter().any(|p| p == purpose) {
        // Echo back only a short, printable form of what the caller sent.
        let shown: String = purpose
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .take(64)
            .collect();
        return Err(Refusal::PurposeNotAllowed(shown));
    }
    Ok(consumer)
}

/// The path's segments from the root down.
fn segments<'a>(node: &'a QueryPathNode<'a>) -> Vec<&'a QueryPathSegment<'a>> {
    let mut v: Vec<&QueryPathSegment<'_>> = std::iter::once(node)
        .chain(node.parents())
        .map(|n| &n.segment)
        .collect();
    v.reverse();
    v
}

fn path_of(node: &QueryPathNode<'_>) -> Vec<PathSegment> {
    segments(node)
        .into_iter()
        .map(|s| match s {
            QueryPathSegment::Name(n) => PathSegment::Field((*n).to_string()),
            QueryPathSegment::Index(i) => PathSegment::Index(*i),
        })
        .collect()
}

fn forbidden(
    access: &Access,
    path: Vec<PathSegment>,
    field: &str,
    reason: DenyReason,
) -> ServerError {
    let (reason_code, zh, en) = match reason {
        DenyReason::OwnerOnly => (
            "OWNER_ONLY",
            "该字段不予共享，仅数据提供部门可读",
            "this field is not shared (owner department only)",
        ),
        DenyReason::NoGrant => (
            "NO_GRANT",
            "缺少该字段的共享授权",
            "no grant covers this field",
        ),
        DenyReason::Expired => (
            "GRANT_EXPIRED",
            "该字段的共享授权已过期",
            "the grant for this field has expired",
        ),
        DenyReason::OutOfScope => (
            "OUT_OF_SCOPE",
            "此人不在本接入方的授权区域内",
            "this person is outside the consumer's region scope",
        ),
        DenyReason::Unmaskable => (
            "UNMASKABLE",
            "授权为脱敏读取，但该字段没有脱敏形式",
            "the grant allows masked access only, and this field has no masked form",
        ),
        DenyReason::GrantOutOfScope => (
            "GRANT_OUT_OF_SCOPE",
            "该字段的共享授权不覆盖此人所在区域",
            "the grant for this field does not cover this person's region",
        ),
    };
    let missing = format!("{} / {} / {}", access.consumer.name, access.purpose, field);
    let message = match access.lang {
        Lang::Zh => format!("无权读取字段 {field}：{zh}（接入方/用途/字段：{missing}）"),
        Lang::En => format!("no access to {field}: {en} (consumer/purpose/field: {missing})"),
    };
    let mut err = ServerError::new(message, None);
    err.path = path;
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", ErrorCode::Forbidden.as_str());
    ext.set("reason", reason_code);
    ext.set("field", field);
    ext.set("purpose", access.purpose.as_str());
    err
}

/// Applies the field-level policy to every field that carries personal data.
pub struct PolicyExtension;

impl ExtensionFactory for PolicyExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PolicyExtensionImpl)
    }
}

struct PolicyExtensionImpl;

#[async_trait::async_trait]
impl Extension for PolicyExtensionImpl {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let Some(access) = ctx.data_opt::<Arc<Access>>() else {
            // Policy switched off (benchmark comparison only).
            return next.run(ctx, info).await;
        };
        if info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        if info.parent_type == "Query" && !root_allowed(access.consumer.kind, info.name) {
            let mut err = ServerError::new(
                access.lang.pick(
                    "本接入方类型无权调用此查询",
                    "this kind of consumer may not use this query",
                ),
                None,
            );
            err.path = path_of(info.path_node);
            let ext = err.extensions.get_or_insert_with(Default::default);
            ext.set("code", ErrorCode::Forbidden.as_str());
            ext.set("reason", "CONSUMER_KIND");
            return Err(err);
        }
        let Some(field) = access.snapshot.catalog.get(info.parent_type, info.name) else {
            return next.run(ctx, info).await;
        };
        let Some(subject) = access.subject_for(info.path_node) else {
            // Personal data always hangs under a person; anything else is a bug: refuse.
            return Err(forbidden(
                access,
                path_of(info.path_node),
                &field.key(),
                DenyReason::NoGrant,
            ));
        };
        match access.decide(&subject, field) {
            FieldDecision::Allow => next.run(ctx, info).await,
            FieldDecision::Mask(kind) => {
                let v = next.run(ctx, info).await?;
                Ok(v.map(|v| match v {
                    Value::String(s) => Value::String(mask(kind, &s)),
                    other => other,
                }))
            }
            FieldDecision::Deny(reason) => Err(forbidden(
                access,
                path_of(info.path_node),
                &field.key,
                reason,
            )),
        }
    }
}

/// Root fields reserved for some kinds of consumer.
fn root_allowed(kind: ConsumerKind, field: &str) -> bool {
    match field {
        "accessLog" => kind == ConsumerKind::Auditor,
        "myAccessLog" => kind == ConsumerKind::CitizenPortal,
        _ => true,
    }
}

/// Called by the root resolvers with the persons a root field is about, in result order.
/// Returns, per person, whether the consumer may read that person at all (region scope and
/// citizen-portal binding); refused persons get a `FORBIDDEN` error and must be returned
/// as null. Without an [`Access`] (policy off) everyone is admitted.
pub async fn subjects(
    ctx: &Context<'_>,
    ids: &[IdNumber],
    subject_hash: impl Fn(&IdNumber) -> String,
) -> Vec<bool> {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        return vec![true; ids.len()];
    };
    let root = ctx
        .path_node
        .map(|n| n.field_name().to_string())
        .unwrap_or_default();
    if let Ok(mut s) = access.subjects.lock() {
        s.insert(root.clone(), ids.to_vec());
    }
    let mut admitted = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let regions = linked_regions(ctx, id).await;
        if let Ok(mut r) = access.regions.lock() {
            r.insert(id.clone(), regions.clone());
        }
        let c = &access.consumer;
        let ok = if let Some(bound) = &c.bound_subject {
            *bound == subject_hash(id)
        } else {
            c.region_scope.is_empty() || in_scope(&c.region_scope, &regions)
        };
        if !ok {
            access.record(
                id,
                Arc::from("Query.person"),
                FieldDecision::Deny(DenyReason::OutOfScope),
            );
            let mut path = ctx.path_node.as_ref().map(path_of).unwrap_or_default();
            if ids.len() > 1 || root == "persons" {
                path.push(PathSegment::Index(i));
            }
            let mut err = ServerError::new(
                access.lang.pick(
                    "此人不在本接入方的授权区域内",
                    "this person is outside the consumer's region scope",
                ),
                None,
            );
            err.path = path;
            let ext = err.extensions.get_or_insert_with(Default::default);
            ext.set("code", ErrorCode::Forbidden.as_str());
            ext.set("reason", "OUT_OF_SCOPE");
            ctx.add_error(err);
        }
        admitted.push(ok);
    }
    admitted
}

/// ID region, residence (civil affairs), class regions and paying counties of a person,
/// read through the request's (already filled) dataloaders.
async fn linked_regions(ctx: &Context<'_>, id: &IdNumber) -> Arc<Vec<String>> {
    let mut codes = vec![id.region_code().to_string()];
    if let Some(r) = load::<TrainingSource>(ctx, id).await {
        codes.extend(
            r.iter()
                .filter_map(|t| t.class.as_ref().map(|c| c.region_code.clone())),
        );
    }
    if let Some(r) = load::<SubsidySource>(ctx, id).await {
        codes.extend(r.iter().map(|s| s.paying_county.clone()));
    }
    if let Some(r) = load::<AssistanceSource>(ctx, id).await {
        codes.extend(r.iter().map(|a| a.region_code.clone()));
    }
    codes.sort();
    codes.dedup();
    Arc::new(codes)
}

async fn load<S: Source>(ctx: &Context<'_>, id: &IdNumber) -> Option<Arc<Vec<S::Record>>> {
    let loader = ctx.data_opt::<SourceDataLoader<S>>()?;
    loader.load_one(id.clone()).await.ok().flatten()
}

/// Limits on the shape of an operation that async-graphql does not enforce itself.
#[derive(Debug, Clone, Copy)]
pub struct ShapeLimits {
    pub max_aliases: usize,
    pub max_root_fields: usize,
}

/// Rejects, while parsing and before validation or execution, operations with too many
/// aliases or root fields, and introspection by anyone but the hub admin.
pub struct ShapeLimitExtension(pub ShapeLimits);

impl ExtensionFactory for ShapeLimitExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ShapeLimitImpl(self.0))
    }
}

struct ShapeLimitImpl(ShapeLimits);

fn count_aliases(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    seen: &mut BTreeSet<String>,
) -> usize {
    let mut n = 0;
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                if f.node.alias.is_some() {
                    n += 1;
                }
                n += count_aliases(doc, &f.node.selection_set.node, seen);
            }
            Selection::InlineFragment(f) => {
                n += count_aliases(doc, &f.node.selection_set.node, seen)
            }
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.to_string();
                if seen.insert(name.clone()) {
                    if let Some(frag) = doc.fragments.get(&s.node.fragment_name.node) {
                        n += count_aliases(doc, &frag.node.selection_set.node, seen);
                    }
                }
            }
        }
    }
    n
}

fn root_fields(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut BTreeSet<String>) -> usize {
    let mut n = 0;
    for sel in &set.items {
        match &sel.node {
            Selection::Field(_) => n += 1,
            Selection::InlineFragment(f) => n += root_fields(doc, &f.node.selection_set.node, seen),
            Selection::FragmentSpread(s) => {
                if seen.insert(s.node.fragment_name.node.to_string()) {
                    if let Some(frag) = doc.fragments.get(&s.node.fragment_name.node) {
                        n += root_fields(doc, &frag.node.selection_set.node, seen);
                    }
                }
            }
        }
    }
    n
}

/// Whether any field of the operation is `__schema` or `__type`.
fn introspects(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut BTreeSet<String>) -> bool {
    set.items.iter().any(|sel| match &sel.node {
        Selection::Field(f) => {
            let n = f.node.name.node.as_str();
            n == "__schema" || n == "__type" || introspects(doc, &f.node.selection_set.node, seen)
        }
        Selection::InlineFragment(f) => introspects(doc, &f.node.selection_set.node, seen),
        Selection::FragmentSpread(s) => {
            seen.insert(s.node.fragment_name.node.to_string())
                && doc
                    .fragments
                    .get(&s.node.fragment_name.node)
                    .is_some_and(|f| introspects(doc, &f.node.selection_set.node, seen))
        }
    })
}

#[async_trait::async_trait]
impl Extension for ShapeLimitImpl {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let admin = ctx
            .data_opt::<Arc<Access>>()
            .is_none_or(|a| a.consumer.is_admin());
        for (_, op) in doc.operations.iter() {
            let set = &op.node.selection_set.node;
            if !admin && introspects(&doc, set, &mut BTreeSet::new()) {
                let lang = ctx.data_opt::<Arc<Access>>().map_or(Lang::Zh, |a| a.lang);
                let mut err = ServerError::new(
                    lang.pick(
                        "仅枢纽管理员可进行内省查询",
                        "introspection is for the hub admin only",
                    ),
                    None,
                );
                let ext = err.extensions.get_or_insert_with(Default::default);
                ext.set("code", ErrorCode::Forbidden.as_str());
                ext.set("reason", "INTROSPECTION");
                return Err(err);
            }
            let aliases = count_aliases(&doc, set, &mut BTreeSet::new());
            let roots = root_fields(&doc, set, &mut BTreeSet::new());
            let over = if aliases > self.0.max_aliases {
                Some(("aliases", aliases, self.0.max_aliases))
            } else if roots > self.0.max_root_fields {
                Some(("rootFields", roots, self.0.max_root_fields))
            } else {
                None
            };
            if let Some((what, got, limit)) = over {
                let mut err =
                    ServerError::new(format!("{what}: {got} exceeds the limit of {limit}"), None);
                let ext = err.extensions.get_or_insert_with(Default::default);
                ext.set("code", ErrorCode::LimitExceeded.as_str());
                ext.set("limit", limit as u64);
                ext.set("what", what);
                return Err(err);
            }
        }
        Ok(doc)
    }
}
