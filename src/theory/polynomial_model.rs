//! Exact risk and drift terms for polynomial links (He_l of any degree, normalised or not):
//! the integrands are expanded once into polynomials of the r = p + k local fields
//! (z_j = lambda_j for j < p, z_{p+r} = lambda*_r),
//!
//! ```text
//! f = (1/p) sum_j sigma(z_j),  g = (1/k) sum_r g1(z_{p+r})  (a committee)
//!     or g = sum_t c_t prod_r He_{a_tr}(z_{p+r})          (a Hermite polynomial teacher),
//! e = g - f (MSE) or g,
//! E[(g - f)^2],  psi_jr = E[sigma'(z_j) z_{p+r} e],  phiGF_jl = E[sigma'(z_j) z_l e],
//! phiHD_jl = E[sigma'(z_j) sigma'(z_l) e^2] + Delta E[sigma'(z_j) sigma'(z_l)],
//! ```
//!
//! and every monomial's Gaussian moment is planned once ([`GaussianMomentPlan`]). Evaluating
//! for new overlaps runs the plan on Omega and takes fixed linear combinations: a few
//! microseconds for He_3 with p = 4.

use super::drift_matrices::DriftTerms;
use super::gaussian_expectations::{
    CompiledExpectation, FieldFunction, FieldPolynomial, GaussianMomentPlan, Method,
};
use crate::model::hermite::hermite_monomial_coefficients;
use crate::model::{HermitePolynomial, Link, StepLoss, Target};
use nalgebra::DMatrix;

/// The polynomials sigma'(z_j), g(z*) and f(z) of one committee model, in the fields
/// z_0..z_{p-1} (student) and z_p..z_{p+k-1} (teacher). Also used by the large-batch sampler
/// for its exact per-sample moments.
pub(crate) struct CommitteePolynomials {
    /// sigma'(z_j), j < p.
    pub(crate) derivative: Vec<FieldPolynomial>,
    /// g = (1/k) sum_r g1(z_{p+r}).
    pub(crate) teacher: FieldPolynomial,
    /// f = (1/p) sum_j sigma(z_j).
    pub(crate) student: FieldPolynomial,
}

impl CommitteePolynomials {
    /// `None` if a link is not a polynomial or p + k > 16.
    pub(crate) fn new(link: Link, activation: Link, p: usize, k: usize) -> Option<Self> {
        let sigma = FieldFunction::Value(activation).polynomial_coefficients()?;
        let sigma_prime = FieldFunction::Derivative(activation).polynomial_coefficients()?;
        let g1 = FieldFunction::Value(link).polynomial_coefficients()?;
        Self::from_coefficients(&sigma, &sigma_prime, &g1, p, k)
    }

    /// The committee of the univariate polynomials with monomial coefficients `sigma`
    /// (student), `sigma_prime` (its derivative) and `g1` (teacher link); `None` if p + k > 16
    /// or a degree exceeds 255. Used with truncated Hermite expansions of smooth links
    /// (module `hermite_expansion`).
    pub(crate) fn from_coefficients(
        sigma: &[f64],
        sigma_prime: &[f64],
        g1: &[f64],
        p: usize,
        k: usize,
    ) -> Option<Self> {
        if p + k > super::gaussian_expectations::MAX_POLYNOMIAL_FIELDS {
            return None;
        }
        let mut student = FieldPolynomial::zero();
        let mut derivative = Vec::with_capacity(p);
        for j in 0..p {
            student.add_scaled(&FieldPolynomial::univariate(j, sigma)?, 1.0 / p as f64);
            derivative.push(FieldPolynomial::univariate(j, sigma_prime)?);
        }
        let mut teacher = FieldPolynomial::zero();
        for r in 0..k {
            teacher.add_scaled(&FieldPolynomial::univariate(p + r, g1)?, 1.0 / k as f64);
        }
        Some(CommitteePolynomials {
            derivative,
            teacher,
            student,
        })
    }

    /// The polynomials of `target` (a polynomial committee or a Hermite polynomial) with the
    /// student `activation`; `None` if something is not a polynomial or p + k > 16.
    pub(crate) fn for_target(target: Target, activation: Link, p: usize, k: usize) -> Option<Self> {
        match target {
            Target::Committee(link) => Self::new(link, activation, p, k),
            Target::TanhProduct => None,
            Target::Hermite(h) => {
                let mut polys = Self::new(activation, activation, p, k)?;
                polys.teacher = hermite_teacher(h, p)?;
                Some(polys)
            }
        }
    }

    /// The same polynomials for a second layer of uniform weight `a0`: f -> a0 f and
    /// sigma'(z_j) -> a0 sigma'(z_j) (the step of every unit carries a0). Unchanged at a0 = 1.
    pub(crate) fn with_second_layer(mut self, a0: f64) -> Self {
        if a0 != 1.0 {
            let scaled = |x: &FieldPolynomial| {
                let mut out = FieldPolynomial::zero();
                out.add_scaled(x, a0);
                out
            };
            self.student = scaled(&self.student);
            for d in &mut self.derivative {
                *d = scaled(d);
            }
        }
        self
    }

    /// g - f.
    fn residual(&self) -> FieldPolynomial {
        let mut e = self.teacher.clone();
        e.add_scaled(&self.student, -1.0);
        e
    }

    /// The noiseless error term of `step_loss`: g - f (MSE) or g (correlation loss).
    pub(crate) fn error_term(&self, step_loss: StepLoss) -> FieldPolynomial {
        match step_loss {
            StepLoss::Mse => self.residual(),
            StepLoss::Correlation => self.teacher.clone(),
        }
    }
}

/// sum_t c_t prod_r He_{a_tr}(z_{p+r}) (c_t scaled as the teacher uses it) as a polynomial of
/// the fields, the teacher's fields starting at index `p`.
fn hermite_teacher(h: &HermitePolynomial, p: usize) -> Option<FieldPolynomial> {
    let mut teacher = FieldPolynomial::zero();
    for (term, &c) in h.terms().iter().zip(h.scaled_coefficients()) {
        let mut product = FieldPolynomial::constant(c);
        for (r, &a) in term.degrees.iter().enumerate() {
            if a >= 1 {
                let he = FieldPolynomial::univariate(p + r, &hermite_monomial_coefficients(a))?;
                product = product.times(&he)?;
            }
        }
        teacher.add_scaled(&product, 1.0);
    }
    Some(teacher)
}

fn field(index: usize) -> Option<FieldPolynomial> {
    FieldPolynomial::univariate(index, &[0.0, 1.0])
}

/// Compiles polynomials against one plan built from all their monomials.
pub(crate) fn compile_all(
    fields: usize,
    polynomials: &[FieldPolynomial],
) -> Option<(GaussianMomentPlan, Vec<CompiledExpectation>)> {
    let plan = GaussianMomentPlan::new(
        fields,
        polynomials.iter().flat_map(|p| p.terms().map(|(m, _)| m)),
    );
    let compiled = polynomials
        .iter()
        .map(|p| CompiledExpectation::new(&plan, p))
        .collect::<Option<Vec<_>>>()?;
    Some((plan, compiled))
}

/// E[(g - f)^2] as a compiled Wick plan.
#[derive(Clone, Debug)]
pub struct PolynomialRisk {
    plan: GaussianMomentPlan,
    squared_error: CompiledExpectation,
}

impl PolynomialRisk {
    /// For a polynomial teacher (a committee of a Hermite link or a Hermite polynomial) and a
    /// polynomial activation; `None` otherwise or if p + k > 16.
    pub fn compile(target: Target, activation: Link, p: usize, k: usize) -> Option<Self> {
        Self::compile_polynomials(
            &CommitteePolynomials::for_target(target, activation, p, k)?,
            p,
            k,
        )
    }

    /// The plan for given committee polynomials of p students and k teachers.
    pub(crate) fn compile_polynomials(
        polys: &CommitteePolynomials,
        p: usize,
        k: usize,
    ) -> Option<Self> {
        let e = polys.residual();
        let (plan, mut compiled) = compile_all(p + k, &[e.times(&e)?])?;
        Some(PolynomialRisk {
            plan,
            squared_error: compiled.pop()?,
        })
    }

    /// E[(g - f)^2] for the (symmetric) Omega.
    pub fn evaluate(&self, omega: &DMatrix<f64>) -> f64 {
        let mut moments = Vec::new();
        // Omega is symmetric, so its column-major storage is also row-major
        self.plan.evaluate(omega.as_slice(), &mut moments);
        self.squared_error.evaluate(&moments)
    }
}

/// psi, phiGF, phiHD and the noise Gram E[sigma'_j sigma'_l] as compiled Wick plans.
#[derive(Clone, Debug)]
pub struct PolynomialDrift {
    p: usize,
    k: usize,
    plan: GaussianMomentPlan,
    /// p k entries (row-major psi), then p p (row-major phiGF), then p(p+1)/2 phiHD entries
    /// (j <= l), then p(p+1)/2 derivative-Gram entries.
    outputs: Vec<CompiledExpectation>,
}

impl PolynomialDrift {
    /// For a polynomial teacher (a committee of a Hermite link or a Hermite polynomial) and a
    /// polynomial activation; `None` otherwise or if p + k > 16.
    pub fn compile(
        target: Target,
        activation: Link,
        step_loss: StepLoss,
        p: usize,
        k: usize,
    ) -> Option<Self> {
        let polys = CommitteePolynomials::for_target(target, activation, p, k)?;
        Self::compile_polynomials(&polys, step_loss, p, k)
    }

    /// The plan for given committee polynomials of p students and k teachers.
    pub(crate) fn compile_polynomials(
        polys: &CommitteePolynomials,
        step_loss: StepLoss,
        p: usize,
        k: usize,
    ) -> Option<Self> {
        let e = polys.error_term(step_loss);
        let e2 = e.times(&e)?;
        let mut polynomials = Vec::new();
        for j in 0..p {
            let de = polys.derivative[j].times(&e)?;
            for r in 0..k {
                polynomials.push(de.times(&field(p + r)?)?);
            }
        }
        for j in 0..p {
            let de = polys.derivative[j].times(&e)?;
            for l in 0..p {
                polynomials.push(de.times(&field(l)?)?);
            }
        }
        let mut grams = Vec::new();
        for j in 0..p {
            for l in j..p {
                let gram = polys.derivative[j].times(&polys.derivative[l])?;
                polynomials.push(gram.times(&e2)?);
                grams.push(gram);
            }
        }
        polynomials.extend(grams);
        let (plan, outputs) = compile_all(p + k, &polynomials)?;
        Some(PolynomialDrift {
            p,
            k,
            plan,
            outputs,
        })
    }

    /// The drift terms for the (symmetric) Omega and noise variance Delta.
    pub fn evaluate(&self, omega: &DMatrix<f64>, noise: f64) -> DriftTerms {
        let (p, k) = (self.p, self.k);
        let mut moments = Vec::new();
        self.plan.evaluate(omega.as_slice(), &mut moments);
        let mut out = self.outputs.iter().map(|c| c.evaluate(&moments));
        let psi = DMatrix::from_row_iterator(p, k, out.by_ref().take(p * k));
        let phi_gf = DMatrix::from_row_iterator(p, p, out.by_ref().take(p * p));
        let pairs = p * (p + 1) / 2;
        let hd: Vec<f64> = out.by_ref().take(pairs).collect();
        let gram: Vec<f64> = out.collect();
        let mut phi_hd = DMatrix::zeros(p, p);
        let mut idx = 0;
        for j in 0..p {
            for l in j..p {
                let v = hd[idx] + noise * gram[idx];
                phi_hd[(j, l)] = v;
                phi_hd[(l, j)] = v;
                idx += 1;
            }
        }
        DriftTerms {
            psi,
            phi_gf,
            phi_hd,
            method: Method::ExactPolynomial,
        }
    }
}
