//! The per-sample coefficient shared by every sampler:
//! c_j = (gamma / (n_b p)) a_j sigma'(lambda_j) e, a_j = 1, with
//! y = g(lambda*) + sqrt(Delta) xi and e = y - f (MSE) or e = y (correlation),
//! f = (1/p) sum_j sigma(lambda_j).

use super::StepSettings;
use crate::model::StepLoss;

/// Writes c_j for one sample into `coefficients` (length p), given the student fields
/// `student` (length p), teacher fields `teacher` (length k) and the label-noise draw `xi`.
/// `scale` is gamma / (n_b p).
#[inline]
pub fn per_sample_coefficients(
    settings: &StepSettings,
    scale: f64,
    student: &[f64],
    teacher: &[f64],
    xi: f64,
    coefficients: &mut [f64],
) {
    let y = settings.target.value(teacher) + settings.noise_sd * xi;
    match settings.step_loss {
        StepLoss::Correlation => {
            let factor = scale * y;
            for (c, &z) in coefficients.iter_mut().zip(student) {
                *c = factor * settings.activation.derivative(z);
            }
        }
        StepLoss::Mse => {
            let mut f = 0.0;
            for (c, &z) in coefficients.iter_mut().zip(student) {
                let (value, derivative) = settings.activation.value_and_derivative(z);
                f += value;
                *c = derivative;
            }
            let factor = scale * (y - f / student.len() as f64);
            for c in coefficients.iter_mut() {
                *c *= factor;
            }
        }
    }
}
