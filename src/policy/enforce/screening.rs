//! What a consumer may read of a person's screening: a rule's flags reveal the records it
//! reads, so each rule is decided like a field (`ScreeningRule.<ID>`, owned by every
//! department it reads) for the person, and audited. Rules with no live grant for the
//! consumer and purpose are *withheld* — the same list for every person, so it says
//! nothing about anyone — and never silently dropped.

use std::sync::Arc;

use async_graphql::Context;

use super::context::{path_of, Access};
use crate::policy::catalog::SCREENING_RULE;
use crate::policy::FieldDecision;
use crate::screening::ScreeningRule;

/// The consumer's view of the rules for one person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleView {
    /// Rules decided and allowed for this person: their flags are shown.
    pub shown: Vec<ScreeningRule>,
    /// Rules with no live grant for this consumer and purpose.
    pub withheld: Vec<ScreeningRule>,
}

impl RuleView {
    /// Without an access context (policy switched off for a cost comparison): every rule.
    fn everything() -> Self {
        Self {
            shown: ScreeningRule::ALL.to_vec(),
            withheld: Vec::new(),
        }
    }

    pub fn shows(&self, rule: ScreeningRule) -> bool {
        self.shown.contains(&rule)
    }
}

/// Decides `rules` for the person this field belongs to: withheld ones are listed, the
/// others decided (and audited) per person; a refused rule gets one `FORBIDDEN` error
/// (`ScreeningRule.<ID>`) at this field's path and its flags are left out.
pub fn decide_rules(ctx: &Context<'_>, rules: &[ScreeningRule]) -> RuleView {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        return RuleView::everything();
    };
    let Some(node) = ctx.path_node.as_ref() else {
        return RuleView::default();
    };
    let Some(subject) = access.subject_for(node) else {
        tracing::error!("screening outside any person; every rule refused");
        return RuleView {
            shown: Vec::new(),
            withheld: rules.to_vec(),
        };
    };
    let mut view = RuleView::default();
    for &rule in rules {
        let Some(field) = access.snapshot.catalog.get(SCREENING_RULE, rule.id()) else {
            // A rule without its catalog entry is a build error; fail closed.
            tracing::error!(rule = rule.id(), "screening rule missing from the catalog");
            view.withheld.push(rule);
            continue;
        };
        if access
            .snapshot
            .withholds(&access.consumer, &access.purpose, field, access.time.now)
        {
            view.withheld.push(rule);
            continue;
        }
        if allowed_or_refused(access, &subject, field, node) {
            view.shown.push(rule);
        }
    }
    view
}

/// Decides `field` for `subject` (audited); anything but ALLOW — a judgement has no
/// masked form — is refused at `node`'s path.
fn allowed_or_refused(
    access: &Access,
    subject: &crate::id_number::IdNumber,
    field: &crate::policy::catalog::FieldPolicy,
    node: &async_graphql::QueryPathNode<'_>,
) -> bool {
    let reason = match access.decide(subject, field) {
        FieldDecision::Allow => return true,
        FieldDecision::Mask(_) => crate::policy::DenyReason::Unmaskable,
        FieldDecision::Deny(reason) => reason,
    };
    access.refuse(Some(field.key()), reason.into(), path_of(node));
    false
}

/// The purpose under which the population report may be read (监督检查).
pub const SUPERVISION: &str = "screening_supervision";

/// What a consumer may list in the population report.
#[derive(Debug, Clone, Default)]
pub struct ReportScope {
    /// Each rule it may see, with the region prefixes its grant is limited to.
    pub rules: Vec<(ScreeningRule, Option<Vec<String>>)>,
    /// The consumer's own region scope (empty: everywhere).
    pub regions: Vec<String>,
}

/// The one place the hub lists persons: only under the purpose `screening_supervision`,
/// only with a live grant on `Query.screeningReport` (owning HRSS training is not enough),
/// only the rules the consumer may see, only persons in its region scope.
pub fn report_scope(ctx: &Context<'_>) -> Result<ReportScope, crate::error::HubError> {
    use crate::error::{ForbiddenReason, HubError};
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        // Policy switched off (cost comparison only).
        return Ok(ReportScope {
            rules: ScreeningRule::ALL.iter().map(|r| (*r, None)).collect(),
            regions: Vec::new(),
        });
    };
    if access.purpose != SUPERVISION {
        return Err(HubError::forbidden(ForbiddenReason::PurposeNotAllowed));
    }
    let snapshot = &access.snapshot;
    let report = snapshot
        .catalog
        .get("Query", "screeningReport")
        .ok_or(HubError::Internal)?;
    let now = access.time.now;
    let Some(report_scope) = snapshot.grant_scopes(&access.consumer, &access.purpose, report, now)
    else {
        return Err(HubError::forbidden(ForbiddenReason::NoGrant));
    };
    let mut rules = Vec::new();
    for rule in ScreeningRule::ALL {
        let Some(field) = snapshot.catalog.get(SCREENING_RULE, rule.id()) else {
            continue;
        };
        let own = access
            .consumer
            .department
            .is_some_and(|d| field.owned_only_by(d));
        let scope = if own {
            Some(None)
        } else {
            snapshot.grant_scopes(&access.consumer, &access.purpose, field, now)
        };
        if let Some(scope) = scope {
            rules.push((rule, intersect(scope, report_scope.clone())));
        }
    }
    Ok(ReportScope {
        rules,
        regions: access.consumer.region_scope.clone(),
    })
}

/// Both limits at once: a row must fall in each (as prefixes, the longer one of any
/// nested pair).
fn intersect(a: Option<Vec<String>>, b: Option<Vec<String>>) -> Option<Vec<String>> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            let mut out: Vec<String> = Vec::new();
            for x in &a {
                for y in &b {
                    if x.starts_with(y.as_str()) {
                        out.push(x.clone());
                    } else if y.starts_with(x.as_str()) {
                        out.push(y.clone());
                    }
                }
            }
            Some(out)
        }
    }
}

/// A person the report lists (its `index`-th row): registered at the row's path and
/// decided — the report's own entry and the row's rule — so that each listed person is
/// an access event in the audit trail. False: leave the row out.
pub fn admit_report_row(
    ctx: &Context<'_>,
    index: usize,
    id: &crate::id_number::IdNumber,
    regions: Vec<String>,
    rule: ScreeningRule,
) -> bool {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        return true;
    };
    let mut path = ctx.path_node.as_ref().map(path_of).unwrap_or_default();
    path.push(async_graphql::PathSegment::Field("rows".into()));
    path.push(async_graphql::PathSegment::Index(index));
    access.register(&path, id, Arc::new(regions.clone()));
    let c = &access.consumer;
    if !(c.region_scope.is_empty() || crate::policy::in_scope(&c.region_scope, &regions)) {
        return false;
    }
    let catalog = &access.snapshot.catalog;
    let (Some(report), Some(rule_field)) = (
        catalog.get("Query", "screeningReport"),
        catalog.get(SCREENING_RULE, rule.id()),
    ) else {
        return false;
    };
    // The report's entry is granted (checked before any row); recorded per person.
    access.record(id, report.key(), FieldDecision::Allow);
    matches!(access.decide(id, rule_field), FieldDecision::Allow)
}

/// Decides one catalog field for the person this field belongs to (audited like any
/// read); a refusal is reported at this field's path. For checks whose answer reveals a
/// department's records (whether an enrolment is a person's), so that they say nothing
/// the consumer could not read.
pub fn allows(ctx: &Context<'_>, type_name: &str, field: &str) -> bool {
    let Some(access) = ctx.data_opt::<Arc<Access>>() else {
        return true;
    };
    let (Some(node), Some(policy)) = (
        ctx.path_node.as_ref(),
        access.snapshot.catalog.get(type_name, field),
    ) else {
        tracing::error!(
            type_name,
            field,
            "check against a field outside the catalog; denied"
        );
        return false;
    };
    let Some(subject) = access.subject_for(node) else {
        return false;
    };
    allowed_or_refused(access, &subject, policy, node)
}
