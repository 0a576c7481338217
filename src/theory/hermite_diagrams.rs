//! Exact Gaussian expectations of products of Hermite series of up to four distinct
//! unit-variance fields, by the diagram formula, without ever leaving the Hermite basis.
//!
//! For jointly Gaussian u_1..u_m with E[u_i^2] = 1 and E[u_i u_j] = rho_ij,
//!
//! ```text
//! E[prod_i He_{n_i}(u_i)] = sum_G prod_i n_i! / prod_{e in G} m_e! * prod_{e in G} rho_e^{m_e},
//! ```
//!
//! the sum over the multigraphs G without self-loops on the m vertices in which vertex i has
//! degree n_i (m_e edges between the two ends of e). For series F_i = sum_n c_{i,n} He_n this
//! becomes, with the vertex weights v_i[n] = c_{i,n} n! and the edge weights
//! w_e[m] = rho_e^m / m!,
//!
//! ```text
//! E[prod_i F_i(u_i)] = sum_{m_e >= 0} prod_i v_i[sum_{e at i} m_e] prod_e w_e[m_e]:
//!   one field:    v_1[0]
//!   two fields:   sum_n v_1[n] v_2[n] w_12[n]
//!   three fields: sum_{a,b,c} v_1[a+b] v_2[a+c] v_3[b+c] w_12[a] w_13[b] w_23[c]
//!   four fields:  sum v_1[a+b+x] v_2[a+c+y] v_3[b+c+z] v_4[x+y+z]
//!                     w_12[a] w_13[b] w_14[x] w_23[c] w_24[y] w_34[z].
//! ```
//!
//! Factors that sit on the same field must be merged into one series first (module
//! `hermite_series`). The four-field sum is contracted in O(N^4) instead of O(N^6): with
//! V[t][s] = sum_x v_4[x+t] w_14[x] v_1[x+s] and X[al][be] = sum_c w_23[c] v_2[al+c] v_3[be+c],
//!
//! ```text
//! E = sum_{y,a,z,b} w_24[y] w_12[a] w_34[z] w_13[b] V[y+z][a+b] X[y+a][z+b].
//! ```
//!
//! Series of one parity (tanh is odd, tanh' even) skip the terms that vanish by parity.

use super::hermite_series::parity;
use crate::model::hermite::factorial;
use nalgebra::DMatrix;

/// One factor of a diagram sum: the vertex weights v[n] = c_n n! of a Hermite series
/// sum_n c_n He_n and its parity.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DiagramVertex {
    weights: Vec<f64>,
    parity: Option<usize>,
}

impl DiagramVertex {
    /// The vertex of the Hermite series with coefficients `c` (c_n of He_n).
    pub(crate) fn new(c: &[f64]) -> Self {
        DiagramVertex {
            weights: c
                .iter()
                .enumerate()
                .map(|(n, &x)| x * factorial(n as u32))
                .collect(),
            parity: parity(c),
        }
    }

    /// The degree of the series.
    pub(crate) fn degree(&self) -> usize {
        self.weights.len() - 1
    }
}

/// The edge weights w_ij[m] = rho_ij^m / m! of every pair of fields, m <= a maximal degree.
#[derive(Clone, Debug)]
pub(crate) struct EdgeWeights {
    fields: usize,
    len: usize,
    weights: Vec<f64>,
}

impl EdgeWeights {
    /// The weights for the correlations rho_ij = `omega`[(i, j)] up to m = `max_degree`
    /// (the diagonal of omega is taken to be 1; the caller checks it).
    pub(crate) fn new(omega: &DMatrix<f64>, max_degree: usize) -> Self {
        let fields = omega.nrows();
        let len = max_degree + 1;
        let mut weights = vec![0.0; fields * fields * len];
        for i in 0..fields {
            for j in 0..fields {
                if i == j {
                    continue;
                }
                let rho = omega[(i, j)];
                let w = &mut weights[(i * fields + j) * len..(i * fields + j + 1) * len];
                w[0] = 1.0;
                for m in 1..len {
                    w[m] = w[m - 1] * rho / m as f64;
                }
            }
        }
        EdgeWeights {
            fields,
            len,
            weights,
        }
    }

    fn edge(&self, i: usize, j: usize) -> &[f64] {
        let at = (i * self.fields + j) * self.len;
        &self.weights[at..at + self.len]
    }
}

/// Reusable buffers of the four-field contraction.
#[derive(Clone, Debug, Default)]
pub(crate) struct DiagramScratch {
    v: Vec<f64>,
    x: Vec<f64>,
}

/// The residue r in 0..2 that an index must have so that index + `offset` has `parity`,
/// combined with a residue already required (`None` if they conflict).
fn residue(
    parity: Option<usize>,
    offset: usize,
    required: Option<usize>,
) -> Result<Option<usize>, ()> {
    match (parity.map(|q| (q + offset) % 2), required) {
        (Some(r), Some(s)) if r != s => Err(()),
        (Some(r), _) => Ok(Some(r)),
        (None, s) => Ok(s),
    }
}

/// The first index >= 0 with the residue (0 if free) and the step (2 if constrained).
fn start_step(r: Option<usize>) -> (usize, usize) {
    match r {
        Some(r) => (r, 2),
        None => (0, 1),
    }
}

/// sum_{i = start, start + step, ..., <= end} x_i y_i z_i (0 for an empty range).
#[inline]
fn strided_triple([x, y, z]: [&[f64]; 3], start: usize, end: usize, step: usize) -> f64 {
    if start > end {
        return 0.0;
    }
    let (x, y, z) = (&x[start..=end], &y[start..=end], &z[start..=end]);
    let product = |((a, b), c): ((&f64, &f64), &f64)| a * b * c;
    if step == 1 {
        x.iter().zip(y).zip(z).map(product).sum()
    } else {
        x.iter()
            .step_by(step)
            .zip(y.iter().step_by(step))
            .zip(z.iter().step_by(step))
            .map(product)
            .sum()
    }
}

/// E[prod_i F_i(u_{field_i})] for distinct fields (see the module documentation): `factors`
/// lists (field index, vertex), at most four, fields pairwise distinct; `edges` must cover
/// the largest degree of the vertices.
pub(crate) fn expectation(
    factors: &[(usize, &DiagramVertex)],
    edges: &EdgeWeights,
    scratch: &mut DiagramScratch,
) -> f64 {
    debug_assert!(factors.iter().all(|(_, v)| v.degree() < edges.len));
    match factors {
        [] => 1.0,
        [(_, v)] => v.weights[0],
        [(i, v1), (j, v2)] => {
            let w = edges.edge(*i, *j);
            v1.weights
                .iter()
                .zip(&v2.weights)
                .zip(w)
                .map(|((a, b), c)| a * b * c)
                .sum()
        }
        [(i, v1), (j, v2), (l, v3)] => three_fields(
            [v1, v2, v3],
            [edges.edge(*i, *j), edges.edge(*i, *l), edges.edge(*j, *l)],
        ),
        [(i, v1), (j, v2), (l, v3), (n, v4)] => four_fields(
            [v1, v2, v3, v4],
            [
                edges.edge(*i, *j),
                edges.edge(*i, *l),
                edges.edge(*i, *n),
                edges.edge(*j, *l),
                edges.edge(*j, *n),
                edges.edge(*l, *n),
            ],
            scratch,
        ),
        _ => panic!("diagram sums over at most four fields"),
    }
}

/// sum_{a,b,c} v_1[a+b] v_2[a+c] v_3[b+c] w_12[a] w_13[b] w_23[c].
fn three_fields(v: [&DiagramVertex; 3], [w12, w13, w23]: [&[f64]; 3]) -> f64 {
    let (v1, v2, v3) = (&v[0].weights, &v[1].weights, &v[2].weights);
    let (d1, d2, d3) = (v1.len() - 1, v2.len() - 1, v3.len() - 1);
    let (p1, p2, p3) = (v[0].parity, v[1].parity, v[2].parity);
    // parities: a + b = p1, a + c = p2, b + c = p3 (mod 2); with all three known the total
    // degree 2(a + b + c) must be even, and then b = a + p1 and c = a + p2
    let rb = match (p1, p2.zip(p3)) {
        (Some(q1), Some((q2, q3))) if (q1 + q2 + q3) % 2 == 1 => return 0.0,
        (Some(q1), _) => Some(q1),
        (None, Some((q2, q3))) => Some((q2 + q3) % 2),
        (None, None) => None,
    };
    let (bstep, cstep) = (
        if rb.is_some() { 2 } else { 1 },
        if p2.is_some() || p3.is_some() { 2 } else { 1 },
    );
    let mut sum = 0.0;
    for a in 0..=d1.min(d2) {
        let b0 = rb.map_or(0, |r| (a + r) % 2);
        let mut b = b0;
        while b <= (d1 - a).min(d3) {
            let outer = v1[a + b] * w12[a] * w13[b];
            if outer != 0.0 {
                let c0 = match (p2, p3) {
                    (Some(q2), _) => (a + q2) % 2,
                    (None, Some(q3)) => (b + q3) % 2,
                    (None, None) => 0,
                };
                let end = (d2 - a).min(d3 - b);
                let (x, y) = (&v2[a..=a + end], &v3[b..=b + end]);
                let mut inner = 0.0;
                let mut c = c0;
                while c <= end {
                    inner += x[c] * y[c] * w23[c];
                    c += cstep;
                }
                sum += outer * inner;
            }
            b += bstep;
        }
    }
    sum
}

/// The four-field sum by the O(N^4) contraction of the module documentation.
fn four_fields(
    v: [&DiagramVertex; 4],
    [w12, w13, w14, w23, w24, w34]: [&[f64]; 6],
    scratch: &mut DiagramScratch,
) -> f64 {
    let (v1, v2, v3, v4) = (&v[0].weights, &v[1].weights, &v[2].weights, &v[3].weights);
    let (d1, d2, d3, d4) = (v1.len() - 1, v2.len() - 1, v3.len() - 1, v4.len() - 1);
    let (n1, n3) = (d1 + 1, d3 + 1);
    // V[t][s] = sum_x v4[x+t] w14[x] v1[x+s], t <= d4, s <= d1
    scratch.v.clear();
    scratch.v.resize((d4 + 1) * n1, 0.0);
    for t in 0..=d4 {
        for s in 0..=d1 {
            let Ok(rx) = residue(v[3].parity, t, None).and_then(|r| residue(v[0].parity, s, r))
            else {
                continue;
            };
            let (x0, xstep) = start_step(rx);
            let end = (d4 - t).min(d1 - s);
            scratch.v[t * n1 + s] = strided_triple([&v4[t..], w14, &v1[s..]], x0, end, xstep);
        }
    }
    // X[al][be] = sum_c w23[c] v2[al+c] v3[be+c], al <= d2, be <= d3
    scratch.x.clear();
    scratch.x.resize((d2 + 1) * n3, 0.0);
    for al in 0..=d2 {
        for be in 0..=d3 {
            let Ok(rc) = residue(v[1].parity, al, None).and_then(|r| residue(v[2].parity, be, r))
            else {
                continue;
            };
            let (c0, cstep) = start_step(rc);
            let end = (d2 - al).min(d3 - be);
            scratch.x[al * n3 + be] = strided_triple([w23, &v2[al..], &v3[be..]], c0, end, cstep);
        }
    }
    // parities: V[t][s] != 0 needs s - t = p1 - p4, X[al][be] needs be - al = p3 - p2 (mod 2)
    let vs = match (v[0].parity, v[3].parity) {
        (Some(p1), Some(p4)) => Some((p1 + 2 - p4) % 2),
        _ => None,
    };
    let xs = match (v[1].parity, v[2].parity) {
        (Some(p2), Some(p3)) => Some((p3 + 2 - p2) % 2),
        _ => None,
    };
    // b must make a + b = t + vs and z + b = al + xs (mod 2), t = y + z, al = y + a: both read
    // b = y + a + z + r (mod 2) with r = vs or xs, so either every (y, a, z) is consistent or
    // none is
    let r = match (vs, xs) {
        (Some(r), Some(q)) if r != q => return 0.0,
        (Some(r), _) | (None, Some(r)) => Some(r),
        (None, None) => None,
    };
    let bstep = if r.is_some() { 2 } else { 1 };
    let (vm, xm) = (&scratch.v, &scratch.x);
    let mut sum = 0.0;
    for (y, &wy) in w24.iter().enumerate().take(d2.min(d4) + 1) {
        for a in 0..=d1.min(d2 - y) {
            let wya = wy * w12[a];
            if wya == 0.0 {
                continue;
            }
            let al = y + a;
            let xbase = al * n3;
            let mut partial = 0.0;
            for (z, &wz) in w34.iter().enumerate().take((d4 - y).min(d3) + 1) {
                let b0 = r.map_or(0, |r| (y + a + z + r) % 2);
                let end = (d1 - a).min(d3 - z);
                if b0 > end {
                    continue;
                }
                let vrow = &vm[(y + z) * n1 + a..(y + z) * n1 + a + end + 1];
                let xrow = &xm[xbase + z..xbase + z + end + 1];
                let mut inner = 0.0;
                let mut b = b0;
                while b <= end {
                    inner += w13[b] * vrow[b] * xrow[b];
                    b += bstep;
                }
                partial += wz * inner;
            }
            sum += wya * partial;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagram sum over all six edge counts, term by term (O(N^6)).
    fn brute_force(v: [&DiagramVertex; 4], omega: &DMatrix<f64>) -> f64 {
        let d: Vec<usize> = v.iter().map(|x| x.degree()).collect();
        let rho = |i: usize, j: usize, m: usize| omega[(i, j)].powi(m as i32) / factorial(m as u32);
        let mut sum = 0.0;
        let dm = *d.iter().max().unwrap();
        for a in 0..=dm {
            for b in 0..=dm {
                for x in 0..=dm {
                    for c in 0..=dm {
                        for y in 0..=dm {
                            for z in 0..=dm {
                                let n = [a + b + x, a + c + y, b + c + z, x + y + z];
                                if (0..4).any(|i| n[i] > d[i]) {
                                    continue;
                                }
                                let vw: f64 = (0..4).map(|i| v[i].weights[n[i]]).product();
                                sum += vw
                                    * rho(0, 1, a)
                                    * rho(0, 2, b)
                                    * rho(0, 3, x)
                                    * rho(1, 2, c)
                                    * rho(1, 3, y)
                                    * rho(2, 3, z);
                            }
                        }
                    }
                }
            }
        }
        sum
    }

    fn correlations() -> DMatrix<f64> {
        DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, 0.3, -0.2, 0.5, //
                0.3, 1.0, 0.4, 0.1, //
                -0.2, 0.4, 1.0, -0.35, //
                0.5, 0.1, -0.35, 1.0,
            ],
        )
    }

    #[test]
    fn four_fields_match_the_term_by_term_sum() {
        let omega = correlations();
        let odd = DiagramVertex::new(&[0.0, 0.7, 0.0, -0.2, 0.0, 0.05]);
        let even = DiagramVertex::new(&[0.4, 0.0, -0.3, 0.0, 0.02]);
        let mixed = DiagramVertex::new(&[0.1, 0.5, 0.25, -0.1]);
        let edges = EdgeWeights::new(&omega, 6);
        let mut scratch = DiagramScratch::default();
        for v in [
            [&odd, &even, &mixed, &odd],
            [&even, &even, &odd, &odd],
            [&mixed, &mixed, &mixed, &mixed],
            [&odd, &odd, &odd, &odd],
        ] {
            let fast = expectation(
                &[(0, v[0]), (1, v[1]), (2, v[2]), (3, v[3])],
                &edges,
                &mut scratch,
            );
            let slow = brute_force(v, &omega);
            assert!(
                (fast - slow).abs() < 1e-13 * (1.0 + slow.abs()),
                "{fast} vs {slow}"
            );
        }
    }

    #[test]
    fn two_and_three_fields_match_known_moments() {
        let omega = correlations();
        let edges = EdgeWeights::new(&omega, 8);
        let mut s = DiagramScratch::default();
        let he = |n: usize| {
            let mut c = vec![0.0; n + 1];
            c[n] = 1.0;
            DiagramVertex::new(&c)
        };
        // E[He_3(u) He_3(v)] = 3! rho^3
        let e = expectation(&[(0, &he(3)), (1, &he(3))], &edges, &mut s);
        assert!((e - 6.0 * 0.3f64.powi(3)).abs() < 1e-15);
        // E[u v w^2] = rho_uv + 2 rho_uw rho_vw, and w^2 = He_2(w) + 1
        let w2 = DiagramVertex::new(&[1.0, 0.0, 1.0]);
        let e = expectation(&[(0, &he(1)), (1, &he(1)), (2, &w2)], &edges, &mut s);
        assert!((e - (0.3 + 2.0 * -0.2 * 0.4)).abs() < 1e-15, "{e}");
        // E[He_2(u) He_1(v) He_1(w)] = 2 rho_uv rho_uw
        let e = expectation(&[(0, &he(2)), (1, &he(1)), (2, &he(1))], &edges, &mut s);
        assert!((e - 2.0 * 0.3 * -0.2).abs() < 1e-15, "{e}");
        // degrees of odd total vanish
        let e = expectation(&[(0, &he(2)), (1, &he(1)), (2, &he(2))], &edges, &mut s);
        assert_eq!(e, 0.0);
    }
}
