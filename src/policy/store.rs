//! Policy data in the hub database: loading a validated snapshot, picking up changes
//! without a restart, and the consumer operations behind `archive-hub consumer …`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use entities::hub::{consumer, grant, policy_version, purpose, ConsumerKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

use super::catalog::Catalog;
use super::keys;
use super::{Consumer, Grant, PolicySnapshot, Purpose};
use crate::departments::Department;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy database error: {0}")]
    Db(#[from] DbErr),
    #[error(
        "grant {grant} names field pattern `{pattern}`, which matches no field in the catalog"
    )]
    UnknownField { grant: String, pattern: String },
    #[error("grant {grant} masks `{pattern}`, but a matched field cannot be masked")]
    Unmaskable { grant: String, pattern: String },
    #[error("unknown purpose `{0}`")]
    UnknownPurpose(String),
    #[error("unknown consumer `{0}`")]
    UnknownConsumer(String),
    #[error("unknown department `{0}`")]
    UnknownDepartment(String),
    #[error("invalid region prefix `{0}` (1–6 digits of a GB/T 2260 code)")]
    BadRegion(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Random(#[from] keys::RandomError),
}

pub fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

pub fn check_regions(regions: &[String]) -> Result<(), PolicyError> {
    for r in regions {
        if r.is_empty() || r.len() > 6 || !r.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PolicyError::BadRegion(r.clone()));
        }
    }
    Ok(())
}

pub fn department_from_code(code: &str) -> Result<Department, PolicyError> {
    Department::from_code(code).ok_or_else(|| PolicyError::UnknownDepartment(code.to_string()))
}

/// Reads everything and validates every grant against the catalog.
pub async fn load(
    conn: &DatabaseConnection,
    catalog: Arc<Catalog>,
) -> Result<PolicySnapshot, PolicyError> {
    let version = current_version(conn).await?;
    let purposes: HashMap<String, Purpose> = purpose::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.code.clone(),
                Purpose {
                    code: p.code,
                    name_zh: p.name_zh,
                    name_en: p.name_en,
                },
            )
        })
        .collect();
    let mut consumers = HashMap::new();
    let mut names = HashMap::new();
    for c in consumer::Entity::find().all(conn).await? {
        names.insert(c.id, c.name.clone());
        let department = c
            .department
            .as_deref()
            .map(department_from_code)
            .transpose()?;
        consumers.insert(
            c.key_id.clone(),
            Arc::new(Consumer {
                id: c.id,
                key_id: c.key_id,
                key_hash: c.key_hash,
                name: c.name,
                kind: c.kind,
                department,
                region_scope: split_list(&c.region_scope),
                purposes: split_list(&c.purposes),
                bound_subject: c.bound_subject,
                institution_uscc: c.institution_uscc,
                revoked: c.revoked_at.is_some(),
            }),
        );
    }
    let mut grants: HashMap<i64, Vec<Grant>> = HashMap::new();
    for g in grant::Entity::find()
        .order_by_asc(grant::Column::Id)
        .all(conn)
        .await?
    {
        let label = format!(
            "#{} ({} / {})",
            g.id,
            names.get(&g.consumer_id).map_or("?", String::as_str),
            g.purpose
        );
        validate_pattern(&catalog, &label, &g.field_pattern, g.effect)?;
        grants.entry(g.consumer_id).or_default().push(Grant {
            id: g.id,
            consumer_id: g.consumer_id,
            purpose: g.purpose,
            pattern: g.field_pattern,
            effect: g.effect,
            region_scope: g.region_scope.as_deref().map(split_list),
            expires_at: g.expires_at,
        });
    }
    Ok(PolicySnapshot {
        version,
        catalog,
        consumers,
        purposes,
        grants,
    })
}

pub fn validate_pattern(
    catalog: &Catalog,
    label: &str,
    pattern: &str,
    effect: entities::hub::GrantEffect,
) -> Result<(), PolicyError> {
    if !catalog.matches_any(pattern) {
        return Err(PolicyError::UnknownField {
            grant: label.to_string(),
            pattern: pattern.to_string(),
        });
    }
    if effect == entities::hub::GrantEffect::Mask
        && catalog.iter().any(|f| {
            super::catalog::pattern_matches(pattern, &f.type_name, &f.field)
                && f.mask == super::mask::MaskKind::None
                && f.class == super::catalog::SharingClass::Conditional
        })
        && !pattern.ends_with(".*")
    {
        return Err(PolicyError::Unmaskable {
            grant: label.to_string(),
            pattern: pattern.to_string(),
        });
    }
    Ok(())
}

pub async fn current_version(conn: &impl sea_orm::ConnectionTrait) -> Result<i64, DbErr> {
    Ok(policy_version::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map_or(0, |v| v.version))
}

/// Marks the policy as changed so that running hubs reload it.
pub async fn bump_version(conn: &impl sea_orm::ConnectionTrait) -> Result<i64, DbErr> {
    let now = Utc::now();
    match policy_version::Entity::find_by_id(1).one(conn).await? {
        Some(v) => {
            let next = v.version + 1;
            let mut am: policy_version::ActiveModel = v.into();
            am.version = Set(next);
            am.updated_at = Set(now);
            am.update(conn).await?;
            Ok(next)
        }
        None => {
            policy_version::ActiveModel {
                id: Set(1),
                version: Set(1),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?;
            Ok(1)
        }
    }
}

/// The live policy: a snapshot swapped whole when the stored version changes.
pub struct PolicyStore {
    conn: DatabaseConnection,
    catalog: Arc<Catalog>,
    snapshot: RwLock<Arc<PolicySnapshot>>,
}

impl PolicyStore {
    pub async fn open(
        conn: DatabaseConnection,
        catalog: Arc<Catalog>,
    ) -> Result<Arc<Self>, PolicyError> {
        let snapshot = load(&conn, catalog.clone()).await?;
        Ok(Arc::new(Self {
            conn,
            catalog,
            snapshot: RwLock::new(Arc::new(snapshot)),
        }))
    }

    pub fn snapshot(&self) -> Arc<PolicySnapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads when the stored version differs from the snapshot's. A policy that fails to
    /// validate is not applied: the previous one stays in force and the error is logged.
    pub async fn refresh(&self) -> Result<bool, PolicyError> {
        let stored = current_version(&self.conn).await?;
        if stored == self.snapshot().version {
            return Ok(false);
        }
        let fresh = load(&self.conn, self.catalog.clone()).await?;
        tracing::info!(version = fresh.version, "policy reloaded");
        match self.snapshot.write() {
            Ok(mut s) => *s = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(true)
    }

    /// Polls the policy version in the background.
    pub fn spawn_reloader(self: &Arc<Self>, every: Duration) {
        let store = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(store) = store.upgrade() else { break };
                if let Err(e) = store.refresh().await {
                    tracing::error!(error = %e, "policy reload failed; keeping the previous policy");
                }
            }
        });
    }
}

/// A consumer to register.
#[derive(Debug, Clone)]
pub struct NewConsumer {
    pub name: String,
    pub kind: ConsumerKind,
    pub department: Option<String>,
    pub regions: Vec<String>,
    pub purposes: Vec<String>,
    pub bound_subject: Option<String>,
    /// Training institutions: the USCC of the one institution they report for.
    pub institution_uscc: Option<String>,
}

/// Registers a consumer; returns its id and the key, which is never stored or shown again.
pub async fn add_consumer(
    conn: &impl sea_orm::ConnectionTrait,
    c: NewConsumer,
) -> Result<(i64, String), PolicyError> {
    check_regions(&c.regions)?;
    if let Some(d) = &c.department {
        department_from_code(d)?;
    }
    for p in &c.purposes {
        if purpose::Entity::find_by_id(p.clone())
            .one(conn)
            .await?
            .is_none()
        {
            return Err(PolicyError::UnknownPurpose(p.clone()));
        }
    }
    if c.kind == ConsumerKind::CitizenPortal && c.bound_subject.is_none() {
        return Err(PolicyError::Invalid(
            "a citizen-portal consumer must be bound to one ID number".into(),
        ));
    }
    match (c.kind, &c.institution_uscc, &c.department) {
        (ConsumerKind::TrainingInstitution, None, _) => {
            return Err(PolicyError::Invalid(
                "a training-institution consumer must be bound to one institution (its USCC)"
                    .into(),
            ))
        }
        (ConsumerKind::TrainingInstitution, Some(u), None) => {
            if u.len() != 18
                || !u
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            {
                return Err(PolicyError::Invalid(format!(
                    "`{u}` is not an 18-character USCC"
                )));
            }
        }
        (ConsumerKind::TrainingInstitution, Some(_), Some(_)) => {
            return Err(PolicyError::Invalid(
                "a training-institution consumer belongs to no department".into(),
            ))
        }
        (_, Some(_), _) => {
            return Err(PolicyError::Invalid(
                "only a training-institution consumer is bound to an institution".into(),
            ))
        }
        (_, None, _) => {}
    }
    let key = keys::generate()?;
    let m = consumer::ActiveModel {
        key_id: Set(key.key_id.clone()),
        key_hash: Set(key.key_hash.clone()),
        name: Set(c.name),
        kind: Set(c.kind),
        department: Set(c.department),
        region_scope: Set(c.regions.join(",")),
        purposes: Set(c.purposes.join(",")),
        bound_subject: Set(c.bound_subject),
        institution_uscc: Set(c.institution_uscc),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    bump_version(conn).await?;
    Ok((m.id, key.key))
}

pub async fn list_consumers(conn: &DatabaseConnection) -> Result<Vec<consumer::Model>, DbErr> {
    consumer::Entity::find()
        .order_by_asc(consumer::Column::Id)
        .all(conn)
        .await
}

async fn find_consumer(
    conn: &impl sea_orm::ConnectionTrait,
    id: i64,
) -> Result<consumer::Model, PolicyError> {
    consumer::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| PolicyError::UnknownConsumer(id.to_string()))
}

pub async fn revoke_consumer(conn: &DatabaseConnection, id: i64) -> Result<(), PolicyError> {
    let txn = conn.begin().await?;
    let c = find_consumer(&txn, id).await?;
    let mut am: consumer::ActiveModel = c.into();
    am.revoked_at = Set(Some(Utc::now()));
    am.update(&txn).await?;
    bump_version(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces a consumer's key; the old key stops working at the next policy reload.
pub async fn rotate_consumer(conn: &DatabaseConnection, id: i64) -> Result<String, PolicyError> {
    let txn = conn.begin().await?;
    let c = find_consumer(&txn, id).await?;
    if c.revoked_at.is_some() {
        return Err(PolicyError::Invalid(format!("consumer {id} is revoked")));
    }
    let key = keys::generate()?;
    let mut am: consumer::ActiveModel = c.into();
    am.key_id = Set(key.key_id);
    am.key_hash = Set(key.key_hash);
    am.update(&txn).await?;
    bump_version(&txn).await?;
    txn.commit().await?;
    Ok(key.key)
}

/// Consumers with this name (names are unique by convention of the bootstrap file).
pub async fn consumer_by_name(
    conn: &impl sea_orm::ConnectionTrait,
    name: &str,
) -> Result<Option<consumer::Model>, DbErr> {
    consumer::Entity::find()
        .filter(consumer::Column::Name.eq(name))
        .one(conn)
        .await
}
