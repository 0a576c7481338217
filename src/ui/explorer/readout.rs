//! The explorer's points under the pointer: which measured point a position of a chart is
//! on, its read-out (protocol, a0, μ, n_b, seed, T, N, γ, sampler), and the lab state that opens
//! that very run in the Compare view.

use super::d_axis::is_d_scaling;
use crate::config::{display_number, RunConfig};
use crate::lab_state::LabState;
use crate::sweep::{SweepConfig, SweepPoint};
use crate::ui::chart_spec::ChartGeometry;

/// Largest distance (CSS px) from the pointer to a point that selects it.
pub const PICK_RADIUS_PX: f64 = 10.0;

/// Which chart of the explorer (which of its two canvases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepChart {
    /// θ = log_d T against μ (capped runs drawn at the cap); d-scaling mode: T against d.
    Theta,
    /// log_d N against μ (recovered runs only); d-scaling mode: log_d T against d.
    Samples,
}

/// Where point `p` is drawn on `chart` (data coordinates) of the sweep `config`, capped runs at
/// the step cap: (μ, θ) or (μ, log_d N, recovered runs only); in the d-scaling mode (d, T) or
/// (d, log_d T), recovered runs only on the second.
pub fn position(chart: SweepChart, p: &SweepPoint, config: &SweepConfig) -> Option<(f64, f64)> {
    let ln_d = (p.d as f64).ln();
    let cap = config.max_steps as f64;
    let steps = p.weak_recovery_step.map_or(cap, |t| (t as f64).max(1.0));
    match (chart, is_d_scaling(config)) {
        (SweepChart::Theta, false) => {
            Some((p.mu_resolved, p.theta.unwrap_or_else(|| cap.ln() / ln_d)))
        }
        (SweepChart::Samples, false) => {
            (!p.censored).then(|| (p.mu_resolved, (p.samples as f64).ln() / ln_d))
        }
        (SweepChart::Theta, true) => Some((p.d as f64, steps)),
        (SweepChart::Samples, true) => (!p.censored).then(|| (p.d as f64, steps.ln() / ln_d)),
    }
}

/// The index of the point drawn nearest to CSS offset (x, y) of `chart`, within
/// [`PICK_RADIUS_PX`].
pub fn point_at(
    chart: SweepChart,
    points: &[SweepPoint],
    config: &SweepConfig,
    geometry: &ChartGeometry,
    x: f64,
    y: f64,
) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (px, py) = position(chart, p, config)?;
            let (cx, cy) = geometry.css_of(px, py)?;
            let distance = ((cx - x).powi(2) + (cy - y).powi(2)).sqrt();
            (distance <= PICK_RADIUS_PX).then_some((i, distance))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// The read-out of a point of sweep `config`, e.g. "MSE SGD · μ = 1.25 (n_b = 5793) · seed 3 /
/// T = 1234 steps, N = 7.148e6 samples (θ = 1.027) / γ = 1.00e-2 · sampler exact · click: open
/// in Compare"; in the d-scaling mode the dimension leads: "MSE SGD · d = 4096 · μ = 1 (n_b =
/// 4096) · …"; in a sweep over a0 (or at an a0 other than 1) the weight follows the protocol:
/// "MSE SGD · a0 = 0.1 · μ = 1 …".
pub fn point_readout(p: &SweepPoint, config: &SweepConfig) -> String {
    let d_scaling = is_d_scaling(config);
    let time = match (p.weak_recovery_step, p.theta) {
        (Some(t), Some(theta)) => format!(
            "T = {t} steps, N = {:.4e} samples (θ = {theta:.3})",
            p.samples as f64
        ),
        _ => format!("no weak recovery within the cap ({} samples)", p.samples),
    };
    let d = if d_scaling {
        format!(" · d = {}", p.d)
    } else {
        String::new()
    };
    let a0 = if config.a0_list.is_some() || p.a0 != 1.0 {
        format!(" · a0 = {}", display_number(p.a0))
    } else {
        String::new()
    };
    format!(
        "{}{a0}{d} · μ = {} (n_b = {}) · seed {}\n{time}\nγ = {:.3e} · sampler {}{}\nclick: open this run in Compare",
        p.protocol.label(),
        p.mu,
        p.nb,
        p.seed,
        p.gamma,
        p.sampler,
        if p.diverged { " · diverged" } else { "" }
    )
}

/// Most steps a run opened from the explorer asks for: twice its weak-recovery step (so the
/// escape sits mid-chart), at least 2000, at most the sweep's cap and 10⁶.
pub fn compare_steps(job: &RunConfig, point: &SweepPoint) -> u64 {
    let wanted = point.weak_recovery_step.map_or(job.steps, |t| 2 * t);
    wanted.clamp(2000, 1_000_000).min(job.steps.max(1))
}

/// The lab state that shows the run of `job` (its point `point`) in the Compare view: the
/// same model, batch n0 d^μ, rate policy, initialisation, seed and sampler, side by side with
/// the sweep's other protocols that use the same rate policy.
pub fn compare_state(config: &SweepConfig, job: &RunConfig, point: &SweepPoint) -> LabState {
    let mut panels: Vec<_> = config
        .protocols
        .iter()
        .copied()
        .filter(|&p| {
            p == job.loss || Some(config.learning_rate_at(p, job.model.second_layer.a0)) == job.lr
        })
        .collect();
    if panels.is_empty() {
        panels.push(job.loss);
    }
    let lab = LabState::default();
    LabState {
        config: RunConfig {
            // the loss is each panel's own (the lab state keeps its default)
            loss: lab.config.loss,
            steps: compare_steps(job, point),
            stop_at_recovery: false,
            record_points: crate::trajectory::DEFAULT_CAPACITY,
            ..job.clone()
        },
        panels,
        ..lab
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelSettings;
    use crate::model::Loss;
    use crate::sampler::SamplerKind;

    fn point(protocol: Loss, mu: f64, seed: u64, t: Option<u64>) -> SweepPoint {
        SweepPoint {
            protocol,
            mu,
            nb: 1024,
            gamma: 0.01,
            seed,
            weak_recovery_step: t,
            samples: t.unwrap_or(100) * 1024,
            sampler: SamplerKind::Exact,
            censored: t.is_none(),
            theta: t.map(|t| (t as f64).ln() / (1024f64).ln()),
            mu_resolved: mu,
            a0: 1.0,
            diverged: false,
            d: 1024,
        }
    }

    fn geometry() -> ChartGeometry {
        // plot area 100..500 x 20..320 device px at ratio 1, mu in [0, 4], y in [0, 3]
        ChartGeometry {
            left: 100.0,
            right: 500.0,
            x0: 0.0,
            x1: 4.0,
            log_x: false,
            ratio: 1.0,
            top: 20.0,
            bottom: 320.0,
            y0: 0.0,
            y1: 3.0,
            log_y: false,
        }
    }

    #[test]
    fn the_pointer_picks_the_nearest_point_within_the_radius() {
        let config = SweepConfig {
            model: ModelSettings {
                d: 1024,
                ..ModelSettings::default()
            },
            ..SweepConfig::default()
        };
        // theta = log_1024(1024) = 1 at mu = 1: x = 100 + 100 = 200, y = 320 - 100 = 220
        let points = vec![
            point(Loss::Mse, 1.0, 0, Some(1024)),
            point(Loss::Mse, 2.0, 0, Some(32)),
        ];
        let g = geometry();
        assert_eq!(
            point_at(SweepChart::Theta, &points, &config, &g, 203.0, 218.0),
            Some(0)
        );
        assert_eq!(
            point_at(SweepChart::Theta, &points, &config, &g, 260.0, 218.0),
            None
        );
        // the samples chart leaves capped runs out
        let capped = vec![point(Loss::Mse, 1.0, 0, None)];
        assert_eq!(
            point_at(SweepChart::Samples, &capped, &config, &g, 200.0, 220.0),
            None
        );
    }

    #[test]
    fn in_the_d_scaling_mode_points_sit_at_their_d() {
        let config = SweepConfig {
            d_list: Some(vec![256, 1024]),
            max_steps: 5000,
            ..SweepConfig::default()
        };
        let p = point(Loss::Mse, 1.0, 0, Some(32));
        assert_eq!(
            position(SweepChart::Theta, &p, &config),
            Some((1024.0, 32.0))
        );
        assert_eq!(
            position(SweepChart::Samples, &p, &config),
            Some((1024.0, 0.5))
        );
        let capped = point(Loss::Mse, 1.0, 0, None);
        assert_eq!(
            position(SweepChart::Theta, &capped, &config),
            Some((1024.0, 5000.0))
        );
        assert_eq!(position(SweepChart::Samples, &capped, &config), None);
        // on log axes d = 1024 lands mid-way between 256 and 4096
        let g = ChartGeometry {
            x0: 256.0,
            x1: 4096.0,
            log_x: true,
            y0: 10.0,
            y1: 1000.0,
            log_y: true,
            ..geometry()
        };
        // x = 100 + 400 / 2, y = 320 - 300 * log_100(32 / 10)
        let y = 320.0 - 300.0 * (3.2f64).log10() / 2.0;
        assert_eq!(
            point_at(SweepChart::Theta, &[p], &config, &g, 300.0, y),
            Some(0)
        );
    }

    #[test]
    fn the_readout_names_the_run() {
        let mu_sweep = SweepConfig::default();
        let text = point_readout(&point(Loss::Correlation, 1.5, 3, Some(64)), &mu_sweep);
        assert!(
            text.starts_with("Correlation-loss SGD · μ = 1.5 (n_b = 1024) · seed 3\nT = 64 steps"),
            "{text}"
        );
        assert!(
            point_readout(&point(Loss::Mse, 1.0, 0, None), &mu_sweep).contains("no weak recovery")
        );
        let d_sweep = SweepConfig {
            d_list: Some(vec![256, 1024]),
            ..SweepConfig::default()
        };
        let text = point_readout(&point(Loss::Mse, 1.0, 2, Some(64)), &d_sweep);
        assert!(
            text.starts_with("MSE SGD · d = 1024 · μ = 1 (n_b = 1024) · seed 2\nT = 64 steps"),
            "{text}"
        );
        // a sweep over a0 names each point's weight
        let a0_sweep = SweepConfig {
            a0_list: Some(vec![1.0, 0.1]),
            ..SweepConfig::default()
        };
        let p = SweepPoint {
            a0: 0.1,
            ..point(Loss::Mse, 1.0, 2, Some(64))
        };
        let text = point_readout(&p, &a0_sweep);
        assert!(
            text.starts_with("MSE SGD · a0 = 0.1 · μ = 1 (n_b = 1024)"),
            "{text}"
        );
        let text = point_readout(&point(Loss::Mse, 1.0, 2, Some(64)), &a0_sweep);
        assert!(text.starts_with("MSE SGD · a0 = 1 · μ = 1"), "{text}");
    }

    #[test]
    fn a_point_opens_its_own_run_in_compare() {
        let config = SweepConfig {
            model: ModelSettings {
                d: 256,
                ..ModelSettings::default()
            },
            mu: vec![1.0],
            seeds: vec![4],
            ..SweepConfig::default()
        };
        let jobs = config.jobs().unwrap();
        let job = &jobs[1];
        let p = point(job.loss, 1.0, 4, Some(300));
        let state = compare_state(&config, job, &p);
        assert_eq!(state.config.seed, 4);
        assert_eq!(state.config.batch, job.batch);
        assert_eq!(state.config.steps, 2000);
        assert_eq!(state.panels, vec![Loss::Mse, Loss::Correlation]);
        // the lab runs that very config (same seed, batch, rate policy) for its panel
        let lab_job = state
            .panel_configs()
            .into_iter()
            .find(|c| c.loss == job.loss)
            .unwrap();
        let resolved = lab_job.resolve().unwrap();
        let swept = job.resolve().unwrap();
        assert_eq!(resolved.gamma_resolved, swept.gamma_resolved);
        assert_eq!(resolved.nb_resolved, swept.nb_resolved);
        // and the state survives the URL
        assert_eq!(
            LabState::from_hash(&state.to_hash()).unwrap().config,
            state.config
        );
    }
}
