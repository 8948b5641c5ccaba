//! Breakdowns (`--by DIM,...` and `--every WIDTH`): requests, failures, error
//! rate and latency percentiles per group. The fold keeps one small row per
//! record (group id, failed, latency) and interns the group keys, allocating
//! only for a new group; merging remaps ids. Past the cap on distinct groups
//! (`--max-distinct`), records of new groups are counted in one "other" group.
//! The table counts those rows per group and takes each group's latency
//! quantiles with polars' column kernels. Builds without the `breakdown` feature
//! have no polars, and no table.

use std::hash::{Hash, Hasher};

#[cfg(feature = "breakdown")]
use polars::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use super::Cap;
use crate::parse::time::Millis;

/// A dimension to break down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dim {
    /// API key (fingerprinted when shown).
    Key,
    /// Project.
    Project,
    /// Organization.
    Org,
    /// End user.
    User,
    /// Model.
    Model,
    /// Endpoint.
    Endpoint,
    /// Provider.
    Provider,
    /// HTTP status.
    Status,
    /// Root cause id (`success` for records that did not fail).
    Category,
}

/// Every dimension with its name on the command line and in outputs.
pub const DIMS: [(Dim, &str); 9] = [
    (Dim::Key, "key"),
    (Dim::Project, "project"),
    (Dim::Org, "org"),
    (Dim::User, "user"),
    (Dim::Model, "model"),
    (Dim::Endpoint, "endpoint"),
    (Dim::Provider, "provider"),
    (Dim::Status, "status"),
    (Dim::Category, "category"),
];

impl Dim {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        DIMS.iter().find(|d| d.0 == self).map_or("?", |d| d.1)
    }
}

/// What to group by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// Dimensions, in the order asked for.
    pub dims: Vec<Dim>,
    /// Time bucket width in minutes.
    pub every_minutes: Option<i64>,
}

/// One value of a dimension, borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value<'a> {
    /// Text.
    Text(&'a str),
    /// A status.
    Status(u16),
    /// Absent.
    None,
}

/// One value, owned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Owned {
    /// Text.
    Text(Box<str>),
    /// A status.
    Status(u16),
    /// Absent.
    None,
}

impl Owned {
    fn as_value(&self) -> Value<'_> {
        match self {
            Owned::Text(t) => Value::Text(t),
            Owned::Status(s) => Value::Status(*s),
            Owned::None => Value::None,
        }
    }

    fn matches(&self, v: &Value<'_>) -> bool {
        match (self, v) {
            (Owned::Text(a), Value::Text(b)) => **a == **b,
            (Owned::Status(a), Value::Status(b)) => a == b,
            (Owned::None, Value::None) => true,
            _ => false,
        }
    }

    fn from(v: &Value<'_>) -> Owned {
        match v {
            Value::Text(t) => Owned::Text((*t).into()),
            Value::Status(s) => Owned::Status(*s),
            Value::None => Owned::None,
        }
    }

    /// As shown in tables (`""` when absent).
    pub fn text(&self) -> String {
        match self {
            Owned::Text(t) => t.to_string(),
            Owned::Status(s) => s.to_string(),
            Owned::None => String::new(),
        }
    }
}

impl Spec {
    /// The spec as its flags say it: `key,model every 60m`.
    pub fn describe(&self) -> String {
        let name = |d: &Dim| DIMS.iter().find(|x| x.0 == *d).map_or("?", |x| x.1);
        let dims: Vec<&str> = self.dims.iter().map(name).collect();
        let dims = if dims.is_empty() { "no --by".to_string() } else { dims.join(",") };
        match self.every_minutes {
            Some(m) => format!("{dims} every {m}m"),
            None => dims,
        }
    }
}

/// A group: its dimension values and time bucket (epoch minutes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupKey {
    /// Bucket start, epoch minutes.
    pub bucket: Option<i64>,
    /// Values, in the order of the spec's dimensions.
    pub values: Vec<Owned>,
}

/// The accumulator. Serialized without its index (rebuilt when read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "Parts", from = "Parts")]
pub struct Breakdown {
    groups: Vec<GroupKey>,
    index: FxHashMap<u64, Vec<u32>>,
    /// One row per record: (group id, failed, latency ms or NaN).
    rows: Vec<(u32, bool, f32)>,
    /// The id of the group records of groups past the cap are counted in.
    other: Option<u32>,
}

fn hash_key(bucket: Option<i64>, values: &[Value<'_>]) -> u64 {
    let mut h = FxHasher::default();
    bucket.hash(&mut h);
    values.hash(&mut h);
    h.finish()
}

/// What a [`Breakdown`] is made of, its index aside.
#[derive(Serialize, Deserialize)]
struct Parts {
    groups: Vec<GroupKey>,
    rows: Vec<(u32, bool, f32)>,
    other: Option<u32>,
}

impl From<Breakdown> for Parts {
    fn from(b: Breakdown) -> Parts {
        Parts { groups: b.groups, rows: b.rows, other: b.other }
    }
}

impl From<Parts> for Breakdown {
    /// Rebuilds the index. Group ids that name no group are read as the
    /// "other" group's, so that a damaged input can never index out of range.
    fn from(p: Parts) -> Breakdown {
        let n = p.groups.len() as u32;
        let other = p.other.filter(|&id| id < n);
        let mut b = Breakdown { groups: p.groups, other, ..Breakdown::default() };
        for (id, g) in b.groups.iter().enumerate() {
            if b.other != Some(id as u32) {
                let values: Vec<Value<'_>> = g.values.iter().map(Owned::as_value).collect();
                b.index.entry(hash_key(g.bucket, &values)).or_default().push(id as u32);
            }
        }
        b.rows.reserve(p.rows.len());
        for (id, failed, latency) in p.rows {
            let id = if id < n { id } else { b.other_id() };
            b.rows.push((id, failed, latency));
        }
        b
    }
}

impl Breakdown {
    /// Counts one record (in the "other" group if it is of a new group and
    /// `cap` groups are kept already).
    pub fn add(
        &mut self,
        bucket: Option<i64>,
        values: &[Value<'_>],
        failed: bool,
        latency_ms: Option<f64>,
        cap: Cap,
    ) {
        let id = self.intern(bucket, values, cap);
        self.rows.push((id, failed, latency_ms.map_or(f32::NAN, |l| l as f32)));
    }

    fn intern(&mut self, bucket: Option<i64>, values: &[Value<'_>], cap: Cap) -> u32 {
        let hash = hash_key(bucket, values);
        let found = self.index.get(&hash).and_then(|ids| {
            ids.iter().copied().find(|&id| {
                let g = &self.groups[id as usize];
                g.bucket == bucket && g.values.iter().zip(values).all(|(o, v)| o.matches(v))
            })
        });
        if let Some(id) = found {
            return id;
        }
        if self.kept() >= cap.0 {
            return self.other_id();
        }
        let id = self.groups.len() as u32;
        self.groups.push(GroupKey { bucket, values: values.iter().map(Owned::from).collect() });
        self.index.entry(hash).or_default().push(id);
        id
    }

    /// Groups kept (the "other" group aside).
    fn kept(&self) -> usize {
        self.groups.len() - usize::from(self.other.is_some())
    }

    fn other_id(&mut self) -> u32 {
        *self.other.get_or_insert_with(|| {
            self.groups.push(GroupKey { bucket: None, values: Vec::new() });
            self.groups.len() as u32 - 1
        })
    }

    fn intern_owned(&mut self, key: &GroupKey, cap: Cap) -> u32 {
        let values: Vec<Value<'_>> = key.values.iter().map(Owned::as_value).collect();
        let (bucket, values) = (key.bucket, values);
        let hash = hash_key(bucket, &values);
        if let Some(&id) = self.index.get(&hash).and_then(|ids| {
            ids.iter().find(|&&id| {
                let g = &self.groups[id as usize];
                g.bucket == bucket && g.values == key.values
            })
        }) {
            return id;
        }
        if self.kept() >= cap.0 {
            return self.other_id();
        }
        let id = self.groups.len() as u32;
        self.groups.push(key.clone());
        self.index.entry(hash).or_default().push(id);
        id
    }

    /// Merges another accumulator, its groups in first-seen order (ids
    /// remapped; below the cap, the result's rows are the same multiset
    /// whatever the order of merging).
    pub fn merge(&mut self, other: Breakdown, cap: Cap) {
        let map: Vec<u32> = (0..other.groups.len() as u32)
            .map(|id| match other.other == Some(id) {
                true => self.other_id(),
                false => self.intern_owned(&other.groups[id as usize], cap),
            })
            .collect();
        self.rows.extend(
            other.rows.into_iter().map(|(id, failed, latency)| (map[id as usize], failed, latency)),
        );
    }

    /// Changes every kept group's key in place (the index goes stale: only
    /// [`Breakdown::merge`] may read the result).
    pub(super) fn map_groups(&mut self, mut f: impl FnMut(&mut GroupKey)) {
        let other = self.other;
        let kept = self.groups.iter_mut().enumerate().filter(|(id, _)| other != Some(*id as u32));
        kept.for_each(|(_, group)| f(group));
        self.index.clear();
    }

    /// Whether anything was counted.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row of the breakdown table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The group.
    pub key: GroupKey,
    /// Records.
    pub requests: u64,
    /// Failed records.
    pub failures: u64,
    /// Latency percentiles of failures (p50, p95), ms, where logged.
    pub failure_latency: (Option<f64>, Option<f64>),
    /// Latency percentiles of successes (p50, p95), ms, where logged.
    pub success_latency: (Option<f64>, Option<f64>),
}

/// The computed table: the groups kept, and the "other" group if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// One row per group kept, sorted by bucket, then by values.
    pub rows: Vec<Row>,
    /// The records of groups past the cap (its key is empty).
    pub other: Option<Row>,
}

/// Why a build without the `breakdown` feature has no table.
pub const UNSUPPORTED: &str =
    "this build has no breakdown support (--by, --every): build with the `breakdown` feature";

/// Without the `breakdown` feature there is no table: always [`UNSUPPORTED`].
#[cfg(not(feature = "breakdown"))]
pub fn table(_: &Breakdown) -> Result<Table, &'static str> {
    Err(UNSUPPORTED)
}

/// Computes the table: per group, counts, and latency quantiles with polars.
/// Rows are sorted by bucket, then by values.
#[cfg(feature = "breakdown")]
pub fn table(b: &Breakdown) -> PolarsResult<Table> {
    let mut rows: Vec<Row> = b
        .groups
        .iter()
        .map(|key| Row {
            key: key.clone(),
            requests: 0,
            failures: 0,
            failure_latency: (None, None),
            success_latency: (None, None),
        })
        .collect();
    for &(id, failed, _) in &b.rows {
        let row = &mut rows[id as usize];
        row.requests += 1;
        row.failures += u64::from(failed);
    }
    for (id, failed, quantiles) in latency_quantiles(&b.rows)? {
        let row = &mut rows[id as usize];
        *if failed { &mut row.failure_latency } else { &mut row.success_latency } = quantiles;
    }
    let other = b.other.map(|id| rows.swap_remove(id as usize));
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Table { rows, other })
}

/// p50 and p95 (linear interpolation) of the logged latencies of each
/// group's failures and of its successes: the records sorted by group and
/// side, each side's values one polars column. Kept to `ChunkedArray`s on
/// purpose: a `DataFrame` group-by links polars' code for every data type
/// (13 MB of the binary, and most of the release build's link time).
#[cfg(feature = "breakdown")]
fn latency_quantiles(rows: &[(u32, bool, f32)]) -> PolarsResult<Vec<(u32, bool, Quantiles)>> {
    let mut logged: Vec<(u32, bool, f32)> =
        rows.iter().copied().filter(|r| !r.2.is_nan()).collect();
    logged.sort_unstable_by_key(|&(id, failed, _)| (id, failed));
    let mut out = Vec::new();
    for side in logged.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let values = side.iter().map(|r| f64::from(r.2));
        let column = Float64Chunked::from_iter_values("latency".into(), values);
        let q = column.quantiles(&[0.5, 0.95], QuantileMethod::Linear)?;
        out.push((side[0].0, side[0].1, (q[0], q[1])));
    }
    Ok(out)
}

/// A side's latency percentiles (p50, p95), ms.
#[cfg(feature = "breakdown")]
type Quantiles = (Option<f64>, Option<f64>);

/// The bucket of a timestamp, epoch minutes.
pub fn bucket(ts: Option<Millis>, every_minutes: Option<i64>) -> Option<i64> {
    let every = every_minutes?;
    ts.map(|t| t.div_euclid(60_000).div_euclid(every) * every)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(records: &[(&str, bool, Option<f64>)]) -> Breakdown {
        let mut b = Breakdown::default();
        for (model, failed, latency) in records {
            b.add(None, &[Value::Text(model)], *failed, *latency, Cap::default());
        }
        b
    }

    #[test]
    #[cfg(feature = "breakdown")]
    fn counts_and_quantiles_per_group() {
        let b = filled(&[
            ("a", true, Some(100.0)),
            ("a", false, Some(10.0)),
            ("a", true, Some(300.0)),
            ("b", false, None),
            ("a", false, Some(30.0)),
        ]);
        let rows = table(&b).unwrap().rows;
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!(a.key.values, [Owned::Text("a".into())]);
        assert_eq!((a.requests, a.failures), (4, 2));
        assert_eq!(a.failure_latency.0, Some(200.0));
        assert_eq!(a.success_latency.0, Some(20.0));
        assert_eq!(
            (rows[1].requests, rows[1].failures, rows[1].success_latency),
            (1, 0, (None, None))
        );
    }

    #[test]
    #[cfg(not(feature = "breakdown"))]
    fn without_the_feature_there_is_no_table() {
        assert_eq!(table(&filled(&[("a", true, None)])), Err(UNSUPPORTED));
    }

    #[test]
    #[cfg(feature = "breakdown")]
    fn merge_is_order_independent() {
        let x = filled(&[("a", true, Some(1.0)), ("b", false, Some(2.0))]);
        let y = filled(&[("b", true, Some(3.0)), ("c", false, None)]);
        let (mut xy, mut yx) = (x.clone(), y.clone());
        xy.merge(y, Cap::default());
        yx.merge(x, Cap::default());
        assert_eq!(table(&xy).unwrap(), table(&yx).unwrap());
    }

    #[test]
    #[cfg(feature = "breakdown")]
    fn groups_past_the_cap_are_counted_as_other_in_input_order() {
        let records = [("a", true), ("b", false), ("c", true), ("a", false), ("d", true)];
        let split = |at: usize| {
            let mut total = Breakdown::default();
            for part in [&records[..at], &records[at..]] {
                let chunk = filled(&part.iter().map(|(m, f)| (*m, *f, None)).collect::<Vec<_>>());
                total.merge(chunk, Cap(2));
            }
            table(&total).unwrap()
        };
        let whole = split(0);
        let names: Vec<String> = whole.rows.iter().map(|r| r.key.values[0].text()).collect();
        assert_eq!(names, ["a", "b"]);
        let other = whole.other.as_ref().unwrap();
        assert_eq!((other.requests, other.failures), (2, 2));
        for at in 1..=records.len() {
            assert_eq!(split(at), whole, "split at {at}");
        }
    }
}
