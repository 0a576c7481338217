//! A function applied to one Gaussian local field: a link's value s(z), its derivative
//! s'(z), or the field itself z. Products of these are the integrands of docs/science.md
//! section 6 (I2 = E[s(a) s(b)], I3 = E[s'(a) b s(c)], I4 = E[s'(a) s'(b) s(c) s(d)],
//! I2noise = E[s'(a) s'(b)]).

use crate::model::Link;
use serde::{Deserialize, Serialize};

/// One factor of a product integrand, as a function of a single field z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldFunction {
    /// s(z) for a link s.
    Value(Link),
    /// s'(z) for a link s.
    Derivative(Link),
    /// z itself.
    Identity,
}

impl FieldFunction {
    /// The factor evaluated at z.
    #[inline]
    pub fn evaluate(&self, z: f64) -> f64 {
        match self {
            FieldFunction::Value(link) => link.value(z),
            FieldFunction::Derivative(link) => link.derivative(z),
            FieldFunction::Identity => z,
        }
    }

    /// Monomial coefficients c_0..c_n (factor = sum_i c_i z^i) when the factor is a
    /// polynomial: Hermite links, their derivatives (d/dz sum c_i z^i = sum i c_i z^(i-1)) and
    /// the identity ([0, 1]); `None` otherwise.
    pub fn polynomial_coefficients(&self) -> Option<Vec<f64>> {
        match self {
            FieldFunction::Identity => Some(vec![0.0, 1.0]),
            FieldFunction::Value(link) => link.polynomial_coefficients(),
            FieldFunction::Derivative(link) => {
                let c = link.polynomial_coefficients()?;
                if c.len() <= 1 {
                    return Some(vec![0.0]);
                }
                Some(
                    c.iter()
                        .enumerate()
                        .skip(1)
                        .map(|(i, ci)| i as f64 * ci)
                        .collect(),
                )
            }
        }
    }

    /// true when the factor is analytic (Gauss-Hermite quadrature converges fast): everything
    /// except ReLU and its step-function derivative.
    pub fn is_smooth(&self) -> bool {
        !matches!(
            self,
            FieldFunction::Value(Link::Relu) | FieldFunction::Derivative(Link::Relu)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomial_coefficients_of_he3_and_its_derivative() {
        let v = FieldFunction::Value(Link::HE3)
            .polynomial_coefficients()
            .unwrap();
        assert_eq!(v, vec![0.0, -3.0, 0.0, 1.0]);
        let d = FieldFunction::Derivative(Link::HE3)
            .polynomial_coefficients()
            .unwrap();
        assert_eq!(d, vec![-3.0, 0.0, 3.0]);
        assert!(FieldFunction::Value(Link::Erf)
            .polynomial_coefficients()
            .is_none());
        assert!(!FieldFunction::Derivative(Link::Relu).is_smooth());
        assert!(FieldFunction::Value(Link::Tanh).is_smooth());
    }
}
