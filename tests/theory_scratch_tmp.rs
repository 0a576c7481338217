mod theory_support;
use nalgebra::DMatrix;
use sgdlab::model::{Link, Loss, Overlaps, Target, AdaptiveSchedule};
use sgdlab::theory::{run_overlap_recursion, RecursionSettings, Terms};
use sgdlab::theory::gaussian_expectations::NumericalSettings;
#[test]
fn scratch() {
  for d in [256u64, 1024, 4096] {
   for c in [0.032, 0.1, 0.5] {
    let nb = (d as f64).powf(1.85).floor() as u64;
    let gamma = c * nb as f64 * (d as f64).powf(-1.5);
    let m0 = 1.0 / (d as f64).sqrt();
    let o = Overlaps::new(DMatrix::identity(1,1), DMatrix::from_element(1,1,m0)).unwrap();
    for loss in [Loss::Mse, Loss::Correlation, Loss::Adaptive] {
        let s = RecursionSettings { target: Target::Committee(Link::HE3), activation: Link::HE3, noise: 1e-6, dimension: d, batch_size: nb, learning_rate: gamma, loss, adaptive: AdaptiveSchedule::default(), terms: Terms::ALL, projected: true, steps: 100, eta: 0.5, trajectory_capacity: 64, numerics: NumericalSettings::default() };
        let run = run_overlap_recursion(&o, &s).unwrap();
        let tr = &run.trajectory;
        println!("d={d} c={c} gamma={gamma:.3} {loss:?}: R0={:.4} R10={:.4} R50={:.3e} Rend={:.3e} m={:.4} switch={:?} div={:?}", tr.risk[0], tr.risk[10], tr.risk[tr.steps.iter().position(|&x| x>=50).unwrap()], tr.risk.last().unwrap(), run.final_overlaps.m[(0,0)], run.switch_step, run.divergence);
    }
   }
  }
}
