//! The precomputed sweep the explorer opens with (`www/data/explorer-he3-d1024.json`, made by
//! `make explorer-data` with `sgdlab sweep`) is what the engine measures for its config: every
//! point belongs to its job, a sample of the jobs re-run here gives the same points bit for
//! bit (a point depends only on its job), and the file shows the paper's Fig. 1 story that the
//! explorer's text describes.

use sgdlab::model::Loss;
use sgdlab::sweep::{run_sweep_jobs, summarise, SweepConfig};
use sgdlab::ui::explorer::SavedSweep;

const DATA: &str = include_str!("../www/data/explorer-he3-d1024.json");
const CONFIG: &str = include_str!("../www/data/explorer-he3-d1024.config.json");

#[test]
fn the_precomputed_sweep_is_what_the_engine_measures() {
    let saved = SavedSweep::parse(DATA).unwrap();
    assert_eq!(saved.config, SweepConfig::from_json(CONFIG).unwrap());
    // every 9th job (both protocols, every mu, several seeds) re-run from scratch
    let sample: Vec<usize> = (0..saved.jobs.len()).step_by(9).collect();
    let jobs: Vec<_> = sample.iter().map(|&i| saved.jobs[i].clone()).collect();
    let points = run_sweep_jobs(&jobs).unwrap();
    for (&i, point) in sample.iter().zip(&points) {
        assert_eq!(&saved.points[i], point, "job {i}");
    }
}

#[test]
fn the_precomputed_sweep_shows_the_batch_size_story() {
    let saved = SavedSweep::parse(DATA).unwrap();
    let summaries = summarise(&saved.points);
    let theta = |loss: Loss, mu: f64| {
        summaries
            .iter()
            .find(|s| s.protocol == loss && (s.mu - mu).abs() < 1e-9)
            .and_then(|s| s.median_theta)
            .unwrap()
    };
    for loss in [Loss::Mse, Loss::Correlation] {
        // below n_b = d^(l/2) both protocols gain one power of d in time per power of d in batch
        let slope = (theta(loss, 1.5) - theta(loss, 0.5)) / 1.0;
        assert!((slope + 1.0).abs() < 0.1, "{loss}: slope {slope}");
    }
    // beyond d^(l/2) = d^1.5 plain SGD stalls; correlation loss keeps gaining
    let mse_gain = theta(Loss::Mse, 1.5) - theta(Loss::Mse, 2.0);
    let correlation_gain = theta(Loss::Correlation, 1.5) - theta(Loss::Correlation, 2.0);
    assert!(
        mse_gain < 0.15,
        "plain SGD gained {mse_gain} beyond mu = 1.5"
    );
    assert!(
        correlation_gain > 0.3,
        "correlation loss gained only {correlation_gain} beyond mu = 1.5"
    );
}

/// The fitted frontiers the explorer draws on the shipped sweep, and the finite-d offset its
/// note states: slopes near −1 below d^(l/2) for both protocols (every seed's own fit too),
/// and medians above the theory line by log_d of a prefactor of a few (not hand-waved: the
/// note prints these very numbers).
#[test]
fn the_explorer_states_the_fitted_slopes_and_the_finite_d_offset() {
    use sgdlab::ui::explorer::{frontier_fits, sweep_charts};
    let saved = SavedSweep::parse(DATA).unwrap();
    let fits = frontier_fits(&saved.points, 3);
    assert_eq!(fits.len(), 2);
    for f in &fits {
        println!("{f:?}");
        assert!((f.slope + 1.0).abs() < 0.1, "{f:?}");
        assert!(
            f.seed_slopes.0 <= f.slope && f.slope <= f.seed_slopes.1,
            "{f:?}"
        );
        // single seeds scatter (escape times are heavy tailed): -1.32 to -0.60 for plain SGD
        assert!(f.seed_slopes.1 - f.seed_slopes.0 < 1.0, "{f:?}");
        // the escape time is a prefactor C > 1 times d^(l-1)/n_b: log_d C between 0 and 0.5
        assert!(f.offset > 0.0 && f.offset < 0.5, "{f:?}");
        assert!(
            (f.mu_lo - 0.5).abs() < 0.01 && (f.mu_hi - 1.5).abs() < 1e-9,
            "{f:?}"
        );
    }
    let charts = sweep_charts(&saved.config, &saved.points, false);
    let note = charts.note.unwrap();
    for f in &fits {
        assert!(note.contains(&format!("{:+.2}", f.offset)), "{note}");
    }
    assert!(charts
        .theta
        .series
        .iter()
        .any(|s| s.label.starts_with("MSE SGD: fit μ ≤ 1.5, slope")));
}
