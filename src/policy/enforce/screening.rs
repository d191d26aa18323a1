//! What a consumer may read of a person's screening: a rule's flags reveal the records it
//! reads, so each rule is decided like a field (`ScreeningRule.<ID>`, owned by every
//! department it reads) for the person, and audited. Rules with no live grant for the
//! consumer and purpose are *withheld* — the same list for every person, so it says
//! nothing about anyone — and never silently dropped.

use std::sync::Arc;

use async_graphql::Context;

use super::context::{path_of, Access};
use crate::departments::Department;
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

/// The departments a withheld rule would need grants from.
pub fn owners(rule: ScreeningRule) -> &'static [Department] {
    rule.reads()
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
        match access.decide(&subject, field) {
            FieldDecision::Allow => view.shown.push(rule),
            // A rule's flags have no masked form.
            FieldDecision::Mask(_) => {
                access.refuse(
                    Some(field.key()),
                    crate::policy::DenyReason::Unmaskable.into(),
                    path_of(node),
                );
            }
            FieldDecision::Deny(reason) => {
                access.refuse(Some(field.key()), reason.into(), path_of(node));
            }
        }
    }
    view
}
