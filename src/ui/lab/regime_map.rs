//! The regime map (the paper's Fig. 3, left): the plane of the batch exponent μ = log_d n_b
//! and the rate exponent δ of γ = γ₀ d^(−δ), shaded by the asymptotic regime of projected SGD
//! ([`crate::theory::regimes`]), with the current setting of each panel as a point. A click
//! on the map picks (μ, δ) for the next run.

use crate::model::Loss;
use crate::theory::regimes::Regime;
use crate::ui::chart_spec::{ChartGeometry, ChartSpec, Marker, Region, Series};

/// μ range of the map.
pub const MAP_MU: (f64, f64) = (0.0, 2.5);

/// δ range of the map.
pub const MAP_DELTA: (f64, f64) = (-0.5, 1.5);

/// Grid a click snaps to (so the form shows round exponents).
pub const SNAP: f64 = 0.05;

/// The regions of the map as polygons in (μ, δ): noise learning below the line δ + μ = 1,
/// population flow above it for δ > 0, undefined above it for δ ≤ 0. (The Saad & Solla regime
/// is the line itself, drawn as a series.)
pub fn regions() -> Vec<(Regime, Vec<(f64, f64)>)> {
    let ((m0, m1), (d0, d1)) = (MAP_MU, MAP_DELTA);
    // the line delta = 1 - mu crosses delta = d0 at mu = 1 - d0 and delta = 0 at mu = 1
    vec![
        (
            Regime::NoiseLearning,
            vec![(m0, d0), (1.0 - d0, d0), (m0, 1.0 - m0)],
        ),
        (
            Regime::Undefined,
            vec![(1.0, 0.0), (1.0 - d0, d0), (m1, d0), (m1, 0.0)],
        ),
        (
            Regime::PopulationFlow,
            vec![(m0, 1.0 - m0), (1.0, 0.0), (m1, 0.0), (m1, d1), (m0, d1)],
        ),
    ]
}

/// One panel's setting on the map: its protocol, μ and δ (None for a bare γ: no regime).
pub type MapPoint = (Loss, f64, Option<f64>);

/// The regime map with the settings `points` (panels without δ are left out).
pub fn regime_map_spec(points: &[MapPoint]) -> ChartSpec {
    let colors = [
        (Regime::NoiseLearning, 3),
        (Regime::Undefined, 5),
        (Regime::PopulationFlow, 2),
    ];
    let color = |r: Regime| colors.iter().find(|(c, _)| *c == r).map_or(7, |(_, i)| *i);
    let mut spec = ChartSpec {
        title: "regime of (μ, δ): click to choose".into(),
        x_label: "μ = log_d n_b".into(),
        y_label: "δ (γ = γ₀ d^−δ)".into(),
        x_range: Some(MAP_MU),
        y_range: Some(MAP_DELTA),
        regions: regions()
            .into_iter()
            .map(|(r, polygon)| Region {
                polygon,
                color: color(r),
                label: r.label().into(),
            })
            .collect(),
        ..Default::default()
    };
    spec.series.push(Series {
        label: Regime::SaadSollaLine.label().into(),
        points: vec![(MAP_MU.0, 1.0 - MAP_MU.0), (1.0, 0.0)],
        color: 7,
        dashed: false,
        bold: true,
        markers: Marker::Line,
    });
    for &(loss, mu, delta) in points {
        if let Some(delta) = delta {
            spec.series.push(Series {
                label: format!("{} (this setting)", loss.label()),
                points: vec![(mu, delta)],
                color: match loss {
                    Loss::Mse => 0,
                    Loss::Correlation => 1,
                    Loss::Adaptive => 4,
                },
                dashed: false,
                bold: true,
                markers: Marker::Crosses,
            });
        }
    }
    spec
}

/// The (μ, δ) under CSS offset (x, y) of the drawn map, snapped to [`SNAP`].
pub fn setting_at(geometry: &ChartGeometry, x: f64, y: f64) -> Option<(f64, f64)> {
    let mu = geometry.x_at(x)?;
    let delta = geometry.y_at(y)?;
    let snap = |v: f64| (v / SNAP).round() * SNAP;
    // round off the binary noise of the snap (0.35000000000000003)
    let tidy = |v: f64| (snap(v) * 1e6).round() / 1e6;
    Some((tidy(mu).max(0.0), tidy(delta)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::regimes::classify_regime;

    /// Ray casting: is (x, y) inside `polygon`?
    fn inside(polygon: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
        let mut c = false;
        let n = polygon.len();
        for i in 0..n {
            let (xi, yi) = polygon[i];
            let (xj, yj) = polygon[(i + n - 1) % n];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                c = !c;
            }
        }
        c
    }

    #[test]
    fn every_point_of_the_map_is_shaded_as_the_theory_classifies_it() {
        let regions = regions();
        for i in 0..=50 {
            for j in 0..=40 {
                let mu = MAP_MU.0 + 0.013 + (MAP_MU.1 - MAP_MU.0 - 0.03) * i as f64 / 50.0;
                let delta =
                    MAP_DELTA.0 + 0.011 + (MAP_DELTA.1 - MAP_DELTA.0 - 0.03) * j as f64 / 40.0;
                let expected = classify_regime(delta, mu);
                if expected == Regime::SaadSollaLine {
                    continue;
                }
                let shaded: Vec<Regime> = regions
                    .iter()
                    .filter(|(_, p)| inside(p, (mu, delta)))
                    .map(|(r, _)| *r)
                    .collect();
                assert_eq!(shaded, vec![expected], "mu = {mu}, delta = {delta}");
            }
        }
    }

    #[test]
    fn the_settings_are_drawn_where_they_are_and_a_click_snaps() {
        let spec = regime_map_spec(&[(Loss::Mse, 1.0, Some(0.5)), (Loss::Correlation, 1.0, None)]);
        let crosses: Vec<_> = spec
            .series
            .iter()
            .filter(|s| s.markers == Marker::Crosses)
            .collect();
        assert_eq!(crosses.len(), 1, "a bare gamma has no point");
        assert_eq!(crosses[0].points, vec![(1.0, 0.5)]);
        let g = ChartGeometry {
            left: 0.0,
            right: 250.0,
            x0: MAP_MU.0,
            x1: MAP_MU.1,
            log_x: false,
            ratio: 1.0,
            top: 0.0,
            bottom: 200.0,
            y0: MAP_DELTA.0,
            y1: MAP_DELTA.1,
            log_y: false,
        };
        // x = 151 px -> mu = 1.51 -> 1.5; y = 101 px -> delta = 0.49 -> 0.5
        assert_eq!(setting_at(&g, 151.0, 101.0), Some((1.5, 0.5)));
        assert_eq!(setting_at(&g, 300.0, 100.0), None);
    }
}
