//! Exact Gaussian moments E[z^a] = E[z_0^a_0 ... z_{n-1}^a_{n-1}] for z ~ N(0, C), by the
//! Isserlis/Wick theorem in its recursive (Stein) form:
//!
//! ```text
//! E[z_i z^b] = sum_j C_ij b_j E[z^(b - e_j)],
//! ```
//!
//! applied with i = the first field of a = b + e_i. Odd moments vanish. The recursion only
//! ever lowers exponents of fields already present, so the moments needed by a polynomial
//! integrand close over a small set that is computed once ([`GaussianMomentPlan::new`]);
//! evaluating the plan for a new covariance is then a fixed sequence of multiply-adds, with no
//! per-degree formula anywhere. This is what makes the He_l theory exact for any degree l and
//! fast enough to be called at every step of a simulation.

use super::polynomial::{FieldPolynomial, Monomial, MAX_POLYNOMIAL_FIELDS};
use nalgebra::DMatrix;
use std::collections::HashMap;

/// One dependency of a moment: C[pivot][field] * multiplicity * moments[source].
#[derive(Clone, Copy, Debug, PartialEq)]
struct Dependency {
    field: u32,
    multiplicity: f64,
    source: u32,
}

/// The closed set of even moments needed for some polynomials, in evaluation order (by
/// degree), with the Isserlis recursion of each one.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMomentPlan {
    fields: usize,
    monomials: Vec<Monomial>,
    index: HashMap<Monomial, usize>,
    pivots: Vec<u32>,
    dependency_start: Vec<u32>,
    dependencies: Vec<Dependency>,
}

impl GaussianMomentPlan {
    /// The plan computing E[z^a] for every even-degree monomial in `needed` (odd ones are 0
    /// and are skipped) and everything their recursion needs. `fields` is n (at most
    /// [`MAX_POLYNOMIAL_FIELDS`]; monomials must not use fields >= n).
    pub fn new(fields: usize, needed: impl IntoIterator<Item = Monomial>) -> Self {
        let fields = fields.min(MAX_POLYNOMIAL_FIELDS);
        let mut seen: HashMap<Monomial, ()> = HashMap::new();
        let mut stack: Vec<Monomial> = needed.into_iter().filter(|m| m.degree() % 2 == 0).collect();
        stack.push(Monomial::ONE);
        while let Some(a) = stack.pop() {
            if seen.insert(a, ()).is_some() {
                continue;
            }
            if let Some(i) = a.first_field() {
                let b = a.lowered(i);
                for j in 0..fields {
                    if b.exponent(j) > 0 {
                        stack.push(b.lowered(j));
                    }
                }
            }
        }
        let mut monomials: Vec<Monomial> = seen.into_keys().collect();
        monomials.sort_by_key(|m| (m.degree(), *m));
        let index: HashMap<Monomial, usize> =
            monomials.iter().enumerate().map(|(k, &m)| (m, k)).collect();
        let mut pivots = Vec::with_capacity(monomials.len());
        let mut dependency_start = Vec::with_capacity(monomials.len() + 1);
        let mut dependencies = Vec::new();
        for &a in &monomials {
            dependency_start.push(dependencies.len() as u32);
            match a.first_field() {
                None => pivots.push(0),
                Some(i) => {
                    pivots.push(i as u32);
                    let b = a.lowered(i);
                    for j in 0..fields {
                        let bj = b.exponent(j);
                        if bj > 0 {
                            dependencies.push(Dependency {
                                field: j as u32,
                                multiplicity: bj as f64,
                                source: index[&b.lowered(j)] as u32,
                            });
                        }
                    }
                }
            }
        }
        dependency_start.push(dependencies.len() as u32);
        GaussianMomentPlan {
            fields,
            monomials,
            index,
            pivots,
            dependency_start,
            dependencies,
        }
    }

    /// Number of fields n.
    pub fn fields(&self) -> usize {
        self.fields
    }

    /// Number of moments computed per evaluation.
    pub fn len(&self) -> usize {
        self.monomials.len()
    }

    /// true when only the constant moment is planned.
    pub fn is_empty(&self) -> bool {
        self.monomials.len() <= 1
    }

    /// Position of E[z^a] in the evaluated moment vector (`None` for odd or unplanned
    /// monomials).
    pub fn index_of(&self, monomial: Monomial) -> Option<usize> {
        self.index.get(&monomial).copied()
    }

    /// Evaluates every planned moment for the covariance given row-major in `covariance`
    /// (n x n entries), writing them into `moments` (resized to [`Self::len`]).
    pub fn evaluate(&self, covariance: &[f64], moments: &mut Vec<f64>) {
        let n = self.fields;
        moments.clear();
        moments.resize(self.monomials.len(), 0.0);
        for k in 0..self.monomials.len() {
            let start = self.dependency_start[k] as usize;
            let end = self.dependency_start[k + 1] as usize;
            if start == end {
                // the constant monomial (only the constant has no dependency)
                moments[k] = if self.monomials[k] == Monomial::ONE {
                    1.0
                } else {
                    0.0
                };
                continue;
            }
            let row = self.pivots[k] as usize * n;
            let mut acc = 0.0;
            for d in &self.dependencies[start..end] {
                acc += covariance[row + d.field as usize]
                    * d.multiplicity
                    * moments[d.source as usize];
            }
            moments[k] = acc;
        }
    }
}

/// A polynomial's expectation as a fixed linear functional of the planned moments:
/// E[P(z)] = sum_a c_a E[z^a] (odd monomials dropped).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompiledExpectation {
    terms: Vec<(u32, f64)>,
}

impl CompiledExpectation {
    /// Compiles `polynomial` against `plan`, which must have been built with (at least) the
    /// polynomial's monomials; an unplanned even monomial gives `None`.
    pub fn new(plan: &GaussianMomentPlan, polynomial: &FieldPolynomial) -> Option<Self> {
        let mut terms = Vec::new();
        for (m, c) in polynomial.terms() {
            if m.degree() % 2 == 1 {
                continue;
            }
            terms.push((plan.index_of(m)? as u32, c));
        }
        Some(CompiledExpectation { terms })
    }

    /// sum_a c_a moments[index(a)].
    #[inline]
    pub fn evaluate(&self, moments: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|&(k, c)| c * moments[k as usize])
            .sum()
    }
}

/// E[P(z)] for z ~ N(0, C) (C given as an n x n matrix, not validated here), by planning and
/// evaluating the moments of P's monomials once.
pub fn polynomial_expectation(polynomial: &FieldPolynomial, covariance: &DMatrix<f64>) -> f64 {
    let n = covariance.nrows();
    let plan = GaussianMomentPlan::new(n, polynomial.terms().map(|(m, _)| m));
    let row_major: Vec<f64> = (0..n * n).map(|k| covariance[(k / n, k % n)]).collect();
    let mut moments = Vec::new();
    plan.evaluate(&row_major, &mut moments);
    CompiledExpectation::new(&plan, polynomial)
        .map(|e| e.evaluate(&moments))
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isserlis_four_point_function() {
        // E[z0 z1 z2 z3] = C01 C23 + C02 C13 + C03 C12
        let c = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.3, 0.2, 0.1, 0.3, 1.5, 0.4, -0.2, 0.2, 0.4, 2.0, 0.5, 0.1, -0.2, 0.5, 1.0,
            ],
        );
        let mut p = FieldPolynomial::constant(1.0);
        for i in 0..4 {
            p = p
                .times(&FieldPolynomial::univariate(i, &[0.0, 1.0]).unwrap())
                .unwrap();
        }
        let expect = 0.3 * 0.5 + 0.2 * -0.2 + 0.1 * 0.4;
        assert!((polynomial_expectation(&p, &c) - expect).abs() < 1e-15);
    }

    #[test]
    fn univariate_moments_are_double_factorials() {
        let c = DMatrix::from_element(1, 1, 2.0);
        for k in 0..10u32 {
            let p = FieldPolynomial::univariate(0, &{
                let mut v = vec![0.0; 2 * k as usize + 1];
                v[2 * k as usize] = 1.0;
                v
            })
            .unwrap();
            let double_factorial: f64 = (1..=k).map(|i| (2 * i - 1) as f64).product();
            let expect = double_factorial * 2f64.powi(k as i32);
            assert!((polynomial_expectation(&p, &c) / expect - 1.0).abs() < 1e-13);
        }
    }
}
