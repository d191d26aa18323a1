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
