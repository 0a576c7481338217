//! Export of trajectories as CSV (one row per recorded step), used by the CLI's `--csv` and the
//! page's "export CSV" button.
//!
//! Columns: `label, step, samples, M_<j>_<r>` for every neuron j and teacher direction r
//! (1-based), `max_M` (max_j ||M_j||), `Q_<j>_<l>` for j < l, `risk`, and when a second layer
//! is trained `a_<j>` for every neuron (empty in the rows of a run whose second layer is fixed,
//! in a file that mixes both).

use crate::simulation::TrajectoryPoint;
use crate::trajectory::Trajectory;
use std::fmt::Write;

/// CSV header for p neurons and k teacher directions, with the `a_<j>` columns of a trained
/// second layer when `second_layer` is true.
pub fn csv_header_with_second_layer(p: usize, k: usize, second_layer: bool) -> String {
    let mut h = csv_header(p, k);
    if second_layer {
        for j in 1..=p {
            let _ = write!(h, ",a_{j}");
        }
    }
    h
}

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
    csv_rows_with_second_layer(label, trajectory, nb, None)
}

/// [`csv_rows`] in a file with `a_<j>` columns for `p_a` = Some(p) neurons: the recorded
/// second layer of a trained run, empty fields for a run whose second layer is fixed.
pub fn csv_rows_with_second_layer(
    label: &str,
    trajectory: &Trajectory,
    nb: u64,
    p_a: Option<usize>,
) -> String {
    let rows = (0..trajectory.len()).map(|i| {
        (
            trajectory.steps[i],
            &trajectory.m[i][..],
            &trajectory.q[i][..],
            trajectory.risk[i],
        )
    });
    let mut out = String::new();
    for (i, line) in csv_rows_from(label, nb, rows).lines().enumerate() {
        out.push_str(line);
        if let Some(p) = p_a {
            append_second_layer(&mut out, trajectory.a.get(i).map(|a| &a[..]), p);
        }
        out.push('\n');
    }
    out
}

/// `,a_1,...,a_p` (or p empty fields).
fn append_second_layer(out: &mut String, a: Option<&[f64]>, p: usize) {
    match a {
        Some(a) => a.iter().for_each(|x| {
            let _ = write!(out, ",{x}");
        }),
        None => (0..p).for_each(|_| out.push(',')),
    }
}

/// CSV rows of streamed points (the page's export), same columns as [`csv_rows`], plus the
/// `a_<j>` columns when the points carry a trained second layer.
pub fn csv_rows_from_points(label: &str, points: &[TrajectoryPoint], nb: u64) -> String {
    let rows = csv_rows_from(
        label,
        nb,
        points.iter().map(|p| (p.step, &p.m[..], &p.q[..], p.risk)),
    );
    if points.iter().all(|p| p.a.is_none()) {
        return rows;
    }
    let mut out = String::new();
    for (line, point) in rows.lines().zip(points) {
        out.push_str(line);
        append_second_layer(&mut out, point.a.as_deref(), point.m.len());
        out.push('\n');
    }
    out
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

    #[test]
    fn a_trained_second_layer_adds_its_columns() {
        let o = Overlaps {
            q: DMatrix::identity(2, 2),
            m: DMatrix::from_row_slice(2, 1, &[0.3, -0.7]),
        };
        let mut t = Trajectory::with_capacity(16);
        t.record_with_second_layer(0, &o, Some(&[0.25, 0.5]), 1.0, true);
        let header = csv_header_with_second_layer(2, 1, true);
        assert!(header.ends_with(",risk,a_1,a_2"), "{header}");
        let row = csv_rows_with_second_layer("mse", &t, 8, Some(2));
        let fields: Vec<&str> = row.trim().split(',').collect();
        assert_eq!(fields.len(), header.split(',').count());
        assert_eq!(&fields[8..], ["0.25", "0.5"]);
        // a fixed run in the same file: empty a fields
        let mut fixed = Trajectory::with_capacity(16);
        fixed.record(0, &o, 1.0, true);
        let row = csv_rows_with_second_layer("mse", &fixed, 8, Some(2));
        assert!(row.trim_end().ends_with(",1,,"), "{row}");
        assert_eq!(row.trim_end().split(',').count(), header.split(',').count());
    }
}
