//! Screening in GraphQL: `Person.screening`, `Person.eligibility(asOf:)` and
//! `Query.checkClaim`. Which rules' flags a consumer sees is decided by the policy layer
//! ([`decide_rules`]); every eligibility answer is a catalog field owned by the
//! department whose records decide it, so the one extension decides and audits it.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use async_graphql::{Context, Enum, InputObject, Object};
use chrono::Datelike;

use super::departments::hrss_training::{SkillLevel, SubsidyKind};
use super::scalars::Date;
use crate::departments::Department;
use crate::domain::credit::CreditRecords;
use crate::domain::hrss_social::SocialRecords;
use crate::domain::Archive;
use crate::error::HubError;
use crate::i18n::Lang;
use crate::id_number::IdNumber;
use crate::policy::catalog::{share, SharingClass};
use crate::policy::enforce::{decide_rules, RuleView};
use crate::policy::mask::MaskKind;
use crate::screening::{self as s, groups, Facts};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "s::ScreeningRule", name = "ScreeningRule")]
pub enum Rule {
    #[graphql(name = "ANNUAL_LIMIT")]
    AnnualLimit,
    #[graphql(name = "REPEATED_OCCUPATION_LEVEL")]
    RepeatedOccupationLevel,
    #[graphql(name = "LOWER_LEVEL_AFTER_HIGHER")]
    LowerLevelAfterHigher,
    #[graphql(name = "OVERLAPPING_CLASSES")]
    OverlappingClasses,
    #[graphql(name = "PENSIONER_SUBSIDISED")]
    PensionerSubsidised,
    #[graphql(name = "LIVING_ALLOWANCE_INELIGIBLE")]
    LivingAllowanceIneligible,
    #[graphql(name = "WORK_FOR_TRAINING_OVER_6_MONTHS")]
    WorkForTrainingOver6Months,
    #[graphql(name = "WORK_FOR_TRAINING_NOT_NEW_HIRE")]
    WorkForTrainingNotNewHire,
    #[graphql(name = "CLASS_FILED_LATE")]
    ClassFiledLate,
    #[graphql(name = "INSTITUTION_NOT_APPROVED")]
    InstitutionNotApproved,
    #[graphql(name = "DUPLICATE_SUBSIDY")]
    DuplicateSubsidy,
    #[graphql(name = "BLACKLISTED_SUBSIDISED")]
    BlacklistedSubsidised,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "s::Severity", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    High,
    Medium,
    Low,
}

/// The kind of record a flag rests on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "s::RecordKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum EvidenceRecord {
    Enrolment,
    Class,
    Institution,
    Certificate,
    Subsidy,
    SocialRecord,
    Schooling,
    Assistance,
    Veteran,
    PovertyHousehold,
    UnionRecord,
    Blacklist,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "groups::EligibleGroup",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum EligibleGroup {
    RegisteredPoor,
    UrbanMinimumSubsistence,
    RuralMinimumSubsistence,
    ExtremePoverty,
    ZeroEmploymentFamily,
    EmploymentDifficulty,
    SelfEmployedSoldier,
    SelfChosenCareerOfficer,
    DemobilisedCadre,
    TwoAfterGraduate,
}

// The parts of a judgement below its decision (a rule's flags, a claim check's fields)
// are `UNCONDITIONAL`: they are shown only once the rule or answer itself was allowed.

/// One rule firing.
pub struct ScreeningFlag(pub s::Flag);

#[Object]
impl ScreeningFlag {
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn rule(&self) -> Option<Rule> {
        Some(self.0.rule.into())
    }
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn severity(&self) -> Option<Severity> {
        Some(self.0.severity.into())
    }
    /// The policy clause (seed document and section).
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn clause(&self) -> Option<&str> {
        Some(self.0.clause())
    }
    /// What was found, with its dates and counts (never an ID number).
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn explanation(&self, ctx: &Context<'_>) -> Option<String> {
        let lang = ctx
            .data_opt::<Arc<crate::policy::enforce::Access>>()
            .map_or(Lang::Zh, |a| a.lang);
        Some(self.0.explanation.pick(lang).to_string())
    }
    /// Set for `ANNUAL_LIMIT` only.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
    /// Every record the flag rests on.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn evidence(&self) -> Option<Vec<Evidence>> {
        Some(self.0.evidence.iter().copied().map(Evidence).collect())
    }
}

pub struct Evidence(s::Evidence);

#[Object]
impl Evidence {
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn department(&self) -> Option<Department> {
        Some(self.0.department)
    }
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn record(&self) -> Option<EvidenceRecord> {
        Some(self.0.record.into())
    }
    /// The owning department's row id; null for the subsidy a claim check is about.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn id(&self) -> Option<i64> {
        self.0.id
    }
}

/// A rule that could not be judged: a department it reads was unavailable.
pub struct UnjudgedRule(s::Unjudged);

#[Object]
impl UnjudgedRule {
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn rule(&self) -> Option<Rule> {
        Some(self.0.rule.into())
    }
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn department(&self) -> Option<Department> {
        Some(self.0.department)
    }
}

/// A rule this consumer has no live grant for (under this purpose), and the departments
/// that own it — the same list for every person.
pub struct WithheldRule(s::ScreeningRule);

#[Object]
impl WithheldRule {
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn rule(&self) -> Option<Rule> {
        Some(self.0.into())
    }
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn departments(&self) -> Option<Vec<Department>> {
        Some(self.0.reads().to_vec())
    }
}

fn withheld(view: &RuleView) -> Vec<WithheldRule> {
    view.withheld.iter().copied().map(WithheldRule).collect()
}

/// One person's screening.
pub struct Screening {
    archive: Arc<Archive>,
    result: OnceLock<s::Screening>,
    view: OnceLock<RuleView>,
}

impl Screening {
    pub fn new(archive: Arc<Archive>) -> Self {
        Self {
            archive,
            result: OnceLock::new(),
            view: OnceLock::new(),
        }
    }

    fn result(&self) -> &s::Screening {
        self.result.get_or_init(|| s::screen(&self.archive))
    }

    fn view(&self, ctx: &Context<'_>) -> &RuleView {
        self.view
            .get_or_init(|| decide_rules(ctx, &s::ScreeningRule::ALL))
    }
}

#[Object]
impl Screening {
    /// The flags of the rules this consumer may see for this person, by rule (the
    /// enum's order), then year, then evidence ids.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn flags(&self, ctx: &Context<'_>) -> Option<Vec<ScreeningFlag>> {
        let view = self.view(ctx);
        Some(
            self.result()
                .flags
                .iter()
                .filter(|f| view.shows(f.rule))
                .cloned()
                .map(ScreeningFlag)
                .collect(),
        )
    }

    /// Rules not judged because a department they read was unavailable — never reported
    /// clean.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn unjudged(&self) -> Option<Vec<UnjudgedRule>> {
        Some(
            self.result()
                .unjudged
                .iter()
                .copied()
                .map(UnjudgedRule)
                .collect(),
        )
    }

    /// Rules this consumer has no grant for under this purpose.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn withheld(&self, ctx: &Context<'_>) -> Option<Vec<WithheldRule>> {
        Some(withheld(self.view(ctx)))
    }
}

/// An (occupation, level) pair already used by a subsidised training.
pub struct OccupationLevel {
    occupation_code: String,
    level: crate::domain::hrss_training::SkillLevel,
}

#[Object]
impl OccupationLevel {
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn occupation_code(&self) -> Option<&str> {
        Some(&self.occupation_code)
    }
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn level(&self) -> Option<SkillLevel> {
        Some(self.level.into())
    }
}

/// Answers about one day, each owned by the department whose records decide it.
pub struct Eligibility {
    pub archive: Arc<Archive>,
    pub day: chrono::NaiveDate,
}

impl Eligibility {
    fn groups(&self, d: Department) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        let found = groups::of_department(&self.archive, d, self.day)
            .ok_or(HubError::SourceUnavailable(d))?;
        let distinct: BTreeSet<groups::EligibleGroup> = found.iter().map(|m| m.group).collect();
        Ok(Some(distinct.into_iter().map(Into::into).collect()))
    }

    fn facts(&self) -> Result<Facts<'_>, HubError> {
        Facts::of(&self.archive).ok_or(HubError::SourceUnavailable(Department::HrssTraining))
    }
}

#[Object]
impl Eligibility {
    /// Registered poor on that day (poverty alleviation's records).
    #[graphql(directive = share::apply(Department::Poverty, SharingClass::Conditional, true, MaskKind::None))]
    async fn poverty(&self) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        self.groups(Department::Poverty)
    }
    /// Minimum subsistence, extreme poverty, zero-employment family (civil affairs).
    #[graphql(directive = share::apply(Department::CivilAffairs, SharingClass::Conditional, true, MaskKind::None))]
    async fn civil_affairs(&self) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        self.groups(Department::CivilAffairs)
    }
    /// Employment difficulty (HRSS social).
    #[graphql(directive = share::apply(Department::HrssSocial, SharingClass::Conditional, true, MaskKind::None))]
    async fn hrss_social(&self) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        self.groups(Department::HrssSocial)
    }
    /// The eligible veteran categories (veterans affairs).
    #[graphql(directive = share::apply(Department::Veterans, SharingClass::Conditional, true, MaskKind::None))]
    async fn veterans(&self) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        self.groups(Department::Veterans)
    }
    /// 两后生 (education bureau).
    #[graphql(directive = share::apply(Department::Education, SharingClass::Conditional, false, MaskKind::None))]
    async fn education(&self) -> async_graphql::Result<Option<Vec<EligibleGroup>>> {
        self.groups(Department::Education)
    }
    /// Drawing a pension on that day (HRSS social).
    #[graphql(directive = share::apply(Department::HrssSocial, SharingClass::Conditional, true, MaskKind::None))]
    async fn receives_pension(&self) -> async_graphql::Result<Option<bool>> {
        let r = self
            .archive
            .section::<SocialRecords>()
            .map_err(|e| HubError::SourceUnavailable(e.0))?;
        Ok(Some(r.receives_pension_on(self.day)))
    }
    /// On the credit blacklist on that day (credit office).
    #[graphql(directive = share::apply(Department::Credit, SharingClass::Conditional, true, MaskKind::None))]
    async fn blacklisted(&self) -> async_graphql::Result<Option<bool>> {
        let r = self
            .archive
            .section::<CreditRecords>()
            .map_err(|e| HubError::SourceUnavailable(e.0))?;
        Ok(Some(r.listed_on(self.day).is_some()))
    }
    /// Subsidised trainings left in that day's year: 3 minus those whose year (first
    /// training subsidy) it is, never below 0.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Conditional, false, MaskKind::None))]
    async fn trainings_left(&self) -> async_graphql::Result<Option<i32>> {
        let f = self.facts()?;
        let year = self.day.year();
        let used = f
            .subsidised()
            .filter(|(_, u)| u.year() == Some(year))
            .count();
        let left = s::ANNUAL_TRAININGS.saturating_sub(used);
        Ok(Some(i32::try_from(left).unwrap_or(0)))
    }
    /// The (occupation, level) pairs of the person's subsidised trainings.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Conditional, false, MaskKind::None))]
    async fn used_occupation_levels(&self) -> async_graphql::Result<Option<Vec<OccupationLevel>>> {
        let f = self.facts()?;
        let mut seen = Vec::new();
        for (_, u) in f.subsidised() {
            if let Some((occ, level)) = u.occupation_level() {
                if !seen.iter().any(|(o, l)| *o == occ && *l == level) {
                    seen.push((occ, level));
                }
            }
        }
        seen.sort_by(|a, b| a.0.cmp(b.0).then((a.1 as u8).cmp(&(b.1 as u8))));
        Ok(Some(
            seen.into_iter()
                .map(|(o, level)| OccupationLevel {
                    occupation_code: o.to_string(),
                    level,
                })
                .collect(),
        ))
    }
}

/// A subsidy about to be paid, to check before paying.
#[derive(InputObject, Debug, Clone)]
pub struct ClaimInput {
    pub id_number: IdNumber,
    pub kind: SubsidyKind,
    /// In fen (1/100 CNY), positive.
    pub amount_fen: i64,
    pub paid_on: Date,
    /// GB/T 2260 code of the paying county.
    pub paying_county: String,
    /// Required for `TRAINING`, `SKILL_ASSESSMENT` and `LIVING_ALLOWANCE` (or
    /// `certificateId`); must be this person's.
    pub enrolment_id: Option<i64>,
    pub certificate_id: Option<i64>,
    /// Required for `WORK_FOR_TRAINING`.
    pub employer_uscc: Option<String>,
    /// Required for `WORK_FOR_TRAINING`, positive.
    pub months: Option<i32>,
}

impl ClaimInput {
    pub fn claim(&self) -> s::Claim {
        s::Claim {
            kind: self.kind.into(),
            amount_fen: self.amount_fen,
            paid_on: self.paid_on.0,
            paying_county: self.paying_county.clone(),
            enrolment_id: self.enrolment_id,
            certificate_id: self.certificate_id,
            employer_uscc: self.employer_uscc.clone(),
            months: self.months,
        }
    }
}

/// The answer to a claim pre-check.
pub struct ClaimCheck {
    pub outcome: s::ClaimOutcome,
    pub view: RuleView,
}

impl ClaimCheck {
    /// The needed rules that are neither shown nor judged: withheld or refused.
    fn not_shown(&self) -> impl Iterator<Item = s::ScreeningRule> + '_ {
        self.outcome
            .needed
            .iter()
            .copied()
            .filter(|r| !self.view.shows(*r))
    }
}

#[Object]
impl ClaimCheck {
    /// True only with no violation, and every needed rule judged and visible to this
    /// consumer.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn allowed(&self) -> Option<bool> {
        let violations = self
            .outcome
            .violations
            .iter()
            .any(|f| self.view.shows(f.rule));
        Some(!violations && self.outcome.unjudged.is_empty() && self.not_shown().next().is_none())
    }
    /// The flags that rest on the claimed subsidy (its evidence id is null).
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn violations(&self) -> Option<Vec<ScreeningFlag>> {
        Some(
            self.outcome
                .violations
                .iter()
                .filter(|f| self.view.shows(f.rule))
                .cloned()
                .map(ScreeningFlag)
                .collect(),
        )
    }
    /// Needed rules that could not be judged.
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn unjudged(&self) -> Option<Vec<UnjudgedRule>> {
        Some(
            self.outcome
                .unjudged
                .iter()
                .copied()
                .map(UnjudgedRule)
                .collect(),
        )
    }
    /// Needed rules this consumer may not see (no live grant, or refused for this
    /// person).
    #[graphql(directive = share::apply(Department::HrssTraining, SharingClass::Unconditional, false, MaskKind::None))]
    async fn withheld(&self) -> Option<Vec<WithheldRule>> {
        Some(self.not_shown().map(WithheldRule).collect())
    }
}

/// `Query.checkClaim`'s work, once the person is admitted: the needed rules decided for
/// this consumer, the claim checked.
pub fn check(
    ctx: &Context<'_>,
    archive: &Archive,
    input: &ClaimInput,
) -> Result<ClaimCheck, HubError> {
    s::claim::validate(&input.claim()).map_err(HubError::BadClaim)?;
    // Whether an enrolment or certificate is this person's is HRSS training's record: a
    // consumer that may not read the person's trainings (certificates) learns nothing
    // from the check — it is refused in place, with `FORBIDDEN` naming that field.
    let readable = (input.enrolment_id.is_none()
        || crate::policy::enforce::allows(ctx, "Person", "trainings"))
        && (input.certificate_id.is_none()
            || crate::policy::enforce::allows(ctx, "Person", "certificates"));
    if !readable {
        return Ok(refused(input));
    }
    let outcome = s::check_claim(archive, &input.claim()).map_err(HubError::BadClaim)?;
    let view = decide_rules(ctx, &outcome.needed);
    Ok(ClaimCheck { outcome, view })
}

/// A claim check for a person the consumer may not read: nothing judged, nothing shown.
pub fn refused(input: &ClaimInput) -> ClaimCheck {
    let needed = s::claim::needed(input.kind.into()).to_vec();
    ClaimCheck {
        view: RuleView {
            shown: Vec::new(),
            withheld: needed.clone(),
        },
        outcome: s::ClaimOutcome {
            needed,
            ..Default::default()
        },
    }
}

/// One flag of the population report.
pub struct ScreeningRow {
    id_number: IdNumber,
    rule: s::ScreeningRule,
    year: Option<i32>,
    severity: s::Severity,
}

/// Listed persons are admitted and audited one by one by the report (`admit_report_row`);
/// the row's fields have nothing more to decide.
#[Object]
impl ScreeningRow {
    async fn id_number(&self) -> &IdNumber {
        &self.id_number
    }
    async fn rule(&self) -> Rule {
        self.rule.into()
    }
    async fn year(&self) -> Option<i32> {
        self.year
    }
    async fn severity(&self) -> Severity {
        self.severity.into()
    }
}

/// Flags per rule under the report's filters.
#[derive(async_graphql::SimpleObject)]
pub struct RuleCount {
    pub rule: Rule,
    pub count: u64,
}

/// Where a page ends.
#[derive(async_graphql::SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A page of the population report over the latest finished screening run.
#[derive(async_graphql::SimpleObject)]
pub struct ScreeningReport {
    pub rows: Vec<ScreeningRow>,
    pub page_info: PageInfo,
    pub counts_by_rule: Vec<RuleCount>,
    /// When the run the report reads finished (RFC 3339, UTC); null before the first run.
    pub last_run: Option<String>,
}

/// The most rows a page may ask for.
pub const MAX_PAGE: i32 = 500;

fn cursor(id: i64) -> String {
    format!("r{id}")
}

fn parse_cursor(c: &str) -> Option<i64> {
    c.strip_prefix('r')?.parse().ok().filter(|n: &i64| *n >= 0)
}

fn bad(detail: &str) -> HubError {
    HubError::BadUserInput {
        detail: Some(detail.to_string()),
    }
}

/// `Query.screeningReport`'s work.
pub async fn report(
    ctx: &Context<'_>,
    rule: Option<Rule>,
    region: Option<String>,
    year: Option<i32>,
    first: i32,
    after: Option<String>,
) -> async_graphql::Result<ScreeningReport> {
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(bad("first: 1 to 500").into());
    }
    if let Some(r) = &region {
        if !(2..=6).contains(&r.len()) || !r.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("region: a GB/T 2260 prefix of 2 to 6 digits").into());
        }
    }
    let after = match after.as_deref() {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| bad("after: not a cursor of this report"))?),
    };
    let scope = crate::policy::enforce::report_scope(ctx)?;
    let hub = &ctx.data_opt::<super::HubDb>().ok_or(HubError::Internal)?.0;
    let Some(run) = s::population::latest_run(hub)
        .await
        .map_err(|_| HubError::Internal)?
    else {
        return Ok(ScreeningReport {
            rows: Vec::new(),
            page_info: PageInfo {
                has_next_page: false,
                end_cursor: None,
            },
            counts_by_rule: Vec::new(),
            last_run: None,
        });
    };
    let wanted: Option<s::ScreeningRule> = rule.map(Into::into);
    let filter = s::population::ReportFilter {
        rules: scope
            .rules
            .into_iter()
            .filter(|(r, _)| wanted.is_none_or(|w| w == *r))
            .collect(),
        consumer_scope: scope.regions,
        region,
        year,
    };
    let (rows, more) = s::population::page(hub, run.id, &filter, first as u64, after)
        .await
        .map_err(|_| HubError::Internal)?;
    let counts = s::population::counts(hub, run.id, &filter)
        .await
        .map_err(|_| HubError::Internal)?;
    let end_cursor = rows.last().map(|r| cursor(r.id));
    let mut out = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let (Ok(id), Some(rule)) = (
            IdNumber::parse(&row.id_number),
            s::ScreeningRule::from_id(&row.rule),
        ) else {
            continue;
        };
        let regions: Vec<String> = row
            .person_regions
            .split_whitespace()
            .map(String::from)
            .collect();
        if !crate::policy::enforce::admit_report_row(ctx, i, &id, regions, rule) {
            continue;
        }
        let severity = match row.severity.as_str() {
            "HIGH" => s::Severity::High,
            "MEDIUM" => s::Severity::Medium,
            _ => s::Severity::Low,
        };
        out.push(ScreeningRow {
            id_number: id,
            rule,
            year: row.year,
            severity,
        });
    }
    Ok(ScreeningReport {
        rows: out,
        page_info: PageInfo {
            has_next_page: more,
            end_cursor,
        },
        counts_by_rule: counts
            .into_iter()
            .map(|(rule, count)| RuleCount {
                rule: rule.into(),
                count,
            })
            .collect(),
        last_run: run.finished_at.map(|t| t.to_rfc3339()),
    })
}
