//! sea-orm entities for the tables each department owns; one module per owning department.
//!
//! Every person-keyed table carries the 18-character resident ID number (`id_number`), the
//! only key the hub joins on. Table names carry the department's prefix (`trn_`, `si_`,
//! `edu_`, `civ_`, `vet_`, `pov_`, `uni_`, `crd_`) so that a department's tables can share one
//! physical database in small deployments without any name clash; the hub still reaches
//! each department through its own connection and never joins across prefixes.

pub mod civil_affairs;
pub mod credit;
pub mod education;
pub mod hrss_social;
pub mod hrss_training;
pub mod hub;
pub mod poverty;
pub mod trade_union;
pub mod veterans;
