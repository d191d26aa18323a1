//! The request's access context: who asks, for what, under which policy snapshot; which
//! person each part of the response is about; and every decision taken (the audit
//! trail's record, and a cache: a decision depends only on the field and the person).

use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql::{PathSegment, QueryPathNode, QueryPathSegment, ServerError};

use super::super::catalog::FieldPolicy;
use super::super::{Consumer, DenyReason, FieldDecision, PolicySnapshot};
use crate::audit::{Decision, FieldAccess};
use crate::clock::RequestTime;
use crate::error::{ForbiddenReason, HubError, Occurrences};
use crate::i18n::Lang;
use crate::id_number::IdNumber;

/// The maps every resolved field looks into: a fast seeded hash instead of SipHash (keys
/// are ID numbers and field names, a batch is at most `maxBatchIds` persons).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Who is asking, for what, under which policy: put into every GraphQL request's data by
/// the HTTP layer once the consumer is authenticated and the purpose accepted.
pub struct Access {
    pub consumer: Arc<Consumer>,
    pub purpose: String,
    pub snapshot: Arc<PolicySnapshot>,
    pub request_id: String,
    pub lang: Lang,
    pub time: RequestTime,
    /// Which schema fields this consumer is shown, worked out once per request for
    /// introspection (`graphql::view`).
    pub schema_view: std::sync::OnceLock<Vec<bool>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Response paths of persons, as a tree: a field belongs to the person registered at
    /// its nearest ancestor.
    subjects: SubjectNode,
    /// Region codes each person is linked to (ID region, residence, training, subsidies).
    regions: HashMap<IdNumber, Arc<Vec<String>>>,
    decisions: HashMap<IdNumber, HashMap<Arc<str>, FieldDecision>>,
    /// Decisions that held for every person (no region-limited grant took part), per
    /// field: the next person's is the same, without going through the grants again.
    for_anyone: HashMap<Arc<str>, FieldDecision>,
    /// Refusals per (field, reason), in the order first met: one error each.
    refusals: Vec<(RefusalKey, Occurrences)>,
    /// Decisions taken (allow, mask, deny), counted into the metrics once per request.
    tally: [u64; 3],
    /// Persons whose list item has been answered, waiting to be audited ahead of the
    /// request's end ([`Access::take_finished`]).
    finished: Vec<IdNumber>,
    /// The fields of each person already handed to the audit trail in this request.
    audited: HashMap<IdNumber, std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>>,
    /// An early audit append failed: the response must be withheld.
    audit_failed: bool,
}

/// The request's decision for `field` about `subject`: the one taken earlier, the one
/// that held for every person, or `fresh` (with whether the person's regions took part);
/// tallied and kept for the person. No allocation once the person has a decision: this
/// runs per field.
fn once(
    decisions: &mut HashMap<IdNumber, HashMap<Arc<str>, FieldDecision>>,
    for_anyone: &mut HashMap<Arc<str>, FieldDecision>,
    tally: &mut [u64; 3],
    subject: &IdNumber,
    field: &FieldPolicy,
    fresh: impl FnOnce() -> (FieldDecision, bool),
) -> FieldDecision {
    if let Some(d) = decisions.get(subject).and_then(|f| f.get(&*field.key)) {
        return *d;
    }
    let d = match for_anyone.get(&*field.key) {
        Some(d) => *d,
        None => {
            let (d, scoped) = fresh();
            if !scoped {
                for_anyone.insert(field.key(), d);
            }
            d
        }
    };
    tally[tally_slot(d)] += 1;
    match decisions.get_mut(subject) {
        Some(fields) => {
            fields.insert(field.key(), d);
        }
        None => {
            let mut fields = HashMap::default();
            fields.insert(field.key(), d);
            decisions.insert(subject.clone(), fields);
        }
    }
    d
}

/// A refused field (`None`: a whole person) and why.
type RefusalKey = (Option<Arc<str>>, ForbiddenReason);

/// How many paths one refusal error lists.
const PATHS_SHOWN: usize = 5;

/// A node of the subject tree: the person registered here, and the children by response
/// key or list index.
#[derive(Default)]
struct SubjectNode {
    subject: Option<IdNumber>,
    names: HashMap<String, SubjectNode>,
    items: HashMap<usize, SubjectNode>,
}

impl Access {
    pub fn new(
        consumer: Arc<Consumer>,
        purpose: String,
        snapshot: Arc<PolicySnapshot>,
        request_id: String,
        lang: Lang,
        time: RequestTime,
    ) -> Self {
        Self {
            consumer,
            purpose,
            snapshot,
            request_id,
            lang,
            time,
            schema_view: std::sync::OnceLock::new(),
            state: Mutex::default(),
        }
    }

    /// The state, even after a panic elsewhere poisoned the lock: the decisions recorded so
    /// far must still reach the audit trail.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers `subject` as the person the response value at `path` is about.
    pub(super) fn register(
        &self,
        path: &[PathSegment],
        subject: &IdNumber,
        regions: Arc<Vec<String>>,
    ) {
        let mut state = self.state();
        let mut node = &mut state.subjects;
        for seg in path {
            node = match seg {
                PathSegment::Field(name) => node.names.entry(name.clone()).or_default(),
                PathSegment::Index(i) => node.items.entry(*i).or_default(),
            };
        }
        node.subject = Some(subject.clone());
        state.regions.insert(subject.clone(), regions);
    }

    /// The person a field at `path` belongs to: the one registered at its nearest
    /// ancestor (or at the path itself).
    pub(super) fn subject_for(&self, path: &QueryPathNode<'_>) -> Option<IdNumber> {
        locate(&self.state().subjects, path).1.cloned()
    }

    /// The decision for `field` at `path` (about the person it belongs to), taken once per
    /// request; `None` when no person is registered above the path. The extension's path:
    /// one lock, no allocation once the person's decision is known.
    pub(super) fn decide_at(
        &self,
        path: &QueryPathNode<'_>,
        field: &FieldPolicy,
    ) -> Option<FieldDecision> {
        let mut state = self.state();
        let State {
            subjects,
            decisions,
            for_anyone,
            regions,
            tally,
            ..
        } = &mut *state;
        let subject = locate(subjects, path).1?;
        Some(once(decisions, for_anyone, tally, subject, field, || {
            self.fresh_decision(regions.get(subject), field)
        }))
    }

    /// A decision not taken yet in this request, for a person linked to `regions`, and
    /// whether those regions took part in it.
    fn fresh_decision(
        &self,
        regions: Option<&Arc<Vec<String>>>,
        field: &FieldPolicy,
    ) -> (FieldDecision, bool) {
        match regions {
            Some(regions) => self.snapshot.decide_scoped(
                &self.consumer,
                &self.purpose,
                field,
                regions,
                self.time.now,
            ),
            None => {
                // Every person reaches the response through admission, which records
                // their regions; a person that did not is refused, loudly — and the
                // refusal is about this person only.
                tracing::error!(field = %field.key, "field of a person never admitted; denied");
                (FieldDecision::Deny(DenyReason::OutOfScope), true)
            }
        }
    }

    /// The region codes a person is linked to, for decisions about them outside any
    /// response path (a write's screening).
    pub(super) fn set_regions(&self, subject: &IdNumber, regions: Vec<String>) {
        self.state()
            .regions
            .insert(subject.clone(), Arc::new(regions));
    }

    /// The audit events for every read decided in this request and not audited yet, one
    /// per person.
    pub fn audit_events(&self, audit: &crate::audit::AuditLog) -> Vec<crate::audit::NewAuditEvent> {
        let accesses = self.accesses();
        self.events_of(accesses, audit)
    }

    fn events_of(
        &self,
        accesses: Vec<(IdNumber, Vec<FieldAccess>)>,
        audit: &crate::audit::AuditLog,
    ) -> Vec<crate::audit::NewAuditEvent> {
        let c = &self.consumer;
        accesses
            .into_iter()
            .map(|(id, fields)| crate::audit::NewAuditEvent {
                occurred_at: self.time.now,
                consumer_id: c.id,
                consumer_name: c.name.clone(),
                consumer_department: c.department.map(|d| d.code().to_string()),
                purpose: self.purpose.clone(),
                request_id: self.request_id.clone(),
                subject: audit.subject(id.as_str()),
                fields,
                policy_version: self.snapshot.version,
            })
            .collect()
    }

    pub(super) fn record(&self, subject: &IdNumber, field: Arc<str>, d: FieldDecision) {
        self.state()
            .decisions
            .entry(subject.clone())
            .or_default()
            .insert(field, d);
    }

    /// The decision for `field` about `subject`, taken once per request.
    pub(super) fn decide(&self, subject: &IdNumber, field: &FieldPolicy) -> FieldDecision {
        let mut state = self.state();
        let State {
            decisions,
            for_anyone,
            regions,
            tally,
            ..
        } = &mut *state;
        once(decisions, for_anyone, tally, subject, field, || {
            self.fresh_decision(regions.get(subject), field)
        })
    }

    /// Notes a refusal of `field` (or of a whole person) at `path`; the value there is null.
    pub(super) fn refuse(
        &self,
        field: Option<Arc<str>>,
        reason: ForbiddenReason,
        path: Vec<PathSegment>,
    ) {
        let mut state = self.state();
        let key = (field, reason);
        let i = match state.refusals.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                state.refusals.push((key, Occurrences::default()));
                state.refusals.len() - 1
            }
        };
        let seen = &mut state.refusals[i].1;
        seen.count += 1;
        if seen.paths.len() < PATHS_SHOWN {
            seen.paths.push(path);
        }
    }

    /// One `FORBIDDEN` error per (field, reason) refused in this request, with how often
    /// and the first few paths.
    pub fn refusals(&self) -> Vec<ServerError> {
        self.state()
            .refusals
            .iter()
            .map(|((field, reason), seen)| {
                let path = seen.paths.first().cloned().unwrap_or_default();
                HubError::Forbidden {
                    reason: *reason,
                    field: field.as_deref().map(String::from),
                    consumer: field.as_ref().map(|_| self.consumer.name.clone()),
                    purpose: field.as_ref().map(|_| self.purpose.clone()),
                    seen: Some(seen.clone()),
                }
                .into_server_error(path)
            })
            .collect()
    }

    /// How many persons this request has decided about so far.
    pub fn subjects(&self) -> usize {
        self.state().decisions.len()
    }

    /// The decisions taken in this request and not yet audited, per person (for the
    /// audit trail).
    fn accesses(&self) -> Vec<(IdNumber, Vec<FieldAccess>)> {
        let mut state = self.state();
        let subjects: Vec<IdNumber> = state.decisions.keys().cloned().collect();
        take_accesses(&mut state, subjects, false)
    }

    /// Whether a person is registered exactly at `path` (a list item about one person has
    /// just been answered): they are noted as finished, for [`Access::take_finished`].
    pub(super) fn finish_item(&self, path: &QueryPathNode<'_>) -> bool {
        let mut state = self.state();
        let Some(subject) = locate(&state.subjects, path)
            .0
            .and_then(|n| n.subject.clone())
        else {
            return false;
        };
        state.finished.push(subject);
        true
    }

    /// Once at least `min` persons are finished, their audit events (the decisions about
    /// them so far), marked as audited: a long batch's events are committed while the rest
    /// of it is still being answered. A decision taken about one of them later (the same
    /// person elsewhere in the response) goes into an event of its own at the end.
    pub(super) fn take_finished(
        &self,
        min: usize,
        audit: &crate::audit::AuditLog,
    ) -> Option<Vec<crate::audit::NewAuditEvent>> {
        let mut state = self.state();
        if state.finished.len() < min {
            return None;
        }
        let subjects = std::mem::take(&mut state.finished);
        let accesses = take_accesses(&mut state, subjects, true);
        drop(state);
        Some(self.events_of(accesses, audit))
    }

    /// Notes that an early audit append failed.
    pub(super) fn fail_audit(&self) {
        self.state().audit_failed = true;
    }

    /// Whether an audit append made during execution failed (nothing may be answered).
    pub fn audit_failed(&self) -> bool {
        self.state().audit_failed
    }
}

/// The decisions about `subjects` not audited yet, sorted by person and field; `mark`:
/// noted as audited (the request's last events need not be). A person listed twice, or
/// with nothing new, is left out.
fn take_accesses(
    state: &mut State,
    subjects: Vec<IdNumber>,
    mark: bool,
) -> Vec<(IdNumber, Vec<FieldAccess>)> {
    let State {
        decisions, audited, ..
    } = state;
    let mut out: Vec<(IdNumber, Vec<FieldAccess>)> = Vec::with_capacity(subjects.len());
    for id in subjects {
        let Some(fields) = decisions.get(&id) else {
            continue;
        };
        let mut done = match (mark, audited.get_mut(&id)) {
            // Only decided fields are ever marked: as many marked as decided is all of them.
            (_, Some(done)) if done.len() == fields.len() => continue,
            (_, Some(done)) => Some(done),
            (true, None) => Some(audited.entry(id.clone()).or_default()),
            (false, None) => None,
        };
        let mut new: Vec<FieldAccess> = Vec::with_capacity(fields.len());
        for (field, d) in fields {
            let fresh = match done.as_deref_mut() {
                Some(done) => done.insert(field.clone()),
                None => true,
            };
            if fresh {
                new.push(FieldAccess {
                    field: field.to_string(),
                    write: None,
                    decision: match d {
                        FieldDecision::Allow => Decision::Allowed,
                        FieldDecision::Mask(_) => Decision::Masked,
                        FieldDecision::Deny(_) => Decision::Denied,
                    },
                });
            }
        }
        if !new.is_empty() {
            new.sort_by(|a, b| a.field.cmp(&b.field));
            out.push((id, new));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

impl Drop for Access {
    fn drop(&mut self) {
        let tally = self.state().tally;
        for (outcome, n) in ["allow", "mask", "deny"].into_iter().zip(tally) {
            if n > 0 {
                metrics::counter!("archive_hub_policy_decisions_total", "outcome" => outcome)
                    .increment(n);
            }
        }
    }
}

/// The metrics slot of a decision: allow, mask, deny.
fn tally_slot(d: FieldDecision) -> usize {
    match d {
        FieldDecision::Allow => 0,
        FieldDecision::Mask(_) => 1,
        FieldDecision::Deny(_) => 2,
    }
}

/// The node at `path` in the subject tree (while the tree goes that deep) and the person
/// registered nearest above or at it; walks from the root without collecting the path.
fn locate<'s>(
    root: &'s SubjectNode,
    path: &QueryPathNode<'_>,
) -> (Option<&'s SubjectNode>, Option<&'s IdNumber>) {
    let (parent, found) = match path.parent {
        Some(p) => locate(root, p),
        None => (Some(root), root.subject.as_ref()),
    };
    let Some(parent) = parent else {
        return (None, found);
    };
    let next = match &path.segment {
        QueryPathSegment::Name(n) => parent.names.get(*n),
        QueryPathSegment::Index(i) => parent.items.get(i),
    };
    match next {
        Some(n) => (Some(n), n.subject.as_ref().or(found)),
        None => (None, found),
    }
}

/// The response path of a field, from the root down.
pub fn path_of(node: &QueryPathNode<'_>) -> Vec<PathSegment> {
    let mut v: Vec<PathSegment> = std::iter::once(node)
        .chain(node.parents())
        .map(|n| match n.segment {
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_string()),
            QueryPathSegment::Index(i) => PathSegment::Index(i),
        })
        .collect();
    v.reverse();
    v
}
