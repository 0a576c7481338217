//! The chart specs of a panel's recorded points: the overlap chart (every M_jr, max_j ‖M_j‖,
//! the off-diagonal Q_jl, η and the weak-recovery marker) and the risk chart.

use super::panel::max_overlap;
use super::time_axis::TimeAxis;
use crate::simulation::TrajectoryPoint;
use crate::ui::chart_spec::{ChartSpec, Marker, Series};

/// Overlap chart of recorded points: M_jr for every unit j and teacher direction r (one bold
/// line "m = M_11" when p = k = 1), max_j ‖M_j‖ in bold when p·k > 1, the off-diagonal
/// student overlaps Q_jl (j < l) dashed, the overlaps R_ji with the free directions of a
/// spiked covariance dashed, y in [−1.05, 1.05], the threshold η and the weak-recovery step
/// `weak` as a vertical marker.
pub fn overlap_spec(
    title: &str,
    points: &[TrajectoryPoint],
    eta: f64,
    weak: Option<u64>,
    axis: TimeAxis,
    nb: u64,
) -> ChartSpec {
    let line = |label: String, points: Vec<(f64, f64)>, color: usize, dashed: bool, bold| Series {
        label,
        points,
        color,
        dashed,
        bold,
        markers: Marker::Line,
    };
    let mut series = Vec::new();
    if let Some(first) = points.first() {
        let (p, k) = (first.m.len(), first.m.first().map_or(0, |r| r.len()));
        let single = p * k == 1;
        for j in 0..p {
            for r in 0..k {
                let label = if single {
                    "m = M_11".into()
                } else {
                    format!("M_{}{}", j + 1, r + 1)
                };
                let xy = points
                    .iter()
                    .map(|pt| (axis.x(pt.step, nb), pt.m[j][r]))
                    .collect();
                series.push(line(label, xy, (j * k + r) % 6, false, single));
            }
        }
        if !single {
            let xy = points
                .iter()
                .map(|pt| (axis.x(pt.step, nb), max_overlap(pt)))
                .collect();
            series.push(line("max_j ||M_j||".into(), xy, 7, false, true));
        }
        for j in 0..p {
            for l in j + 1..p {
                let xy = points
                    .iter()
                    .map(|pt| (axis.x(pt.step, nb), pt.q[j][l]))
                    .collect();
                series.push(line(
                    format!("Q_{}{}", j + 1, l + 1),
                    xy,
                    (j + l) % 6,
                    true,
                    false,
                ));
            }
        }
        // R_ji = w_j . u_i with the free directions of a spiked covariance, dashed in grey-blue
        let free = first.r.as_ref().and_then(|r| r.first()).map_or(0, Vec::len);
        for j in 0..p {
            for i in 0..free {
                let xy = points
                    .iter()
                    .filter_map(|pt| Some((axis.x(pt.step, nb), *pt.r.as_ref()?.get(j)?.get(i)?)))
                    .collect();
                series.push(line(
                    format!("R_{}{} (w_{}·u_{})", j + 1, i + 1, j + 1, i + 1),
                    xy,
                    6,
                    true,
                    false,
                ));
            }
        }
    }
    ChartSpec {
        title: title.into(),
        x_label: axis.label(),
        log_x: axis.log,
        y_label: "overlap".into(),
        y_range: Some((-1.05, 1.05)),
        horizontal_lines: vec![(eta, format!("η = {eta}"))],
        vertical_marker: weak.map(|t| (axis.x(t, nb), format!("weak recovery, t = {t}"))),
        series,
        ..Default::default()
    }
}

/// Risk chart of recorded points: the population risk R(t) on a log y axis.
pub fn risk_spec(points: &[TrajectoryPoint], axis: TimeAxis, nb: u64) -> ChartSpec {
    ChartSpec {
        title: "population risk R(t)".into(),
        x_label: axis.label(),
        log_x: axis.log,
        y_label: "risk".into(),
        log_y: true,
        series: vec![Series {
            label: "R".into(),
            points: points
                .iter()
                .map(|p| (axis.x(p.step, nb), p.risk))
                .collect(),
            color: 5,
            dashed: false,
            bold: true,
            markers: Marker::Line,
        }],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_with_free_directions_are_drawn_dashed() {
        let mut pts = vec![
            point(0, vec![vec![0.1]], 1.0),
            point(5, vec![vec![0.6]], 0.5),
        ];
        pts[0].r = Some(vec![vec![0.02, -0.01]]);
        pts[1].r = Some(vec![vec![0.3, -0.2]]);
        let spec = overlap_spec("x", &pts, 0.5, None, TimeAxis::default(), 1);
        let r: Vec<&Series> = spec
            .series
            .iter()
            .filter(|s| s.label.starts_with("R_"))
            .collect();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].label, "R_12 (w_1·u_2)");
        assert!(r.iter().all(|s| s.dashed));
        assert_eq!(r[0].points, vec![(0.0, 0.02), (5.0, 0.3)]);
        // isotropic runs draw none
        let spec = overlap_spec("x", &pts[..0], 0.5, None, TimeAxis::default(), 1);
        assert!(spec.series.iter().all(|s| !s.label.starts_with("R_")));
    }

    fn point(step: u64, m: Vec<Vec<f64>>, risk: f64) -> TrajectoryPoint {
        let p = m.len();
        TrajectoryPoint {
            step,
            q: (0..p)
                .map(|j| (0..p).map(|l| if j == l { 1.0 } else { 0.1 }).collect())
                .collect(),
            a: None,
            r: None,
            m,
            risk,
        }
    }

    #[test]
    fn one_unit_and_one_direction_draw_one_bold_line() {
        let pts = vec![
            point(1, vec![vec![0.1]], 1.0),
            point(10, vec![vec![0.8]], 0.1),
        ];
        let spec = overlap_spec("x", &pts, 0.5, Some(10), TimeAxis::default(), 4);
        assert_eq!(spec.series.len(), 1);
        assert_eq!(spec.series[0].label, "m = M_11");
        assert!(spec.series[0].bold);
        assert_eq!(spec.vertical_marker.as_ref().unwrap().0, 10.0);
    }

    #[test]
    fn wide_students_draw_every_overlap_the_maximum_and_q() {
        let m = vec![vec![0.3, 0.4], vec![0.0, 0.1]];
        let pts = vec![point(5, m, 0.2)];
        let spec = overlap_spec("x", &pts, 0.5, None, TimeAxis::default(), 1);
        let labels: Vec<&str> = spec.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["M_11", "M_12", "M_21", "M_22", "max_j ||M_j||", "Q_12"]
        );
        // max_j ||M_j|| = ||(0.3, 0.4)|| = 0.5
        assert!((spec.series[4].points[0].1 - 0.5).abs() < 1e-12);
        assert!(spec.series[5].dashed);
    }
}
