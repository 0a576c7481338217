//! Export of trajectories as CSV (one row per recorded step), used by the CLI's `--csv` and the
//! page's "export CSV" button.
//!
//! Columns: `label, step, samples, M_<j>_<r>` for every neuron j and teacher direction r
//! (1-based), `max_M` (max_j ||M_j||), `Q_<j>_<l>` for j < l, `risk`.

use crate::simulation::TrajectoryPoint;
use crate::trajectory::Trajectory;
use std::fmt::Write;

/// CSV header for p neurons and k teacher directions.
pub fn csv_header(p: usize, k: usize) -> String {
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

/// CSV rows of `trajectory` (no header), labelled `label`, with samples = step * nb.
/// Numbers use Rust's shortest round-trip formatting, so values parse back exactly.
pub fn csv_rows(label: &str, trajectory: &Trajectory, nb: u64) -> String {
    let rows = (0..trajectory.len()).map(|i| {
        (
            trajectory.steps[i],
            &trajectory.m[i][..],
            &trajectory.q[i][..],
            trajectory.risk[i],
        )
    });
    csv_rows_from(label, nb, rows)
}

/// CSV rows of streamed points (the page's export), same columns as [`csv_rows`].
pub fn csv_rows_from_points(label: &str, points: &[TrajectoryPoint], nb: u64) -> String {
    csv_rows_from(
        label,
        nb,
        points.iter().map(|p| (p.step, &p.m[..], &p.q[..], p.risk)),
    )
}

/// CSV rows from (step, M rows, Q rows, risk) records.
pub fn csv_rows_from<'a>(
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
        let header = csv_header(2, 1);
        assert_eq!(header, "label,step,samples,M_1_1,M_2_1,max_M,Q_1_2,risk");
        let row = csv_rows("mse", &t, 8);
        let fields: Vec<&str> = row.trim().split(',').collect();
        assert_eq!(fields.len(), header.split(',').count());
        assert_eq!(fields[4].parse::<f64>().unwrap(), -0.7);
        assert_eq!(fields[5].parse::<f64>().unwrap(), 0.7);
        assert_eq!(fields[7].parse::<f64>().unwrap(), 1.0 / 3.0);
    }
}
