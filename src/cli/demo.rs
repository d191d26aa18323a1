//! The demo's training institution: a `TRAINING_INSTITUTION` consumer bound to one seeded
//! institution on the directory, so that institution reporting can be tried at once.

use entities::hrss_training::institution;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::db::Databases;
use crate::departments::Department;
use crate::policy::store::{add_consumer, NewConsumer};
use entities::hub::ConsumerKind;

pub const DEMO_INSTITUTION: &str = "demo-training-institution";

/// Registers the demo institution consumer for the first directory institution in
/// Liaocheng's Dongchangfu district (where the demo county desk reports) when there is
/// one; its name, key and the institution, or `None` when none is on the directory.
pub async fn register_institution(
    dbs: &Databases,
) -> anyhow::Result<Option<(String, String, institution::Model)>> {
    let training = &dbs.get(Department::HrssTraining).conn;
    let mut found = None;
    // A small demo population may have no institution in the district: then Liaocheng's,
    // then any on the directory.
    for region in ["371502", "3715", ""] {
        found = institution::Entity::find()
            .filter(institution::Column::InDirectory.eq(true))
            .filter(institution::Column::RegionCode.starts_with(region))
            .order_by_asc(institution::Column::Id)
            .one(training)
            .await?;
        if found.is_some() {
            break;
        }
    }
    let Some(inst) = found else {
        return Ok(None);
    };
    let (_, key) = add_consumer(
        dbs.hub(),
        NewConsumer {
            name: DEMO_INSTITUTION.into(),
            kind: ConsumerKind::TrainingInstitution,
            department: None,
            regions: Vec::new(),
            purposes: vec!["reporting".into()],
            bound_subject: None,
            institution_uscc: Some(inst.uscc.clone()),
        },
    )
    .await?;
    Ok(Some((DEMO_INSTITUTION.into(), key, inst)))
}

/// Starts veterans affairs' own Federation subgraph (`veterans-subgraph`) beside the hub,
/// over the demo's veterans database, and points the hub's veterans source at it — the
/// demo's remote department. Left alone when the config already chooses a subgraph.
/// Returns the subgraph's URL.
pub async fn serve_veterans_subgraph(
    config: &mut crate::config::Config,
) -> anyhow::Result<Option<String>> {
    use crate::departments::Backend;
    use anyhow::Context;
    if config.source(Department::Veterans).backend == Backend::Subgraph {
        return Ok(None);
    }
    let mut opts = sea_orm::ConnectOptions::new(config.source_url(Department::Veterans));
    opts.sqlx_logging(false);
    let db = sea_orm::Database::connect(opts)
        .await
        .context("opening the veterans database for its subgraph")?;
    // Next to the hub's port when free, so that it is easy to find.
    let host = config.server.host.clone();
    let beside = config
        .server
        .port
        .checked_add(1)
        .filter(|_| config.server.port != 0);
    let listener = match beside {
        Some(p) => match tokio::net::TcpListener::bind((host.as_str(), p)).await {
            Ok(l) => l,
            Err(_) => tokio::net::TcpListener::bind((host.as_str(), 0)).await?,
        },
        None => tokio::net::TcpListener::bind((host.as_str(), 0)).await?,
    };
    let url = format!("http://{}/graphql", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = veterans_subgraph::serve(listener, db, None).await {
            tracing::error!(error = %e, "veterans subgraph stopped");
        }
    });
    let source = config.source_mut(Department::Veterans);
    source.backend = Backend::Subgraph;
    source.subgraph.url = Some(url.clone());
    Ok(Some(url))
}
