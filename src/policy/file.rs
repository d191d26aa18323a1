//! The policy file (TOML): purposes, consumers and grants, used to bootstrap the demo and
//! to apply reviewed policy changes (`archive-hub policy check|apply FILE`).

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use entities::hub::{grant, purpose, ConsumerKind, GrantEffect};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Deserialize;

use super::catalog::Catalog;
use super::store::{
    self, check_regions, department_from_code, validate_pattern, NewConsumer, PolicyError,
};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    #[serde(default)]
    pub purposes: Vec<PurposeEntry>,
    #[serde(default)]
    pub consumers: Vec<ConsumerEntry>,
    #[serde(default)]
    pub grants: Vec<GrantEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeEntry {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerEntry {
    pub name: String,
    pub kind: String,
    pub department: Option<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Citizen portals: the one ID number they may read their own access log for.
    pub bind_id_number: Option<String>,
    /// Training institutions: the USCC of the institution they report for.
    pub institution: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantEntry {
    pub consumer: String,
    pub purpose: String,
    pub fields: Vec<String>,
    pub effect: String,
    pub regions: Option<Vec<String>>,
    pub expires: Option<DateTime<Utc>>,
}

pub fn parse_kind(s: &str) -> Result<ConsumerKind, PolicyError> {
    Ok(match s {
        "DEPARTMENT_SYSTEM" => ConsumerKind::DepartmentSystem,
        "TRAINING_INSTITUTION" => ConsumerKind::TrainingInstitution,
        "AUDITOR" => ConsumerKind::Auditor,
        "CITIZEN_PORTAL" => ConsumerKind::CitizenPortal,
        "ANALYST" => ConsumerKind::Analyst,
        "HUB_ADMIN" => ConsumerKind::HubAdmin,
        other => {
            return Err(PolicyError::Invalid(format!(
                "unknown consumer kind `{other}`"
            )))
        }
    })
}

fn parse_effect(s: &str) -> Result<GrantEffect, PolicyError> {
    match s {
        "ALLOW" => Ok(GrantEffect::Allow),
        "MASK" => Ok(GrantEffect::Mask),
        other => Err(PolicyError::Invalid(format!(
            "unknown grant effect `{other}` (ALLOW or MASK)"
        ))),
    }
}

/// The demo's policy, built into the binary so that `demo` runs from any directory.
pub const DEMO_POLICY: &str = include_str!("../../policy/demo.toml");

impl PolicyFile {
    /// A policy from TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        toml::from_str(text).map_err(|e| PolicyError::Invalid(format!("{origin}: {e}")))
    }

    pub fn read(path: &Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PolicyError::Invalid(format!("cannot read {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| PolicyError::Invalid(format!("{}: {e}", path.display())))
    }

    /// Checks everything that can be checked without the database (purposes and consumers
    /// named here may already be registered; `apply` checks those).
    pub fn validate(&self, catalog: &Catalog) -> Result<(), PolicyError> {
        for c in &self.consumers {
            parse_kind(&c.kind)?;
            if let Some(d) = &c.department {
                department_from_code(d)?;
            }
            check_regions(&c.regions)?;
        }
        for g in &self.grants {
            let effect = parse_effect(&g.effect)?;
            if let Some(r) = &g.regions {
                check_regions(r)?;
            }
            let label = format!("({} / {})", g.consumer, g.purpose);
            for f in &g.fields {
                validate_pattern(catalog, &label, f, effect)?;
            }
        }
        Ok(())
    }

    /// Applies the file in one transaction: purposes upserted, missing consumers created
    /// (their keys returned, to be shown once), and the grants of every consumer named in
    /// the file's grants replaced by the file's. `subject` turns an ID number into the
    /// audit subject a citizen portal is bound to.
    pub async fn apply(
        &self,
        conn: &DatabaseConnection,
        catalog: &Catalog,
        subject: impl Fn(&str) -> Result<String, PolicyError>,
    ) -> Result<Vec<(String, String)>, PolicyError> {
        self.validate(catalog)?;
        let txn = conn.begin().await?;
        for p in &self.purposes {
            let am = purpose::ActiveModel {
                code: Set(p.code.clone()),
                name_zh: Set(p.name_zh.clone()),
                name_en: Set(p.name_en.clone()),
            };
            if purpose::Entity::find_by_id(p.code.clone())
                .one(&txn)
                .await?
                .is_some()
            {
                am.update(&txn).await?;
            } else {
                am.insert(&txn).await?;
            }
        }
        let mut new_keys = Vec::new();
        for c in &self.consumers {
            if store::consumer_by_name(&txn, &c.name).await?.is_some() {
                continue;
            }
            let bound_subject = c.bind_id_number.as_deref().map(&subject).transpose()?;
            let (_, key) = store::add_consumer(
                &txn,
                NewConsumer {
                    name: c.name.clone(),
                    kind: parse_kind(&c.kind)?,
                    department: c.department.clone(),
                    regions: c.regions.clone(),
                    purposes: c.purposes.clone(),
                    bound_subject,
                    institution_uscc: c.institution.clone(),
                },
            )
            .await?;
            new_keys.push((c.name.clone(), key));
        }
        let mut replaced = HashSet::new();
        let now = Utc::now();
        for g in &self.grants {
            let consumer = store::consumer_by_name(&txn, &g.consumer)
                .await?
                .ok_or_else(|| PolicyError::UnknownConsumer(g.consumer.clone()))?;
            if replaced.insert(consumer.id) {
                grant::Entity::delete_many()
                    .filter(grant::Column::ConsumerId.eq(consumer.id))
                    .exec(&txn)
                    .await?;
            }
            if purpose::Entity::find_by_id(g.purpose.clone())
                .one(&txn)
                .await?
                .is_none()
            {
                return Err(PolicyError::UnknownPurpose(g.purpose.clone()));
            }
            for f in &g.fields {
                grant::ActiveModel {
                    consumer_id: Set(consumer.id),
                    purpose: Set(g.purpose.clone()),
                    field_pattern: Set(f.clone()),
                    effect: Set(parse_effect(&g.effect)?),
                    region_scope: Set(g.regions.as_ref().map(|r| r.join(","))),
                    expires_at: Set(g.expires),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        store::bump_version(&txn).await?;
        txn.commit().await?;
        Ok(new_keys)
    }
}
