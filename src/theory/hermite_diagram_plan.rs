//! The risk and the drift terms of a committee of Hermite series, compiled once into a list of
//! diagram sums (module `hermite_diagrams`) over at most four distinct fields.
//!
//! Fields: lambda_j = index j < p, lambda*_r = index p + r. The committee decomposition of
//! docs/science.md §6 (module `committee_decomposition`) writes every quantity as a sum of
//! elementary expectations E[prod_i F_i(u_{f_i})] with F_i in {sigma, sigma', g1, z}:
//!
//! ```text
//! E[(g - f)^2] = (1/k^2) sum_rs E[g1_r g1_s] - (2/(p k)) sum_jr E[sigma_j g1_r] + (1/p^2) sum_jl E[sigma_j sigma_l]
//! psi_jr   = (1/k) sum_s E[sigma'_j z*_r g1_s] - [MSE] (1/p) sum_m E[sigma'_j z*_r sigma_m]
//! phiGF_jl = (1/k) sum_s E[sigma'_j z_l g1_s]  - [MSE] (1/p) sum_m E[sigma'_j z_l sigma_m]
//! phiHD_jl = (1/k^2) sum_st E[sigma'_j sigma'_l g1_s g1_t] - [MSE] (2/(p k)) sum_sm E[sigma'_j sigma'_l g1_s sigma_m]
//!          + [MSE] (1/p^2) sum_mn E[sigma'_j sigma'_l sigma_m sigma_n]  (+ Delta E[sigma'_j sigma'_l]).
//! ```
//!
//! Each product is canonicalised when the plan is compiled: the factors on one field form one
//! vertex whose Hermite series the caller supplies per multiset of factors ([`VertexSeries`];
//! shared by every product that uses it), the fields are sorted, and equal products are
//! evaluated once and scattered to every output that uses them. The committee
//! (module `hermite_committee`) supplies the truncated expansion of the exact product function
//! (e.g. of sigma'(z)^2 sigma(z)), not the product of truncated series: products of truncated
//! series of tanh diverge in L^4 as the degree grows (E[(sigma_N' sigma_N)^2] is 2.4 times the
//! exact value at N = 7, 120 times at N = 11), while the expansion of the exact product
//! converges in L². The product of truncated series (linearisation formula, module
//! `hermite_series`) is what the monomial Wick plans compute; the tests use it to check the
//! diagram sums against them.

use super::hermite_diagrams::{expectation, DiagramScratch, DiagramVertex, EdgeWeights};
use super::hermite_expansion::ProjectedFunction;
use crate::model::StepLoss;
use nalgebra::DMatrix;
use std::collections::HashMap;

/// A factor of an elementary expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Factor {
    /// The student activation sigma.
    Sigma,
    /// Its derivative sigma'.
    SigmaPrime,
    /// The teacher link g1.
    Link,
    /// The field itself, z = He_1(z).
    Identity,
}

/// The truncated expansion (Hermite coefficients, remainder and norm) of the vertex of a
/// sorted multiset of factors on one field.
pub(crate) type VertexSeries<'a> = &'a dyn Fn(&[Factor]) -> ProjectedFunction;

/// One distinct product E[prod_i F_i(u_{f_i})] (fields distinct and sorted, factors merged)
/// and the outputs it contributes to.
#[derive(Clone, Debug)]
struct Product {
    factors: Vec<(usize, usize)>,
    outputs: Vec<(usize, f64)>,
}

/// Builds the products of a plan.
struct Builder<'a> {
    series: VertexSeries<'a>,
    merged: HashMap<Vec<Factor>, usize>,
    vertices: Vec<DiagramVertex>,
    /// (||Phi - P_N Phi||_2, ||Phi||_2) per vertex.
    sizes: Vec<(f64, f64)>,
    products: HashMap<Vec<(usize, usize)>, usize>,
    list: Vec<Product>,
}

impl<'a> Builder<'a> {
    fn new(series: VertexSeries<'a>) -> Self {
        Builder {
            series,
            merged: HashMap::new(),
            vertices: Vec::new(),
            sizes: Vec::new(),
            products: HashMap::new(),
            list: Vec::new(),
        }
    }

    fn vertex(&mut self, mut factors: Vec<Factor>) -> usize {
        factors.sort();
        if let Some(&v) = self.merged.get(&factors) {
            return v;
        }
        let f = (self.series)(&factors);
        self.vertices.push(DiagramVertex::new(&f.coefficients));
        self.sizes.push((f.tail, f.norm));
        self.merged.insert(factors, self.vertices.len() - 1);
        self.vertices.len() - 1
    }

    /// Adds `coefficient` E[prod_i factors_i(u_{fields_i})] to `output`.
    fn add(&mut self, output: usize, coefficient: f64, terms: &[(usize, Factor)]) {
        let mut by_field: Vec<(usize, Vec<Factor>)> = Vec::new();
        for &(field, f) in terms {
            match by_field.iter_mut().find(|(g, _)| *g == field) {
                Some((_, fs)) => fs.push(f),
                None => by_field.push((field, vec![f])),
            }
        }
        by_field.sort_by_key(|(g, _)| *g);
        let key: Vec<(usize, usize)> = by_field
            .into_iter()
            .map(|(g, fs)| (g, self.vertex(fs)))
            .collect();
        let index = match self.products.get(&key) {
            Some(&i) => i,
            None => {
                self.list.push(Product {
                    factors: key.clone(),
                    outputs: Vec::new(),
                });
                self.products.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let outputs = &mut self.list[index].outputs;
        match outputs.iter_mut().find(|(o, _)| *o == output) {
            Some((_, c)) => *c += coefficient,
            None => outputs.push((output, coefficient)),
        }
    }

    /// The truncation estimate of one product (see [`DiagramPlan::bounds`]).
    fn product_estimate(&self, factors: &[(usize, usize)]) -> f64 {
        let mut sum = 0.0;
        for a in 0..factors.len() {
            for b in a + 1..factors.len() {
                let others: f64 = (0..factors.len())
                    .filter(|&c| c != a && c != b)
                    .map(|c| self.sizes[factors[c].1].1)
                    .product();
                sum += self.sizes[factors[a].1].0 * self.sizes[factors[b].1].0 * others;
            }
        }
        sum
    }

    fn finish(self, fields: usize, outputs: usize) -> DiagramPlan {
        let max_degree = self.vertices.iter().map(|v| v.degree()).max().unwrap_or(0);
        let mut bounds = vec![0.0; outputs];
        for p in &self.list {
            let e = self.product_estimate(&p.factors);
            for &(o, c) in &p.outputs {
                bounds[o] += c.abs() * e;
            }
        }
        DiagramPlan {
            fields,
            outputs,
            max_degree,
            bounds,
            vertices: self.vertices,
            products: self.list,
        }
    }
}

/// A compiled list of diagram sums and the outputs they add to.
#[derive(Clone, Debug)]
pub(crate) struct DiagramPlan {
    fields: usize,
    outputs: usize,
    max_degree: usize,
    bounds: Vec<f64>,
    vertices: Vec<DiagramVertex>,
    products: Vec<Product>,
}

impl DiagramPlan {
    /// Per output, sum over its products of |coefficient| times
    /// sum_{a < b} eps_a eps_b prod_{c != a, b} ||Phi_c||_2 (eps = ||Phi - P_N Phi||_2 of the
    /// vertex functions Phi). For a product of two fields this bounds the truncation error:
    /// |E[Phi_a Phi_b] - E[P_N Phi_a P_N Phi_b]| = |sum_{n > N} alpha_n beta_n rho^n|
    /// <= eps_a eps_b (orthonormal coefficients, Cauchy-Schwarz), and one field has none
    /// (E[P_N Phi] = E[Phi]). For three and four fields it is the same second-order size, an
    /// estimate, not a proof (docs/science.md §6 states where it was checked).
    pub(crate) fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The outputs for the correlation matrix `omega` (unit diagonal).
    fn evaluate(&self, omega: &DMatrix<f64>) -> Vec<f64> {
        debug_assert_eq!(omega.nrows(), self.fields);
        let edges = EdgeWeights::new(omega, self.max_degree);
        let mut scratch = DiagramScratch::default();
        let mut out = vec![0.0; self.outputs];
        let mut factors = Vec::with_capacity(4);
        for p in &self.products {
            factors.clear();
            factors.extend(p.factors.iter().map(|&(g, v)| (g, &self.vertices[v])));
            let e = expectation(&factors, &edges, &mut scratch);
            for &(o, c) in &p.outputs {
                out[o] += c * e;
            }
        }
        out
    }

    /// The number of distinct diagram sums per evaluation, by number of fields (1 to 4).
    pub(crate) fn sums_by_fields(&self) -> [usize; 4] {
        let mut n = [0; 4];
        for p in &self.products {
            n[p.factors.len() - 1] += 1;
        }
        n
    }
}

/// A committee: the series of its vertices, p and k.
pub(crate) struct CommitteeSeries<'a> {
    /// The series of each multiset of factors on one field.
    pub(crate) vertex: VertexSeries<'a>,
    /// Students p.
    pub(crate) p: usize,
    /// Teacher directions k.
    pub(crate) k: usize,
}

/// E[(g - f)^2] as diagram sums.
#[derive(Clone, Debug)]
pub(crate) struct DiagramRisk {
    plan: DiagramPlan,
}

impl DiagramRisk {
    /// Compiles the squared error of the committee.
    pub(crate) fn compile(s: &CommitteeSeries) -> Self {
        use Factor::{Link as G, Sigma as S};
        let (p, k) = (s.p, s.k);
        let (pf, kf) = (p as f64, k as f64);
        let mut b = Builder::new(s.vertex);
        for r in 0..k {
            for t in 0..k {
                b.add(0, 1.0 / (kf * kf), &[(p + r, G), (p + t, G)]);
            }
        }
        for j in 0..p {
            for r in 0..k {
                b.add(0, -2.0 / (pf * kf), &[(j, S), (p + r, G)]);
            }
        }
        for j in 0..p {
            for l in 0..p {
                b.add(0, 1.0 / (pf * pf), &[(j, S), (l, S)]);
            }
        }
        DiagramRisk {
            plan: b.finish(p + k, 1),
        }
    }

    /// E[(g - f)^2] for the correlation matrix Omega (unit diagonal).
    pub(crate) fn evaluate(&self, omega: &DMatrix<f64>) -> f64 {
        self.plan.evaluate(omega)[0]
    }

    /// The bound on |E[(g - f)^2] - evaluate| (two-field products only: rigorous, see
    /// [`DiagramPlan::bounds`]).
    pub(crate) fn bound(&self) -> f64 {
        self.plan.bounds()[0]
    }
}

/// psi, phiGF, phiHD (without the noise) and the Gram E[sigma'_j sigma'_l] as diagram sums.
#[derive(Clone, Debug)]
pub(crate) struct DiagramDrift {
    p: usize,
    k: usize,
    plan: DiagramPlan,
}

/// The four matrices of [`DiagramDrift::evaluate`].
pub(crate) struct DriftMatrices {
    pub(crate) psi: DMatrix<f64>,
    pub(crate) phi_gf: DMatrix<f64>,
    /// E[sigma'_j sigma'_l e^2] (symmetric).
    pub(crate) phi_hd: DMatrix<f64>,
    /// E[sigma'_j sigma'_l] (symmetric).
    pub(crate) gram: DMatrix<f64>,
}

impl DiagramDrift {
    /// Compiles the drift terms of the committee for `step_loss`.
    pub(crate) fn compile(s: &CommitteeSeries, step_loss: StepLoss) -> Self {
        use Factor::{Identity as Z, Link as G, Sigma as S, SigmaPrime as D};
        let (p, k) = (s.p, s.k);
        let (pf, kf) = (p as f64, k as f64);
        let mse = step_loss == StepLoss::Mse;
        let mut b = Builder::new(s.vertex);
        // outputs: psi (p k, row-major), phiGF (p p), phiHD (p p), Gram (p p)
        let (gf0, hd0, gram0) = (p * k, p * k + p * p, p * k + 2 * p * p);
        // E[sigma'_j field_b e]
        let i3 = |b: &mut Builder, out: usize, j: usize, field: usize| {
            for t in 0..k {
                b.add(out, 1.0 / kf, &[(j, D), (field, Z), (p + t, G)]);
            }
            if mse {
                for m in 0..p {
                    b.add(out, -1.0 / pf, &[(j, D), (field, Z), (m, S)]);
                }
            }
        };
        for j in 0..p {
            for r in 0..k {
                i3(&mut b, j * k + r, j, p + r);
            }
            for l in 0..p {
                i3(&mut b, gf0 + j * p + l, j, l);
            }
        }
        for j in 0..p {
            for l in j..p {
                let out = hd0 + j * p + l;
                for t in 0..k {
                    for u in 0..k {
                        let c = 1.0 / (kf * kf);
                        b.add(out, c, &[(j, D), (l, D), (p + t, G), (p + u, G)]);
                    }
                }
                if mse {
                    for t in 0..k {
                        for m in 0..p {
                            let c = -2.0 / (pf * kf);
                            b.add(out, c, &[(j, D), (l, D), (p + t, G), (m, S)]);
                        }
                    }
                    for m in 0..p {
                        for n in 0..p {
                            let c = 1.0 / (pf * pf);
                            b.add(out, c, &[(j, D), (l, D), (m, S), (n, S)]);
                        }
                    }
                }
                b.add(gram0 + j * p + l, 1.0, &[(j, D), (l, D)]);
            }
        }
        DiagramDrift {
            p,
            k,
            plan: b.finish(p + k, p * k + 3 * p * p),
        }
    }

    /// The matrices for the correlation matrix Omega (unit diagonal).
    pub(crate) fn evaluate(&self, omega: &DMatrix<f64>) -> DriftMatrices {
        let (p, k) = (self.p, self.k);
        let out = self.plan.evaluate(omega);
        let (gf0, hd0, gram0) = (p * k, p * k + p * p, p * k + 2 * p * p);
        let symmetric = |at: usize| {
            DMatrix::from_fn(p, p, |j, l| {
                let (a, b) = if j <= l { (j, l) } else { (l, j) };
                out[at + a * p + b]
            })
        };
        DriftMatrices {
            psi: DMatrix::from_row_slice(p, k, &out[..gf0]),
            phi_gf: DMatrix::from_row_slice(p, p, &out[gf0..hd0]),
            phi_hd: symmetric(hd0),
            gram: symmetric(gram0),
        }
    }

    /// The distinct diagram sums of one evaluation, by number of fields (1 to 4).
    pub(crate) fn sums_by_fields(&self) -> [usize; 4] {
        self.plan.sums_by_fields()
    }

    /// The largest truncation estimate ([`DiagramPlan::bounds`]) of the psi and phiGF
    /// entries, of the phiHD entries without the noise, and of the Gram entries.
    pub(crate) fn bounds(&self) -> [f64; 3] {
        let (p, k) = (self.p, self.k);
        let b = self.plan.bounds();
        let max = |r: std::ops::Range<usize>| b[r].iter().fold(0.0f64, |m, &x| m.max(x));
        let (hd0, gram0) = (p * k + p * p, p * k + 2 * p * p);
        [max(0..hd0), max(hd0..gram0), max(gram0..gram0 + p * p)]
    }
}
