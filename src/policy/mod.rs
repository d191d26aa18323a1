//! Field-level access policy: who the consumer is, what it may see for which purpose, and
//! the decision for each field and person. Enforcement happens in one place
//! ([`enforce::PolicyExtension`]); resolvers never decide access.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entities::hub::{ConsumerKind, GrantEffect};

pub mod catalog;
pub mod enforce;
pub mod file;
pub mod keys;
pub mod mask;
pub mod store;

use crate::departments::Department;
use catalog::{pattern_matches, specificity, Catalog, FieldPolicy, SharingClass};
use mask::MaskKind;

/// A registered consumer system, as the policy sees it.
#[derive(Debug, Clone)]
pub struct Consumer {
    pub id: i64,
    pub key_id: String,
    pub key_hash: String,
    pub name: String,
    pub kind: ConsumerKind,
    pub department: Option<Department>,
    /// GB/T 2260 prefixes; empty: no region restriction.
    pub region_scope: Vec<String>,
    pub purposes: Vec<String>,
    /// Citizen portals are bound to one subject (keyed hash of an ID number).
    pub bound_subject: Option<String>,
    /// Training institutions are bound to one institution (its USCC).
    pub institution_uscc: Option<String>,
    pub revoked: bool,
}

impl Consumer {
    pub fn is_admin(&self) -> bool {
        self.kind == ConsumerKind::HubAdmin
    }
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: i64,
    pub consumer_id: i64,
    pub purpose: String,
    pub pattern: String,
    pub effect: GrantEffect,
    pub region_scope: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Purpose {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// What a field access comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldDecision {
    Allow,
    Mask(MaskKind),
    Deny(DenyReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// 不予共享: only the owning department may read it.
    OwnerOnly,
    /// No grant for this consumer and purpose covers the field.
    NoGrant,
    /// Grants exist but every one has expired.
    Expired,
    /// A grant exists but its region scope does not cover this person.
    GrantOutOfScope,
    /// The only grant says MASK, but this field has no masked form.
    Unmaskable,
    /// The person lies outside the consumer's region scope.
    OutOfScope,
}

impl From<DenyReason> for crate::error::ForbiddenReason {
    fn from(r: DenyReason) -> Self {
        use crate::error::ForbiddenReason as F;
        match r {
            DenyReason::OwnerOnly => F::OwnerOnly,
            DenyReason::NoGrant => F::NoGrant,
            DenyReason::Expired => F::GrantExpired,
            DenyReason::GrantOutOfScope => F::GrantOutOfScope,
            DenyReason::Unmaskable => F::Unmaskable,
            DenyReason::OutOfScope => F::OutOfScope,
        }
    }
}

/// An immutable view of all policy data, swapped whole when the policy version changes.
#[derive(Debug, Default)]
pub struct PolicySnapshot {
    pub version: i64,
    pub catalog: Arc<Catalog>,
    pub consumers: HashMap<String, Arc<Consumer>>,
    pub purposes: HashMap<String, Purpose>,
    pub grants: HashMap<i64, Vec<Grant>>,
}

/// True when one of `codes` lies under one of `prefixes`.
pub fn in_scope(prefixes: &[String], codes: &[String]) -> bool {
    prefixes
        .iter()
        .any(|p| codes.iter().any(|c| c.starts_with(p.as_str())))
}

impl PolicySnapshot {
    /// The decision for one field about one person whose linked region codes are
    /// `regions`, and whether those regions took part in it: when no grant that could
    /// apply is limited to regions, the decision is the same for every person (for this
    /// consumer, purpose and moment), which lets a request over many persons take it
    /// once per field.
    pub fn decide_scoped(
        &self,
        consumer: &Consumer,
        purpose: &str,
        field: &FieldPolicy,
        regions: &[String],
        now: DateTime<Utc>,
    ) -> (FieldDecision, bool) {
        if consumer.department.is_some_and(|d| field.owned_only_by(d)) {
            return (FieldDecision::Allow, false);
        }
        match field.class {
            SharingClass::Unconditional => return (FieldDecision::Allow, false),
            SharingClass::None => return (FieldDecision::Deny(DenyReason::OwnerOnly), false),
            SharingClass::Conditional => {}
        }
        let grants = self
            .grants
            .get(&consumer.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // One pass, no allocation: this runs for every field of every person.
        let (mut matched, mut live, mut scoped) = (false, false, false);
        let mut best: Option<&Grant> = None;
        let rank = |g: &Grant| {
            (
                specificity(&g.pattern),
                u8::from(g.effect == GrantEffect::Allow),
            )
        };
        for g in grants {
            if g.purpose != purpose || !pattern_matches(&g.pattern, &field.type_name, &field.field)
            {
                continue;
            }
            matched = true;
            if g.expires_at.is_some_and(|e| e <= now) {
                continue;
            }
            live = true;
            if let Some(s) = &g.region_scope {
                scoped = true;
                if !in_scope(s, regions) {
                    continue;
                }
            }
            // The most specific grant wins; between equally specific ones, ALLOW beats MASK.
            if best.is_none_or(|b| rank(g) > rank(b)) {
                best = Some(g);
            }
        }
        let decision = match best {
            None if !matched => FieldDecision::Deny(DenyReason::NoGrant),
            None if !live => FieldDecision::Deny(DenyReason::Expired),
            None => FieldDecision::Deny(DenyReason::GrantOutOfScope),
            Some(g) if g.effect == GrantEffect::Allow => FieldDecision::Allow,
            // A field with no masked form is never sent in clear under a MASK grant.
            Some(_) if field.mask == MaskKind::None => FieldDecision::Deny(DenyReason::Unmaskable),
            Some(_) => FieldDecision::Mask(field.mask),
        };
        (decision, scoped)
    }

    /// Whether nothing could ever let the consumer read `field` under `purpose`: not its
    /// sole owner's, and no live grant for this consumer and purpose names it (region
    /// scopes aside: those are decided per person).
    pub fn withholds(
        &self,
        consumer: &Consumer,
        purpose: &str,
        field: &FieldPolicy,
        now: DateTime<Utc>,
    ) -> bool {
        if consumer.department.is_some_and(|d| field.owned_only_by(d)) {
            return false;
        }
        match field.class {
            SharingClass::Unconditional => false,
            SharingClass::None => true,
            SharingClass::Conditional => self
                .live_grants(consumer, purpose, field, now)
                .next()
                .is_none(),
        }
    }

    /// The consumer's unexpired grants for `purpose` that name `field`, whatever their
    /// effect and region scope.
    fn live_grants<'a>(
        &'a self,
        consumer: &Consumer,
        purpose: &'a str,
        field: &'a FieldPolicy,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a Grant> + 'a {
        self.grants
            .get(&consumer.id)
            .into_iter()
            .flatten()
            .filter(move |g| {
                g.purpose == purpose
                    && g.expires_at.is_none_or(|e| e > now)
                    && pattern_matches(&g.pattern, &field.type_name, &field.field)
            })
    }

    /// The region prefixes the consumer's live grants for `purpose` on `field` allow:
    /// `None` when no live grant names it, `Some(None)` when one is unrestricted.
    pub fn grant_scopes(
        &self,
        consumer: &Consumer,
        purpose: &str,
        field: &FieldPolicy,
        now: DateTime<Utc>,
    ) -> Option<Option<Vec<String>>> {
        let live = self
            .live_grants(consumer, purpose, field, now)
            .filter(|g| g.effect == GrantEffect::Allow);
        let mut prefixes: Vec<String> = Vec::new();
        let mut any = false;
        for g in live {
            any = true;
            match &g.region_scope {
                None => return Some(None),
                Some(s) => prefixes.extend(s.iter().cloned()),
            }
        }
        any.then_some(Some(prefixes))
    }

    /// Whether `type_name.field` is in the consumer's view of the schema (introspection
    /// and `/schema`): root fields its kind may call, and catalog fields it could ever be
    /// allowed; everything to the hub admin. Plain structure is shown to all.
    pub fn shows(&self, consumer: &Consumer, type_name: &str, field: &str) -> bool {
        if consumer.is_admin() {
            return true;
        }
        if type_name == "Query" && !root_field_allowed(consumer.kind, field) {
            return false;
        }
        if type_name == "Mutation" {
            return mutation_allowed(consumer, field);
        }
        self.catalog
            .get(type_name, field)
            .is_none_or(|f| self.could_see(consumer, f))
    }

    /// Whether a consumer could ever be allowed (or masked) this field, for any person.
    pub fn could_see(&self, consumer: &Consumer, field: &FieldPolicy) -> bool {
        if consumer.department.is_some_and(|d| field.owned_only_by(d)) || consumer.is_admin() {
            return true;
        }
        match field.class {
            SharingClass::Unconditional => true,
            SharingClass::None => false,
            SharingClass::Conditional => self.grants.get(&consumer.id).is_some_and(|gs| {
                gs.iter()
                    .any(|g| pattern_matches(&g.pattern, &field.type_name, &field.field))
            }),
        }
    }
}

/// The mutations a consumer could ever be allowed (the reporting side decides each write).
pub fn mutation_allowed(consumer: &Consumer, field: &str) -> bool {
    match consumer.kind {
        ConsumerKind::DepartmentSystem => consumer.department == Some(Department::HrssTraining),
        ConsumerKind::TrainingInstitution => matches!(
            field,
            "fileClass" | "enrol" | "recordResult" | "correctReport" | "retractReport"
        ),
        _ => false,
    }
}

/// Root fields reserved for some kinds of consumer.
pub fn root_field_allowed(kind: ConsumerKind, field: &str) -> bool {
    match field {
        "accessLog" => kind == ConsumerKind::Auditor,
        "myAccessLog" => kind == ConsumerKind::CitizenPortal,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str) -> FieldPolicy {
        let (t, f) = key.split_once('.').expect("Type.field");
        FieldPolicy {
            key: key.into(),
            type_name: t.into(),
            field: f.into(),
            owner: Department::HrssTraining,
            co_owners: Vec::new(),
            class: SharingClass::Conditional,
            sensitive: false,
            mask: MaskKind::Name,
            description: None,
        }
    }

    fn grant(pattern: &str, regions: Option<&[&str]>) -> Grant {
        Grant {
            id: 1,
            consumer_id: 7,
            purpose: "check".into(),
            pattern: pattern.into(),
            effect: GrantEffect::Allow,
            region_scope: regions.map(|r| r.iter().map(|s| s.to_string()).collect()),
            expires_at: None,
        }
    }

    /// A decision is the same for every person exactly when no region-limited grant that
    /// could apply took part in it — whichever way it went.
    #[test]
    fn a_decision_says_whether_the_persons_regions_took_part() {
        let consumer = Consumer {
            id: 7,
            key_id: String::new(),
            key_hash: String::new(),
            name: "c".into(),
            kind: ConsumerKind::DepartmentSystem,
            department: Some(Department::CivilAffairs),
            region_scope: Vec::new(),
            purposes: vec!["check".into()],
            bound_subject: None,
            institution_uscc: None,
            revoked: false,
        };
        let snapshot = PolicySnapshot {
            grants: HashMap::from([(
                7,
                vec![
                    grant("Training.*", None),
                    grant("Subsidy.*", Some(&["371502"])),
                ],
            )]),
            ..Default::default()
        };
        let now = Utc::now();
        let here = vec!["371502".to_string()];
        let there = vec!["371522".to_string()];
        let d = |f: &str, regions: &[String]| {
            snapshot.decide_scoped(&consumer, "check", &field(f), regions, now)
        };
        assert_eq!(d("Training.result", &there), (FieldDecision::Allow, false));
        assert_eq!(d("Subsidy.amountFen", &here), (FieldDecision::Allow, true));
        assert_eq!(
            d("Subsidy.amountFen", &there),
            (FieldDecision::Deny(DenyReason::GrantOutOfScope), true)
        );
        assert_eq!(
            d("Certificate.level", &here),
            (FieldDecision::Deny(DenyReason::NoGrant), false)
        );
        // Another purpose: no grant applies, so no region takes part.
        assert_eq!(
            snapshot.decide_scoped(&consumer, "other", &field("Subsidy.kind"), &here, now),
            (FieldDecision::Deny(DenyReason::NoGrant), false)
        );
    }
}
