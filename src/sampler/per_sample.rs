//! The per-sample coefficient shared by every sampler:
//! c_j = (gamma / (n_b p)) a_j sigma'(lambda_j) e, a_j the second layer (a0 = 1 by default),
//! with y = g(lambda*) + sqrt(Delta) xi and e = y - f (MSE) or e = y (correlation),
//! f = (1/p) sum_j a_j sigma(lambda_j); with a trained second layer also
//! b_j = sigma(lambda_j) (y - f), the sample's term of the second layer's step.
//!
//! One implementation, [`CoefficientKernel::coefficients`], generic over the lane type
//! (one sample as `f64`, or all lanes at once) and over the link kernels chosen once per batch.

use super::{SecondLayerWeights, StepSettings};
use crate::model::link_lanes::{with_kernels, LinkKernel, TargetKernel, WithKernels};
use crate::model::StepLoss;
use crate::random::lanes::Lane;

/// The coefficient formula of one batch, with its links already chosen.
#[derive(Clone, Copy, Debug)]
pub struct CoefficientKernel<A, T> {
    activation: A,
    target: T,
    mse: bool,
    scale: f64,
    noise_sd: f64,
    a0: f64,
    /// The per-unit a_j when the second layer is trained (`None`: every a_j = a0).
    trained: Option<SecondLayerWeights>,
}

impl<A: LinkKernel, T: TargetKernel> CoefficientKernel<A, T> {
    /// The formula for `settings` with the kernels of its activation and target; `scale` is
    /// gamma / (n_b p) and `second_layer` the current a_j (read only when
    /// [`StepSettings::second_layer_trained`]; a fixed second layer is a_j = a0).
    pub fn new(
        settings: &StepSettings,
        scale: f64,
        second_layer: &SecondLayerWeights,
        activation: A,
        target: T,
    ) -> Self {
        CoefficientKernel {
            activation,
            target,
            mse: settings.step_loss == StepLoss::Mse,
            scale,
            noise_sd: settings.noise_sd,
            a0: settings.a0,
            trained: settings.second_layer_trained().then_some(*second_layer),
        }
    }

    /// How many numbers [`Self::coefficients`] writes per sample for p students: p, or 2 p
    /// with a trained second layer (c_j, then b_j).
    pub fn outputs(&self, p: usize) -> usize {
        if self.trained.is_some() {
            2 * p
        } else {
            p
        }
    }

    /// Writes c_j (length p) for the student fields `student` (length p), teacher fields
    /// `teacher` (length k) and label-noise draw `xi`, lane-wise: y = g + sqrt(Delta) xi;
    /// MSE: f = sum_j sigma(lambda_j) (summed from 0 in j order), c_j = sigma'(lambda_j)
    /// ((scale a0) (y - (a0 f) / p)); correlation: c_j = ((scale a0) y) sigma'(lambda_j). With
    /// a0 = 1 the products by a0 are exact, so the numbers are those without a second layer.
    ///
    /// Trained second layer (`out` has length 2 p): f = sum_j a_j sigma(lambda_j), e = y - f / p,
    /// c_j = sigma'(lambda_j) ((scale a_j) e) (MSE) or sigma'(lambda_j) ((scale a_j) y)
    /// (correlation), and b_j = sigma(lambda_j) e in `out[p + j]`.
    #[inline(always)]
    pub fn coefficients<V: Lane>(&self, student: &[V], teacher: &[V], xi: V, out: &mut [V]) {
        let y = self.target.value(teacher) + V::splat(self.noise_sd) * xi;
        if let Some(a) = &self.trained {
            let p = student.len();
            let (c, b) = out.split_at_mut(p);
            let mut f = V::splat(0.0);
            for (j, &z) in student.iter().enumerate() {
                let (value, derivative) = self.activation.value_and_derivative(z);
                f = f + V::splat(a.get(j)) * value;
                c[j] = derivative;
                b[j] = value;
            }
            let e = y - f / V::splat(p as f64);
            let first_layer_error = if self.mse { e } else { y };
            for j in 0..p {
                c[j] = c[j] * (V::splat(self.scale * a.get(j)) * first_layer_error);
                b[j] = b[j] * e;
            }
            return;
        }
        let scale = V::splat(self.scale * self.a0);
        if self.mse {
            let mut f = V::splat(0.0);
            for (c, &z) in out.iter_mut().zip(student) {
                let (value, derivative) = self.activation.value_and_derivative(z);
                f = f + value;
                *c = derivative;
            }
            let f = V::splat(self.a0) * f;
            let factor = scale * (y - f / V::splat(student.len() as f64));
            for c in out.iter_mut() {
                *c = *c * factor;
            }
        } else {
            let factor = scale * y;
            for (c, &z) in out.iter_mut().zip(student) {
                *c = factor * self.activation.derivative(z);
            }
        }
    }
}

/// Writes c_j for one sample into `coefficients` (length p; 2 p with a trained second layer,
/// b_j after the c_j), given the student fields `student` (length p), teacher fields `teacher`
/// (length k), the label-noise draw `xi` and the second layer `second_layer`. `scale` is
/// gamma / (n_b p). (One sample: the links are matched at every call; the exact sampler
/// matches once per batch and runs [`CoefficientKernel`] directly.)
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn per_sample_coefficients(
    settings: &StepSettings,
    scale: f64,
    second_layer: &SecondLayerWeights,
    student: &[f64],
    teacher: &[f64],
    xi: f64,
    coefficients: &mut [f64],
) {
    struct One<'a> {
        settings: &'a StepSettings,
        scale: f64,
        second_layer: &'a SecondLayerWeights,
        student: &'a [f64],
        teacher: &'a [f64],
        xi: f64,
        out: &'a mut [f64],
    }
    impl WithKernels for One<'_> {
        type Output = ();
        fn run<A: LinkKernel, T: TargetKernel>(self, activation: A, target: T) {
            CoefficientKernel::new(
                self.settings,
                self.scale,
                self.second_layer,
                activation,
                target,
            )
            .coefficients(self.student, self.teacher, self.xi, self.out);
        }
    }
    let job = One {
        settings,
        scale,
        second_layer,
        student,
        teacher,
        xi,
        out: coefficients,
    };
    with_kernels(settings.activation, settings.target, job);
}
