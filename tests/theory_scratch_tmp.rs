mod theory_support;
use nalgebra::DMatrix;
use sgdlab::model::{Link, Loss, Overlaps, Target, AdaptiveSchedule};
use sgdlab::theory::{run_overlap_recursion, RecursionSettings, Terms};
use sgdlab::theory::gaussian_expectations::NumericalSettings;
#[test]
fn scratch() {
    let o = Overlaps::new(DMatrix::identity(1,1), DMatrix::from_element(1,1,0.2)).unwrap();
    for t_total in [0.1, 0.2, 2.0] {
    for nb in [1024u64, 1<<20] {
    for gamma in [0.004, 0.002, 0.001, 0.0005] {
        let steps = (t_total / gamma as f64).round() as u64;
        let mut s = RecursionSettings { target: Target::Committee(Link::HE3), activation: Link::HE3, noise: 1e-6, dimension: 1024, batch_size: nb, learning_rate: gamma, loss: Loss::Correlation, adaptive: AdaptiveSchedule::default(), terms: Terms::ALL, projected: true, steps, eta: 0.5, trajectory_capacity: 64, numerics: NumericalSettings::default() };
        let on = run_overlap_recursion(&o, &s).unwrap().final_overlaps.m[(0,0)];
        s.terms.mean_step = false;
        let off = run_overlap_recursion(&o, &s).unwrap().final_overlaps.m[(0,0)];
        println!("T={t_total} nb={nb} gamma={gamma}: on {on:.6} off {off:.6} diff {:.4e}", on-off);
    }}}
    let o = Overlaps::new(DMatrix::identity(1,1), DMatrix::from_element(1,1,0.1)).unwrap();
    for (nb, gamma) in [(8192u64, 0.005), (1024, 0.005), (8192, 0.02)] {
        let s = RecursionSettings { target: Target::Committee(Link::HE3), activation: Link::HE3, noise: 1e-6, dimension: 1024, batch_size: nb, learning_rate: gamma, loss: Loss::Correlation, adaptive: AdaptiveSchedule::default(), terms: Terms::ALL, projected: true, steps: 2000, eta: 0.5, trajectory_capacity: 64, numerics: NumericalSettings::default() };
        let r = run_overlap_recursion(&o, &s).unwrap();
        println!("nb {nb} gamma {gamma}: m_end {} wr {:?}", r.final_overlaps.m[(0,0)], r.trajectory.weak_recovery_step);
    }
}
