//! The synthetic population: deterministic, valid IDs, planted anomalies, migrations that
//! go down and up again.

use archive_hub::db::Databases;
use archive_hub::departments::Department;
use archive_hub::id_number::IdNumber;

use archive_hub::domain::Archive;
use archive_hub::screening;
use archive_hub::seed::{self, Anomaly, SeedOptions};
use archive_hub::sources::ArchiveLoader;
use entities::hrss_training::{enrolment, subsidy};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::common::{backends, fresh_config};

#[tokio::test]
async fn seeding_is_deterministic_and_ids_are_valid() {
    for b in backends() {
        let mut reports = Vec::new();
        for _ in 0..2 {
            let (config, created, _dir) = fresh_config(&b).await;
            let dbs = Databases::connect(&config).await.unwrap();
            dbs.migrate().await.unwrap();
            let r = seed::seed(
                &dbs,
                &SeedOptions {
                    persons: 3000,
                    seed: 11,
                    chunk: 700,
                },
            )
            .await
            .unwrap();
            // Rows counted are rows stored.
            let training = &dbs.get(Department::HrssTraining).conn;
            assert_eq!(
                enrolment::Entity::find().count(training).await.unwrap(),
                r.rows["trn_enrolment"]
            );
            assert_eq!(
                subsidy::Entity::find().count(training).await.unwrap(),
                r.rows["trn_subsidy"]
            );
            // A second seed into the same databases is refused and writes nothing.
            let again = seed::seed(&dbs, &SeedOptions::new(10, 1)).await;
            assert!(again.is_err());
            assert_eq!(
                enrolment::Entity::find().count(training).await.unwrap(),
                r.rows["trn_enrolment"]
            );
            reports.push(r);
            crate::common::drop_databases(created).await;
        }
        assert_eq!(reports[0].rows, reports[1].rows, "{b:?}");
        assert_eq!(reports[0].anomalies, reports[1].anomalies, "{b:?}");
        let r = &reports[0];
        let kinds: std::collections::BTreeSet<Anomaly> =
            r.anomalies.iter().map(|(_, a)| *a).collect();
        for k in [
            Anomaly::TooManySubsidisedTrainingsInYear,
            Anomaly::SameOccupationLevelTwice,
            Anomaly::OverlappingClasses,
            Anomaly::SubsidyToPensioner,
            Anomaly::LivingAllowanceOutsideEligibleGroups,
            Anomaly::WorkForTrainingOverSixMonths,
            Anomaly::SubsidisedInTwoCounties,
            Anomaly::BlacklistedSubsidised,
        ] {
            assert!(kinds.contains(&k), "{k:?} not planted in 3000 persons");
        }
        for (id, _) in &r.anomalies {
            assert_eq!(IdNumber::parse(id.as_str()).as_ref(), Ok(id));
        }
        // What was reported as planted is in the stored rows, read back through the
        // departments' own sources.
        let (config, created, _dir) = fresh_config(&b).await;
        let dbs = Databases::connect(&config).await.unwrap();
        dbs.migrate().await.unwrap();
        let opts = SeedOptions {
            persons: 3000,
            seed: 11,
            chunk: 700,
        };
        let r = seed::seed(&dbs, &opts).await.unwrap();
        let ids: Vec<IdNumber> = r.anomalies.iter().map(|(id, _)| id.clone()).collect();
        let archives = ArchiveLoader::new(dbs.sources().unwrap())
            .load_archives(&ids)
            .await;
        let missing: Vec<_> = r
            .anomalies
            .iter()
            .filter(|(id, kind)| !exhibits(*kind, &archives[id]))
            .collect();
        assert!(
            missing.is_empty(),
            "{b:?}: planted but not flagged: {missing:?}"
        );
        crate::common::drop_databases(created).await;
    }
}

/// Whether a person's stored records show the planted irregularity: the screening rule it
/// was planted for fires on them.
fn exhibits(kind: Anomaly, a: &Archive) -> bool {
    let rule = kind.rule();
    screening::screen(a).flags.iter().any(|f| f.rule == rule)
}

#[test]
fn generated_ids_are_unique_valid_and_in_the_seed_regions() {
    let ids = seed::sample_ids(200_000, 3, 200_000);
    let set: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(set.len(), ids.len());
    for id in &ids {
        assert_eq!(IdNumber::parse(id.as_str()).as_ref(), Ok(id));
        let r = id.region_code();
        assert!(
            r.starts_with("3715") || r.starts_with("3701") || r == "370405" || r == "370321",
            "{r}"
        );
    }
}

#[tokio::test]
async fn migrations_roll_back_and_reapply() {
    for b in backends() {
        let (config, created, _dir) = fresh_config(&b).await;
        let dbs = Databases::connect(&config).await.unwrap();
        dbs.migrate().await.unwrap();
        dbs.migrate_down().await.unwrap();
        dbs.migrate().await.unwrap();
        // The re-created tables take the rows: every row reported written reads back.
        let r = seed::seed(&dbs, &SeedOptions::new(50, 1)).await.unwrap();
        let ids = seed::sample_ids(50, 1, 50);
        let archives = ArchiveLoader::new(dbs.sources().unwrap())
            .load_archives(&ids)
            .await;
        let stored: usize = archives
            .values()
            .flat_map(|a| a.sections().map(|(_, s)| s.as_ref().unwrap().len()))
            .sum();
        let reported: u64 = r
            .rows
            .iter()
            .filter(|(table, _)| !matches!(**table, "trn_institution" | "trn_class"))
            .map(|(_, n)| n)
            .sum();
        assert!(stored > 0, "{b:?}");
        assert_eq!(stored as u64, reported, "{b:?}");
        crate::common::drop_databases(created).await;
    }
}
