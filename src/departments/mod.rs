//! The department registry: the one list of departments that own data in the hub, from
//! which config keys, connections, readiness, migrations, seeding, the `Person` sections
//! and region admission are all derived. Adding a department is one line here (see
//! [`departments!`]) plus its own files.

use crate::i18n::Lang;

/// Declares the departments once; every per-department table in the hub is keyed by the
/// enum this generates and built by iterating [`Department::ALL`], so no list can miss one.
macro_rules! registry {
    ($( $(#[$meta:meta])* $variant:ident($module:ident) => $code:literal, $zh:literal, $en:literal; )*) => {
        /// The departments that own data in the hub.
        #[derive(
            async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        #[serde(rename_all = "snake_case")]
        pub enum Department {
            $( $(#[$meta])* $variant, )*
        }

        impl Department {
            /// Every department, in registry order.
            pub const ALL: &'static [Department] = &[$(Department::$variant),*];

            /// Config key (`[sources.<code>]`), SQLite file name, log and metrics label.
            pub fn code(self) -> &'static str {
                match self { $(Department::$variant => $code,)* }
            }

            /// The department's name in `lang`.
            pub fn name(self, lang: Lang) -> &'static str {
                match self { $(Department::$variant => lang.pick($zh, $en),)* }
            }
        }
    };
}

/// The department list, once. Each line: the enum variant, the department's module name in
/// every layer (`domain::<m>`, `sources::sql::<m>`, `graphql::departments::<m>`), its config
/// code, and its names. Each layer expands this list with a callback macro of its own
/// (module declarations, dispatch), so a new department is a line here and its own files.
#[macro_export]
macro_rules! departments {
    ($callback:ident) => {
        $callback! {
        /// 人社 职业技能培训
        HrssTraining(hrss_training) => "hrss_training", "人力资源和社会保障局（职业技能培训）", "HRSS (vocational training)";
        /// 人社 社会保险与就业
        HrssSocial(hrss_social) => "hrss_social", "人力资源和社会保障局（社会保险与就业）", "HRSS (social insurance and employment)";
        /// 教育体育局
        Education(education) => "education", "教育和体育局", "Education bureau";
        /// 民政局
        CivilAffairs(civil_affairs) => "civil_affairs", "民政局", "Civil affairs bureau";
        /// 退役军人事务局
        Veterans(veterans) => "veterans", "退役军人事务局", "Veterans affairs bureau";
        /// 扶贫办 / 乡村振兴局
        Poverty(poverty) => "poverty", "乡村振兴局（扶贫办）", "Poverty alleviation office";
        /// 总工会
        TradeUnion(trade_union) => "trade_union", "总工会", "Federation of trade unions";
        /// 发展和改革委员会 信用办
        Credit(credit) => "credit", "发展和改革委员会（信用办）", "Development and reform commission (credit office)";
        }
    };
}

departments!(registry);

/// How the hub reaches a department's data (each department's choice, in config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The department's own database, read with SQL.
    Sql,
    /// The department's own Federation subgraph, read with `_entities` over HTTP.
    Subgraph,
}

impl Department {
    /// The department whose config key is `code`.
    pub fn from_code(code: &str) -> Option<Department> {
        Self::ALL.iter().copied().find(|d| d.code() == code)
    }

    /// Position in [`Department::ALL`]: derived from the list itself, never from a cast,
    /// so a [`DeptMap`] cannot read another department's entry.
    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|d| *d == self)
            .unwrap_or(usize::MAX)
    }
}

/// One value per department, built from [`Department::ALL`] and looked up by department.
#[derive(Debug, Clone)]
pub struct DeptMap<T> {
    entries: Vec<(Department, T)>,
}

impl<T> DeptMap<T> {
    /// A value for every department.
    pub fn from_fn(mut f: impl FnMut(Department) -> T) -> Self {
        Self {
            entries: Department::ALL.iter().map(|d| (*d, f(*d))).collect(),
        }
    }

    /// Builds from `(department, value)` pairs, which must name every department once.
    pub fn try_from_pairs(pairs: Vec<(Department, T)>) -> Option<Self> {
        let mut slots: Vec<Option<T>> = Department::ALL.iter().map(|_| None).collect();
        for (d, v) in pairs {
            let slot = slots.get_mut(d.index())?;
            if slot.replace(v).is_some() {
                return None;
            }
        }
        let entries = Department::ALL
            .iter()
            .zip(slots)
            .map(|(d, v)| v.map(|v| (*d, v)))
            .collect::<Option<Vec<_>>>()?;
        Some(Self { entries })
    }

    pub fn get(&self, d: Department) -> &T {
        let (_, v) = &self.entries[d.index()];
        v
    }

    pub fn get_mut(&mut self, d: Department) -> &mut T {
        let (_, v) = &mut self.entries[d.index()];
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = (Department, &T)> {
        self.entries.iter().map(|(d, v)| (*d, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn map<U>(&self, mut f: impl FnMut(Department, &T) -> U) -> DeptMap<U> {
        DeptMap {
            entries: self.entries.iter().map(|(d, v)| (*d, f(*d, v))).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for d in Department::ALL {
            assert_eq!(Department::from_code(d.code()), Some(*d));
        }
        let mut codes: Vec<_> = Department::ALL.iter().map(|d| d.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Department::ALL.len());
    }

    #[test]
    fn map_entries_belong_to_their_department() {
        let m = DeptMap::from_fn(|d| d.code());
        for d in Department::ALL {
            assert_eq!(*m.get(*d), d.code());
        }
        let pairs: Vec<_> = Department::ALL
            .iter()
            .rev()
            .map(|d| (*d, d.code()))
            .collect();
        let m = DeptMap::try_from_pairs(pairs).unwrap();
        for d in Department::ALL {
            assert_eq!(*m.get(*d), d.code());
        }
        assert!(DeptMap::try_from_pairs(vec![(Department::Poverty, 1)]).is_none());
    }
}
