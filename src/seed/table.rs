//! A generated table's rows behind one trait, so that the seeder counts, writes,
//! finishes and fingerprints every table alike: a department's generator is the only
//! place that names its tables.

use std::any::Any;
use std::fmt::Debug;

use futures::future::BoxFuture;
use sea_orm::{ActiveModelTrait, EntityTrait, ModelTrait};

use super::{writer, SeedError};
use crate::db::Databases;
use crate::departments::Department;

/// One table's rows generated for a chunk of persons.
pub trait Table: Send {
    fn name(&self) -> &'static str;
    fn department(&self) -> Department;
    fn len(&self) -> usize;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn as_any(&self) -> &dyn Any;
    /// Each row's Debug text (the determinism test's fingerprint).
    #[cfg(test)]
    fn debug_rows(&self) -> Vec<String>;
    /// Writes the rows into the department's database.
    fn write<'a>(self: Box<Self>, dbs: &'a Databases) -> BoxFuture<'a, Result<(), SeedError>>;
    /// An empty table of the same entity and department.
    fn empty(&self) -> Box<dyn Table>;
    /// After the last chunk: the id sequence past the rows written, and statistics.
    fn finish<'a>(&self, dbs: &'a Databases) -> BoxFuture<'a, Result<(), SeedError>>;
}

/// The rows of entity `E`, owned by `department`.
pub struct Rows<E: EntityTrait> {
    pub department: Department,
    pub rows: Vec<E::Model>,
}

impl<E> Table for Rows<E>
where
    E: EntityTrait + 'static,
    E::Model: ModelTrait<Entity = E> + Send + Sync + Debug + 'static,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model> + Send,
{
    fn name(&self) -> &'static str {
        E::default().table_name()
    }
    fn department(&self) -> Department {
        self.department
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    #[cfg(test)]
    fn debug_rows(&self) -> Vec<String> {
        self.rows.iter().map(|r| format!("{r:?}")).collect()
    }
    fn write<'a>(self: Box<Self>, dbs: &'a Databases) -> BoxFuture<'a, Result<(), SeedError>> {
        Box::pin(async move { writer::write::<E>(dbs.get(self.department), self.rows).await })
    }
    fn empty(&self) -> Box<dyn Table> {
        Box::new(Rows::<E> {
            department: self.department,
            rows: Vec::new(),
        })
    }
    fn finish<'a>(&self, dbs: &'a Databases) -> BoxFuture<'a, Result<(), SeedError>> {
        let db = dbs.get(self.department);
        Box::pin(async move {
            writer::reset_sequence::<E>(db).await?;
            writer::analyze::<E>(db).await?;
            Ok(())
        })
    }
}

/// Every table of a chunk, in the order first written to.
#[derive(Default)]
pub struct Tables(Vec<Box<dyn Table>>);

impl Tables {
    /// The rows of `E`, created empty (owned by `department`) on first use.
    pub fn rows<E>(&mut self, department: Department) -> &mut Vec<E::Model>
    where
        E: EntityTrait + 'static,
        E::Model: ModelTrait<Entity = E> + Send + Sync + Debug + 'static,
        E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model> + Send,
    {
        let name = E::default().table_name();
        let i = match self.0.iter().position(|t| t.name() == name) {
            Some(i) => i,
            None => {
                self.0.push(Box::new(Rows::<E> {
                    department,
                    rows: Vec::new(),
                }));
                self.0.len() - 1
            }
        };
        match self.0[i].as_any_mut().downcast_mut::<Rows<E>>() {
            Some(r) => &mut r.rows,
            // Two entities with one table name: a programming error in the generators.
            None => unreachable!("two generated entities share the table {name}"),
        }
    }

    /// The rows of `E` generated so far (none when the table was not written to).
    pub fn get<E>(&self) -> &[E::Model]
    where
        E: EntityTrait + 'static,
        E::Model: 'static,
    {
        let name = E::default().table_name();
        self.0
            .iter()
            .find(|t| t.name() == name)
            .and_then(|t| t.as_any().downcast_ref::<Rows<E>>())
            .map_or(&[], |r| r.rows.as_slice())
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &dyn Table> {
        self.0.iter().map(|t| t.as_ref())
    }

    pub fn into_inner(self) -> Vec<Box<dyn Table>> {
        self.0
    }
}
