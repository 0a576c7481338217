//! Export of trajectories as CSV (one row per recorded step), used by the CLI's `--csv` and the
//! page's "export CSV" button.
//!
//! Columns ([`CsvColumns`]): `label, step, samples, M_<j>_<r>` for every neuron j and teacher
//! direction r (1-based), `max_M` (max_j ||M_j||), `Q_<j>_<l>` for j < l, `risk`; when a second
//! layer is trained, `a_<j>` for every neuron; with a spiked covariance that has m free
//! directions u_i, `R_<j>_<i>` = w_j . u_i for every neuron and free direction. A run without
//! a column group in a file that has it (a fixed second layer, fewer free directions) leaves
//! those fields empty.

use crate::simulation::TrajectoryPoint;
use crate::trajectory::Trajectory;
use std::fmt::Write;

/// The columns of a CSV file (the same for every run in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvColumns {
    /// Students p.
    pub p: usize,
    /// Teacher directions k.
    pub k: usize,
    /// `a_<j>` columns: some run of the file trains its second layer.
    pub second_layer: bool,
    /// m: `R_<j>_<i>` columns for the free directions of a spiked covariance (0: none).
    pub free_directions: usize,
}

impl CsvColumns {
    /// The base columns only (M, max_M, Q, risk) for p students and k teacher directions.
    pub fn new(p: usize, k: usize) -> CsvColumns {
        CsvColumns {
            p,
            k,
            second_layer: false,
            free_directions: 0,
        }
    }

    /// The header line (no newline).
    pub fn header(&self) -> String {
        let mut h = csv_header(self.p, self.k);
        if self.second_layer {
            for j in 1..=self.p {
                let _ = write!(h, ",a_{j}");
            }
        }
        for j in 1..=self.p {
            for i in 1..=self.free_directions {
                let _ = write!(h, ",R_{j}_{i}");
            }
        }
        h
    }

    /// The rows of `trajectory` (no header), labelled `label`, with samples = step * nb.
    /// Numbers use Rust's shortest round-trip formatting, so values parse back exactly.
    pub fn trajectory_rows(&self, label: &str, trajectory: &Trajectory, nb: u64) -> String {
        let rows = (0..trajectory.len()).map(|i| {
            (
                trajectory.steps[i],
                &trajectory.m[i][..],
                &trajectory.q[i][..],
                trajectory.risk[i],
            )
        });
        let base = csv_rows_from(label, nb, rows);
        self.with_extra_columns(&base, |i| {
            (
                trajectory.a.get(i).map(|a| &a[..]),
                trajectory.r.get(i).map(|r| &r[..]),
            )
        })
    }

    /// The rows of streamed points (the page's export), as [`CsvColumns::trajectory_rows`].
    pub fn point_rows(&self, label: &str, points: &[TrajectoryPoint], nb: u64) -> String {
        let base = csv_rows_from(
            label,
            nb,
            points.iter().map(|p| (p.step, &p.m[..], &p.q[..], p.risk)),
        );
        self.with_extra_columns(&base, |i| (points[i].a.as_deref(), points[i].r.as_deref()))
    }

    /// `base` (one line per record) with the a and R columns of record i appended.
    fn with_extra_columns<'a>(
        &self,
        base: &str,
        extra: impl Fn(usize) -> (Option<&'a [f64]>, Option<&'a [Vec<f64>]>),
    ) -> String {
        if !self.second_layer && self.free_directions == 0 {
            return base.to_string();
        }
        let mut out = String::with_capacity(base.len() * 2);
        for (i, line) in base.lines().enumerate() {
            out.push_str(line);
            let (a, r) = extra(i);
            if self.second_layer {
                append_fields(&mut out, a.unwrap_or(&[]), self.p);
            }
            if self.free_directions > 0 {
                let rows = r.unwrap_or(&[]);
                for j in 0..self.p {
                    let row = rows.get(j).map_or(&[][..], |row| &row[..]);
                    append_fields(&mut out, row, self.free_directions);
                }
            }
            out.push('\n');
        }
        out
    }
}

/// `,x` for each of `values`, then empty fields up to `width` in all.
fn append_fields(out: &mut String, values: &[f64], width: usize) {
    for x in values.iter().take(width) {
        let _ = write!(out, ",{x}");
    }
    (values.len().min(width)..width).for_each(|_| out.push(','));
}

/// CSV header for p neurons and k teacher directions (the base columns).
fn csv_header(p: usize, k: usize) -> String {
    let mut h = String::from("label,step,samples");
    for j in 1..=p {
        for r in 1..=k {
            let _ = write!(h, ",M_{j}_{r}");
        }
    }
    h.push_str(",max_M");
    for j in 1..=p {
        for l in j + 1..=p {
            let _ = write!(h, ",Q_{j}_{l}");
        }
    }
    h.push_str(",risk");
    h
}

/// CSV rows of the base columns from (step, M rows, Q rows, risk) records.
fn csv_rows_from<'a>(
    label: &str,
    nb: u64,
    rows: impl Iterator<Item = (u64, &'a [Vec<f64>], &'a [Vec<f64>], f64)>,
) -> String {
    let mut out = String::new();
    for (step, m, q, risk) in rows {
        let _ = write!(out, "{label},{step},{}", step as u128 * nb as u128);
        for row in m {
            for x in row {
                let _ = write!(out, ",{x}");
            }
        }
        let max_m = m
            .iter()
            .map(|r| r.iter().map(|x| x * x).sum::<f64>().sqrt())
            .fold(0.0, f64::max);
        let _ = write!(out, ",{max_m}");
        for (j, row) in q.iter().enumerate() {
            for q_jl in &row[j + 1..] {
                let _ = write!(out, ",{q_jl}");
            }
        }
        let _ = writeln!(out, ",{risk}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Overlaps;
    use nalgebra::DMatrix;

    #[test]
    fn rows_parse_back_exactly() {
        let o = Overlaps {
            q: DMatrix::from_row_slice(2, 2, &[1.0, 0.1, 0.1, 1.0]),
            m: DMatrix::from_row_slice(2, 1, &[0.3, -0.7]),
        };
        let mut t = Trajectory::with_capacity(16);
        t.record(0, &o, 1.0 / 3.0, true);
        let columns = CsvColumns::new(2, 1);
        let header = columns.header();
        assert_eq!(header, "label,step,samples,M_1_1,M_2_1,max_M,Q_1_2,risk");
        let row = columns.trajectory_rows("mse", &t, 8);
        let fields: Vec<&str> = row.trim().split(',').collect();
        assert_eq!(fields.len(), header.split(',').count());
        assert_eq!(fields[4].parse::<f64>().unwrap(), -0.7);
        assert_eq!(fields[5].parse::<f64>().unwrap(), 0.7);
        assert_eq!(fields[7].parse::<f64>().unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn a_trained_second_layer_adds_its_columns() {
        let o = Overlaps {
            q: DMatrix::identity(2, 2),
            m: DMatrix::from_row_slice(2, 1, &[0.3, -0.7]),
        };
        let mut t = Trajectory::with_capacity(16);
        t.record_state(0, &o, Some(&[0.25, 0.5]), None, 1.0, true);
        let columns = CsvColumns {
            second_layer: true,
            ..CsvColumns::new(2, 1)
        };
        let header = columns.header();
        assert!(header.ends_with(",risk,a_1,a_2"), "{header}");
        let row = columns.trajectory_rows("mse", &t, 8);
        let fields: Vec<&str> = row.trim().split(',').collect();
        assert_eq!(fields.len(), header.split(',').count());
        assert_eq!(&fields[8..], ["0.25", "0.5"]);
        // a fixed run in the same file: empty a fields
        let mut fixed = Trajectory::with_capacity(16);
        fixed.record(0, &o, 1.0, true);
        let row = columns.trajectory_rows("mse", &fixed, 8);
        assert!(row.trim_end().ends_with(",1,,"), "{row}");
        assert_eq!(row.trim_end().split(',').count(), header.split(',').count());
    }

    #[test]
    fn free_directions_add_the_r_columns() {
        let point = |r: Option<Vec<Vec<f64>>>, a: Option<Vec<f64>>| TrajectoryPoint {
            step: 3,
            m: vec![vec![0.5], vec![-0.25]],
            q: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            a,
            r,
            risk: 2.0,
        };
        let columns = CsvColumns {
            p: 2,
            k: 1,
            second_layer: true,
            free_directions: 2,
        };
        let header = columns.header();
        assert!(
            header.ends_with(",risk,a_1,a_2,R_1_1,R_1_2,R_2_1,R_2_2"),
            "{header}"
        );
        let points = [
            point(
                Some(vec![vec![0.1, -0.2], vec![0.3, 0.4]]),
                Some(vec![1.5, 0.5]),
            ),
            // a run of the same file without free directions or a trained layer
            point(None, None),
        ];
        let rows = columns.point_rows("correlation", &points, 4);
        let lines: Vec<&str> = rows.lines().collect();
        let width = header.split(',').count();
        let first: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(first.len(), width);
        assert_eq!(&first[8..], ["1.5", "0.5", "0.1", "-0.2", "0.3", "0.4"]);
        let second: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(second.len(), width);
        assert!(second[8..].iter().all(|f| f.is_empty()), "{}", lines[1]);
        assert_eq!(first[2], "12");
        // the trajectory's R (recorded beside M) gives the same fields
        let mut t = Trajectory::with_capacity(4);
        let o = Overlaps {
            q: DMatrix::identity(2, 2),
            m: DMatrix::from_row_slice(2, 1, &[0.5, -0.25]),
        };
        let r = DMatrix::from_row_slice(2, 2, &[0.1, -0.2, 0.3, 0.4]);
        t.record_state(3, &o, Some(&[1.5, 0.5]), Some(&r), 2.0, true);
        assert_eq!(
            columns.trajectory_rows("correlation", &t, 4),
            format!("{}\n", lines[0])
        );
    }
}
