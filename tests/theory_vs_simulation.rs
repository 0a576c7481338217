//! Issue 4's evidence: the deterministic overlap recursion (docs/science.md §5) against the
//! mean of simulated trajectories (exact dimension-free sampler, section 4), started from the
//! SAME initial overlaps ([`recursion_from_config`] draws them from the run's seed exactly as
//! the simulation does).
//!
//! # Method and tolerances
//! For every seed the simulation and the recursion start from that seed's initial overlaps; at
//! each checkpoint we take the paired difference (simulation - recursion) of three observables:
//! the population risk R, the mean teacher overlap m = (1/pk) sum_jr M_jr and the mean student
//! overlap q = mean_{j != l} Q_jl (p > 1). The mean difference over seeds must satisfy
//!
//! ```text
//! |mean difference| <= 4 standard errors (over seeds) + finite-size allowance,
//! allowance = 1% of the recursion's risk for R, 0.005 for m and q
//! ```
//!
//! (0.005 = 0.5 / sqrt(d) at d = 10^4, half the initial overlap fluctuations). Each comparison
//! also runs a recursion with one term removed, and asserts that it fails the same test by a wide
//! margin, so the tolerance is able to fail. Settings (d = 10^4 unless said otherwise):
//!
//! | test | setting | seeds | checkpoints |
//! |---|---|---|---|
//! | erf Saad & Solla | p = k = 2, Delta = 0.01, m0 = 0, n_b = 100, gamma = 8 d^-1/2 | 16 | t <= 2000 |
//! | erf population flow | same, gamma = 10 d^-1 | 8 | t <= 10^4 |
//! | erf specialisation | Saad & Solla setting, t = 4 x 10^4 | 8 | |
//! | He_3 p = 1 | m0 = 0.3, n_b = 100, gamma = 0.005 d^-1/2, MSE and correlation loss | 16 | t <= 10^4 |
//! | He_3 p = 4 | m0 = 0.3, n_b = 100, gamma = 0.01 d^-1/2, MSE | 8 | t <= 2 x 10^4 |
//! | concentration | erf Saad & Solla scaling at d = 10^3, 10^4, 10^5 | 16 | fixed gamma t |
//! | Hermite multi-index | g = He_2(z1)/sqrt 2 + z1 z2, k = p = 2, He_2/sqrt 2 units, MSE, m0 = 0.3, n_b = 100, gamma = 0.2 d^-1/2 | 8 | t <= 4000 |
//! | mean-step term | d = 32, n_b = 4096, gamma = 1 (erf) / 0.01 (He_3) | 32 | t <= 5 |
//!
//! # m0 = 0 and the symmetric plateau
//! erf has information exponent 1, so from M = 0 the recursion moves deterministically. But the
//! committee start M = 0 is symmetric under swapping the student neurons, and the recursion keeps
//! that symmetry forever (M_j1 = M_j2: the unspecialised Saad & Solla plateau), while each
//! simulation leaves it through SGD noise after about 5 x 10^3 steps at d = 10^4 and specialises.
//! So the Saad & Solla comparison stops at t = 2000 (checked: the simulations are still
//! unspecialised there), and a separate test shows the late-time disagreement is exactly this:
//! a recursion started from a slightly asymmetric M specialises and lands on the simulations'
//! final plateau. For He_3 from m0 = 1/sqrt(d) the escape time is random (heavy-tailed), so those
//! tests start from m0 = 0.3, where the recursion is meaningful.
//!
//! Run with `--nocapture` to see the measured tables.

use nalgebra::DMatrix;
use sgdlab::config::{ResolvedConfig, RunConfig};
use sgdlab::model::Overlaps;
use sgdlab::simulation::{RunStatus, Simulation};
use sgdlab::theory::{population_risk, run_overlap_recursion, Terms};
use sgdlab::theory_run::{initial_overlaps, recursion_from_config};

/// Standard errors allowed.
const SIGMAS: f64 = 4.0;
/// Finite-size allowance on the risk, relative to the recursion's value.
const RISK_ALLOWANCE: f64 = 0.01;
/// Finite-size allowance on the mean overlaps m and q.
const OVERLAP_ALLOWANCE: f64 = 0.005;

const NO_NOISE: Terms = Terms {
    gradient: true,
    noise: false,
    mean_step: true,
};
const NO_MEAN_STEP: Terms = Terms {
    gradient: true,
    noise: true,
    mean_step: false,
};
const ONLY_GRADIENT: Terms = Terms {
    gradient: true,
    noise: false,
    mean_step: false,
};

fn config(json: &str) -> ResolvedConfig {
    RunConfig::from_json(json)
        .unwrap_or_else(|e| panic!("{e}: {json}"))
        .resolve()
        .unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn with_seed(config: &ResolvedConfig, seed: u64) -> ResolvedConfig {
    let mut c = config.clone();
    c.input.seed = seed;
    c
}

const NAMES: [&str; 3] = ["R", "m", "q"];

/// (R, m, q) of overlaps; q = 0 for p = 1.
fn observables(config: &ResolvedConfig, o: &Overlaps) -> [f64; 3] {
    let c = &config.input;
    let risk = population_risk(
        &c.model.target,
        &config.activation_resolved,
        o,
        c.model.noise,
    )
    .value;
    let (p, k) = (o.p(), o.k());
    let m = o.m.iter().sum::<f64>() / (p * k) as f64;
    let q = if p > 1 {
        (o.q.iter().sum::<f64>() - p as f64) / (p * (p - 1)) as f64
    } else {
        0.0
    };
    [risk, m, q]
}

/// |M_j1 - M_j2| averaged over the neurons (p = k = 2): 0 on the symmetric plateau.
fn specialisation(o: &Overlaps) -> f64 {
    (0..o.p())
        .map(|j| (o.m[(j, 0)] - o.m[(j, 1)]).abs())
        .sum::<f64>()
        / o.p() as f64
}

/// Overlaps of one simulated run at each checkpoint.
fn simulate(config: &ResolvedConfig, checkpoints: &[u64]) -> Vec<Overlaps> {
    let mut s = Simulation::from_resolved(config.clone());
    checkpoints
        .iter()
        .map(|&t| {
            s.run_steps(t - s.step());
            assert_eq!(s.step(), t, "{:?}", s.status());
            assert!(!matches!(s.status(), RunStatus::Diverged { .. }));
            s.overlaps()
        })
        .collect()
}

/// The recursion from `initial` at each checkpoint, or None if it stops early.
fn recursion_from(
    config: &ResolvedConfig,
    initial: Overlaps,
    terms: Terms,
    checkpoints: &[u64],
) -> Option<Vec<Overlaps>> {
    let (_, mut settings) = recursion_from_config(config, terms, true).unwrap();
    let (mut o, mut now) = (initial, 0);
    let mut out = Vec::new();
    for &t in checkpoints {
        if t > now {
            settings.steps = t - now;
            let run = run_overlap_recursion(&o, &settings).unwrap();
            if run.divergence.is_some() {
                return None;
            }
            o = run.final_overlaps;
            now = t;
        }
        out.push(o.clone());
    }
    Some(out)
}

/// The recursion of `config` (from the seed's own initial overlaps).
fn recursion(config: &ResolvedConfig, terms: Terms, checkpoints: &[u64]) -> Option<Vec<Overlaps>> {
    recursion_from(config, initial_overlaps(config), terms, checkpoints)
}

/// Paired statistics of one recursion variant against the simulations.
struct Comparison {
    terms: Terms,
    /// [checkpoint][observable]
    simulation: Vec<[f64; 3]>,
    theory: Vec<[f64; 3]>,
    difference: Vec<[f64; 3]>,
    standard_error: Vec<[f64; 3]>,
    /// Root-mean-square distance of single runs from their recursion.
    rms: Vec<[f64; 3]>,
    /// false when the recursion stopped early for some seed.
    completed: bool,
}

fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Simulates `seeds` runs and compares them with the recursion for each of `variants`.
fn compare(
    config: &ResolvedConfig,
    seeds: u64,
    checkpoints: &[u64],
    variants: &[Terms],
) -> Vec<Comparison> {
    let n = checkpoints.len();
    let mut sims: Vec<Vec<[f64; 3]>> = Vec::new();
    let mut theories: Vec<Vec<Option<Vec<[f64; 3]>>>> = vec![Vec::new(); variants.len()];
    for seed in 0..seeds {
        let c = with_seed(config, seed);
        sims.push(
            simulate(&c, checkpoints)
                .iter()
                .map(|o| observables(&c, o))
                .collect(),
        );
        for (v, terms) in variants.iter().enumerate() {
            theories[v].push(
                recursion(&c, *terms, checkpoints)
                    .map(|os| os.iter().map(|o| observables(&c, o)).collect()),
            );
        }
    }
    variants
        .iter()
        .zip(theories)
        .map(|(terms, theory)| {
            let completed = theory.iter().all(Option::is_some);
            let mut cmp = Comparison {
                terms: *terms,
                simulation: vec![[0.0; 3]; n],
                theory: vec![[f64::NAN; 3]; n],
                difference: vec![[f64::NAN; 3]; n],
                standard_error: vec![[f64::NAN; 3]; n],
                rms: vec![[f64::NAN; 3]; n],
                completed,
            };
            for i in 0..n {
                for a in 0..3 {
                    let s: Vec<f64> = sims.iter().map(|v| v[i][a]).collect();
                    cmp.simulation[i][a] = mean_and_se(&s).0;
                    if completed {
                        let t: Vec<f64> =
                            theory.iter().map(|v| v.as_ref().unwrap()[i][a]).collect();
                        let d: Vec<f64> = s.iter().zip(&t).map(|(x, y)| x - y).collect();
                        let (dm, se) = mean_and_se(&d);
                        cmp.theory[i][a] = mean_and_se(&t).0;
                        cmp.difference[i][a] = dm;
                        cmp.standard_error[i][a] = se;
                        cmp.rms[i][a] =
                            (d.iter().map(|x| x * x).sum::<f64>() / d.len() as f64).sqrt();
                    }
                }
            }
            cmp
        })
        .collect()
}

impl Comparison {
    /// The tolerance of observable `a` at checkpoint `i` (see the module documentation).
    fn tolerance(&self, i: usize, a: usize) -> f64 {
        let allowance = if a == 0 {
            RISK_ALLOWANCE * self.theory[i][a].abs()
        } else {
            OVERLAP_ALLOWANCE
        };
        SIGMAS * self.standard_error[i][a] + allowance
    }

    /// The largest |mean difference| / tolerance over checkpoints and observables (infinite if
    /// the recursion stopped early): <= 1 means the recursion tracks the simulation mean.
    fn worst_ratio(&self, observables: usize) -> f64 {
        if !self.completed {
            return f64::INFINITY;
        }
        let mut worst: f64 = 0.0;
        for i in 0..self.theory.len() {
            for a in 0..observables {
                worst = worst.max(self.difference[i][a].abs() / self.tolerance(i, a));
            }
        }
        worst
    }

    fn print(&self, title: &str, checkpoints: &[u64], observables: usize) {
        println!(
            "{title}, terms {:?}: worst |difference| / tolerance = {:.2}",
            self.terms,
            self.worst_ratio(observables)
        );
        for (i, t) in checkpoints.iter().enumerate() {
            let mut line = format!("  t = {t:>6}");
            for (a, name) in NAMES.iter().enumerate().take(observables) {
                line += &format!(
                    " | {name} sim {:.5} rec {:.5} diff {:+.5} +- {:.5} (tol {:.5})",
                    self.simulation[i][a],
                    self.theory[i][a],
                    self.difference[i][a],
                    self.standard_error[i][a],
                    self.tolerance(i, a)
                );
            }
            println!("{line}");
        }
    }
}

/// Asserts that the full recursion tracks the simulation mean and that each ablated variant
/// fails the same test by at least `margin`.
fn assert_tracks(
    title: &str,
    comparisons: &[Comparison],
    checkpoints: &[u64],
    observables: usize,
    margin: f64,
) {
    for c in comparisons {
        c.print(title, checkpoints, observables);
    }
    let full = &comparisons[0];
    assert_eq!(full.terms, Terms::ALL);
    let worst = full.worst_ratio(observables);
    assert!(
        worst <= 1.0,
        "{title}: the recursion leaves the tolerance ({worst:.2} x)"
    );
    for ablated in &comparisons[1..] {
        let worst = ablated.worst_ratio(observables);
        assert!(
            worst >= margin,
            "{title}: without some term ({:?}) the recursion should miss the simulations by >= {margin} x the tolerance, got {worst:.2}",
            ablated.terms
        );
    }
}

const ERF_COMMITTEE: &str = r#""p": 2, "k": 2, "target": "erf", "noise": 0.01, "init": {"kind": "m0", "m0": 0}, "sampler": "exact""#;

fn erf_saad_solla(d: u64, steps: u64) -> ResolvedConfig {
    config(&format!(
        r#"{{"d": {d}, {ERF_COMMITTEE}, "batch": {{"n0": 1, "mu": 0.5}}, "lr": {{"policy": "fixed", "gamma0": 8, "delta": 0.5}}, "steps": {steps}}}"#
    ))
}

/// Saad & Solla line (docs/science.md §8 item 3): d = 10^4, n_b = 100, gamma = 8 d^(-1/2)
/// = 0.08, erf committee p = k = 2, Delta = 0.01, m0 = 0; 16 seeds, t <= 2000 (before the
/// simulations leave the symmetric plateau). Tolerance: module documentation. Without the noise
/// term the recursion misses by more than 20 x the tolerance (it predicts a risk plateau at a
/// third of the measured one).
#[test]
fn erf_committee_saad_solla_mean_follows_the_recursion() {
    let c = erf_saad_solla(10_000, 2000);
    assert_eq!(c.nb_resolved, 100);
    let checkpoints = [10, 30, 100, 300, 1000, 2000];
    let cmp = compare(&c, 16, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks("erf Saad & Solla d = 1e4", &cmp, &checkpoints, 3, 20.0);
    // the window is before specialisation: the simulations are still (nearly) symmetric
    let spec: f64 = (0..16)
        .map(|seed| specialisation(&simulate(&with_seed(&c, seed), &[2000])[0]))
        .sum::<f64>()
        / 16.0;
    assert!(spec < 0.05, "mean |M_j1 - M_j2| at t = 2000: {spec}");
}

/// Population flow (docs/science.md §8 item 3): d = 10^4, n_b = 100, gamma = 10 d^(-1)
/// = 10^-3, 8 seeds, t <= 10^4. Tolerance: module documentation. The asymptotic
/// population-flow recursion (gradient terms only) is also compared: at d = 10^4 its missing
/// noise term is visible (its risk is about 1% low at t = 10^4, many paired standard errors),
/// so the finite-d recursion with all terms must be at least 5 x closer in the worst case.
#[test]
fn erf_committee_population_flow_mean_follows_the_recursion() {
    let c = config(&format!(
        r#"{{"d": 10000, {ERF_COMMITTEE}, "nb": 100, "lr": {{"policy": "fixed", "gamma0": 10, "delta": 1}}, "steps": 10000}}"#
    ));
    let checkpoints = [100, 1000, 3000, 10000];
    let cmp = compare(&c, 8, &checkpoints, &[Terms::ALL, ONLY_GRADIENT]);
    assert_tracks("erf population flow d = 1e4", &cmp, &checkpoints, 3, 0.0);
    // distance in paired standard errors of the risk, worst over checkpoints
    let in_se = |c: &Comparison| {
        (0..checkpoints.len())
            .map(|i| c.difference[i][0].abs() / c.standard_error[i][0].max(1e-12))
            .fold(0.0, f64::max)
    };
    let (full, gradient) = (in_se(&cmp[0]), in_se(&cmp[1]));
    println!(
        "population flow: risk distance {full:.1} SE (all terms), {gradient:.1} SE (gradient only)"
    );
    assert!(
        gradient > 5.0 * full.max(1.0),
        "all terms {full:.1} SE vs gradient only {gradient:.1} SE"
    );
}

/// m0 = 0 handled honestly: up to t = 4 x 10^4 in the Saad & Solla setting (8 seeds), the
/// recursion from the seeds' own (symmetric) start stays on the unspecialised plateau
/// (M_j1 = M_j2 to round-off, R = 0.0317) while every simulation specialises (mean
/// |M_j1 - M_j2| > 0.5) and reaches a lower plateau. A recursion started from the same start with
/// M_11 and M_22 raised by 0.01 (symmetry broken) specialises too and lands on the simulations'
/// final plateau within 4 standard errors + 1%.
#[test]
fn erf_committee_simulations_leave_the_symmetric_plateau_that_the_recursion_keeps() {
    let c = erf_saad_solla(10_000, 40_000);
    let checkpoints = [40_000];
    let seeds = 8;
    let mut risks = Vec::new();
    let mut spec = 0.0;
    for seed in 0..seeds {
        let cs = with_seed(&c, seed);
        let o = &simulate(&cs, &checkpoints)[0];
        risks.push(observables(&cs, o)[0]);
        spec += specialisation(o) / seeds as f64;
    }
    let (sim_risk, se) = mean_and_se(&risks);
    let symmetric = &recursion(&c, Terms::ALL, &checkpoints).unwrap()[0];
    let mut start = initial_overlaps(&c);
    start.m += DMatrix::from_row_slice(2, 2, &[0.01, 0.0, 0.0, 0.01]);
    let broken = &recursion_from(&c, start, Terms::ALL, &checkpoints).unwrap()[0];
    let (symmetric_risk, broken_risk) = (observables(&c, symmetric)[0], observables(&c, broken)[0]);
    println!(
        "t = 4e4: simulations R = {sim_risk:.5} +- {se:.5}, specialisation {spec:.3}; recursion (symmetric start) R = {symmetric_risk:.5}, specialisation {:.1e}; recursion (broken symmetry) R = {broken_risk:.5}, specialisation {:.3}",
        specialisation(symmetric),
        specialisation(broken)
    );
    assert!(specialisation(symmetric) < 1e-9);
    assert!(spec > 0.5, "simulations specialise: {spec}");
    assert!(specialisation(broken) > 0.5);
    assert!(sim_risk < 0.85 * symmetric_risk);
    assert!(
        (sim_risk - broken_risk).abs() <= SIGMAS * se + RISK_ALLOWANCE * broken_risk,
        "{sim_risk} +- {se} vs {broken_risk}"
    );
}

fn he3(p: usize, loss: &str, gamma0: f64, steps: u64) -> ResolvedConfig {
    config(&format!(
        r#"{{"d": 10000, "p": {p}, "k": 1, "target": "he3", "noise": 1e-6, "loss": "{loss}", "init": {{"kind": "m0", "m0": 0.3}}, "nb": 100, "lr": {{"policy": "fixed", "gamma0": {gamma0}, "delta": 0.5}}, "steps": {steps}, "sampler": "exact"}}"#
    ))
}

/// He_3 single index, p = k = 1, m0 = 0.3, d = 10^4, n_b = 100, gamma = 0.005 d^(-1/2), 16 seeds.
/// MSE: the noise term wins and the overlap decays (m = 0.3 -> 0.10 at t = 4000); correlation
/// loss: m rises to a noise-limited plateau m = 0.83 (t = 10^4). Tolerance: module
/// documentation. Without the noise term the recursion predicts learning to m ~ 1 and misses by
/// more than 20 x (MSE) and 10 x (correlation loss) the tolerance.
#[test]
fn he3_single_index_mean_follows_the_recursion() {
    let checkpoints = [200, 1000, 2000, 4000];
    let c = he3(1, "mse", 0.005, 4000);
    let cmp = compare(&c, 16, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks("He3 p = 1 MSE", &cmp, &checkpoints, 2, 20.0);
    assert!(cmp[0].theory[3][1] < 0.15 && cmp[1].theory[3][1] > 0.9);

    let checkpoints = [500, 2000, 4000, 10000];
    let c = he3(1, "correlation", 0.005, 10000);
    let cmp = compare(&c, 16, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks("He3 p = 1 correlation", &cmp, &checkpoints, 2, 10.0);
    assert!((0.75..0.9).contains(&cmp[0].theory[3][1]));
}

/// He_3 teacher, wide student p = 4 (k = 1), MSE, m0 = 0.3, d = 10^4, n_b = 100,
/// gamma = 0.01 d^(-1/2), 8 seeds, t <= 2 x 10^4 (learning: R = 3.59 -> 0.046). Tolerance:
/// module documentation. Without the noise term the recursion misses by more than 5 x the
/// tolerance.
#[test]
fn he3_wide_student_mean_follows_the_recursion() {
    let checkpoints = [1000, 4000, 10000, 20000];
    let c = he3(4, "mse", 0.01, 20000);
    let cmp = compare(&c, 8, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks("He3 p = 4 MSE", &cmp, &checkpoints, 3, 5.0);
}

/// Single runs concentrate on the recursion as d grows: erf committee in the Saad & Solla
/// scaling (n_b = floor(d^(1/2)), gamma = 8 d^(-1/2)) at d = 10^3, 10^4, 10^5, 16 seeds each,
/// compared at the same times gamma t = 8, 24, 80 (before specialisation). The root-mean-square
/// distance of single runs' risk and m from the recursion must shrink by at least 2 x per decade
/// of d (the expected rate is d^(-1/2), 3.2 x per decade), and the mean must track the recursion
/// within the tolerance of the module documentation at every d.
#[test]
fn single_runs_concentrate_on_the_recursion_as_d_grows() {
    let mut rms = Vec::new();
    for d in [1_000u64, 10_000, 100_000] {
        let c = erf_saad_solla(d, 10_000);
        let checkpoints: Vec<u64> = [8.0, 24.0, 80.0]
            .iter()
            .map(|tau: &f64| (tau / c.gamma_resolved).round() as u64)
            .collect();
        let cmp = compare(&c, 16, &checkpoints, &[Terms::ALL]);
        assert_tracks(
            &format!("erf Saad & Solla d = {d}"),
            &cmp,
            &checkpoints,
            3,
            0.0,
        );
        // worst over the three times of the rms distance, for R and m
        let worst = |a: usize| cmp[0].rms.iter().map(|r| r[a]).fold(0.0, f64::max);
        rms.push([worst(0), worst(1)]);
        println!(
            "d = {d}: rms distance R {:.2e}, m {:.2e}",
            worst(0),
            worst(1)
        );
    }
    for pair in rms.windows(2) {
        for a in 0..2 {
            let ratio = pair[0][a] / pair[1][a];
            assert!(
                ratio > 2.0,
                "{}: rms distance should shrink ~3.2 x per decade of d, got {ratio:.2}",
                NAMES[a]
            );
        }
    }
}

/// The mean-step term matters where it should: small d = 32 with a large batch n_b = 4096
/// (d / n_b << 1, so the noise term is small) and a large step. 32 seeds, t <= 5.
/// * erf, p = k = 1, m0 = 0.1, gamma = 1: with all terms the recursion tracks the simulation
///   mean (tolerance: module documentation); without the mean-step term it misses by more
///   than 10 x the tolerance (it overshoots m by 0.04-0.07).
/// * erf, p = k = 2, gamma = 2: without the mean-step term the recursion leaves the set of Gram
///   matrices (Omega not PSD) within 5 steps; with it, it tracks the simulations.
/// * He_3, p = k = 1, MSE, m0 = 0.3, gamma = 0.02: without the mean-step term, > 5 x.
///
/// The distances of both variants are printed.
#[test]
fn mean_step_term_moves_the_recursion_onto_the_simulations() {
    let checkpoints = [1, 2, 5];
    let small = |target: &str, p: usize, loss: &str, m0: f64, gamma: f64| {
        config(&format!(
            r#"{{"d": 32, "p": {p}, "k": {p}, "target": "{target}", "noise": 1e-6, "loss": "{loss}", "init": {{"kind": "m0", "m0": {m0}}}, "nb": 4096, "gamma": {gamma}, "steps": 5, "sampler": "exact"}}"#
        ))
    };
    let c = small("erf", 1, "mse", 0.1, 1.0);
    let cmp = compare(&c, 32, &checkpoints, &[Terms::ALL, NO_MEAN_STEP]);
    assert_tracks("erf p = 1, d = 32, gamma = 1", &cmp, &checkpoints, 2, 10.0);
    // quantified: Euclidean distance of (R, m) over the checkpoints
    let distance = |c: &Comparison| {
        c.difference
            .iter()
            .map(|d| d[0] * d[0] + d[1] * d[1])
            .sum::<f64>()
            .sqrt()
    };
    let (with, without) = (distance(&cmp[0]), distance(&cmp[1]));
    println!("erf p = 1: distance to the simulation mean {with:.2e} with, {without:.2e} without the mean-step term");
    assert!(without > 20.0 * with);

    let c = small("erf", 2, "mse", 0.1, 2.0);
    let cmp = compare(&c, 32, &checkpoints, &[Terms::ALL, NO_MEAN_STEP]);
    assert!(
        !cmp[1].completed,
        "without the mean-step term Omega leaves the PSD cone"
    );
    assert_tracks(
        "erf p = k = 2, d = 32, gamma = 2",
        &cmp,
        &checkpoints,
        3,
        1.0,
    );

    let c = small("he3", 1, "mse", 0.3, 0.02);
    let cmp = compare(&c, 32, &checkpoints, &[Terms::ALL, NO_MEAN_STEP]);
    assert_tracks(
        "He3 p = 1, d = 32, gamma = 0.02",
        &cmp,
        &checkpoints,
        2,
        5.0,
    );
}

/// Spherical SGD (the step projected on the tangent space before normalising): the spherical
/// recursion tracks the mean of spherical simulations, in the He_3 single-index setting above
/// (d = 10^4, n_b = 100, 16 seeds; without the noise term it misses by a wide margin again),
/// and in the mean-step setting (d = 32, n_b = 4096, erf, gamma = 1: the terms of order
/// gamma^2 matter), where the projected recursion misses the spherical simulations by more than
/// 5 x the distance of the spherical one.
#[test]
fn spherical_sgd_follows_the_spherical_recursion() {
    let spherical = |c: ResolvedConfig| {
        let mut input = c.input.clone();
        input.model.update = sgdlab::sampler::Update::Spherical;
        input.resolve().unwrap()
    };
    let checkpoints = [500, 2000, 4000, 10000];
    let c = spherical(he3(1, "correlation", 0.005, 10000));
    let cmp = compare(&c, 16, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks(
        "He3 p = 1 correlation, spherical",
        &cmp,
        &checkpoints,
        2,
        10.0,
    );

    let checkpoints = [1, 2, 5];
    let c = spherical(config(
        r#"{"d": 32, "p": 1, "k": 1, "target": "erf", "noise": 1e-6, "loss": "mse", "init": {"kind": "m0", "m0": 0.1}, "nb": 4096, "gamma": 1.0, "steps": 5, "sampler": "exact"}"#,
    ));
    let cmp = compare(&c, 32, &checkpoints, &[Terms::ALL]);
    assert_tracks(
        "erf p = 1, d = 32, gamma = 1, spherical",
        &cmp,
        &checkpoints,
        2,
        1.0,
    );
    // the projected recursion against the same spherical simulations
    let mut projected_config = c.input.clone();
    projected_config.model.update = sgdlab::sampler::Update::Projected;
    let projected_config = projected_config.resolve().unwrap();
    let mut squared = [0.0f64; 2];
    for seed in 0..32 {
        let sim = with_seed(&c, seed);
        let sims: Vec<[f64; 3]> = simulate(&sim, &checkpoints)
            .iter()
            .map(|o| observables(&sim, o))
            .collect();
        for (i, theory) in [&c, &projected_config].into_iter().enumerate() {
            let t = with_seed(theory, seed);
            let os = recursion(&t, Terms::ALL, &checkpoints).unwrap();
            for (s, o) in sims.iter().zip(&os) {
                let th = observables(&t, o);
                squared[i] += (s[0] - th[0]).powi(2) + (s[1] - th[1]).powi(2);
            }
        }
    }
    let (spherical_distance, projected_distance) = (squared[0].sqrt(), squared[1].sqrt());
    println!("spherical simulations: rms-sum distance {spherical_distance:.3e} to the spherical recursion, {projected_distance:.3e} to the projected one");
    assert!(projected_distance > 5.0 * spherical_distance);
}

/// A multi-index Hermite polynomial teacher (docs/science.md §11): g = He2(z1)/sqrt 2 + z1 z2
/// (normalised), k = 2, p = 2 He2/sqrt 2 units, MSE, m0 = 0.3, d = 10^4, n_b = 100,
/// gamma = 0.2 d^(-1/2), 8 seeds, t <= 4000: the exact Wick drift of the teacher polynomial
/// against the exact sampler (R = 1.06 -> 0.19). Without the noise term the recursion misses by
/// more than 5 x the tolerance (measured: 14.7 x).
#[test]
fn hermite_multi_index_mean_follows_the_recursion() {
    let c = config(
        r#"{"d": 10000, "p": 2, "k": 2, "target": {"hermite": [[1, [2, 0]], [1, [1, 1]]], "normalised": true}, "activation": "he2n", "noise": 1e-6, "loss": "mse", "init": {"kind": "m0", "m0": 0.3}, "nb": 100, "lr": {"policy": "fixed", "gamma0": 0.2, "delta": 0.5}, "steps": 4000, "sampler": "exact"}"#,
    );
    let checkpoints = [250, 1000, 2000, 4000];
    let cmp = compare(&c, 8, &checkpoints, &[Terms::ALL, NO_NOISE]);
    assert_tracks("Hermite z1 z2 + He2(z1), p = 2", &cmp, &checkpoints, 3, 5.0);
}
