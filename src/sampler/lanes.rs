//! The exact sampler's per-sample work (steps 2-3 of [`super::ExactSampler`]) in lanes.
//!
//! # Layout
//! At the first sample of a step the data stream seeds [`LANES`] xoshiro256++ streams
//! ([`LaneRng::from_parent`]: 4 words per lane, so the data stream moves on by exactly
//! 4 [`LANES`] words per step, however the step is sliced). Sample u of the step (u = 0, 1, ...
//! counted over all `accumulate` calls of the step) belongs to lane u mod [`LANES`]: it draws
//! s_u ~ N(0, I_r) and xi_u from that lane's stream, and its terms c_u s_u^T and c_u c_u^T are
//! added, in sample order, to that lane's partial sums of A and C. At the end of the step the
//! partial sums are added in lane order, A = ((A_0 + A_1) + A_2) + A_3 (and C likewise).
//!
//! # Why it stays exact
//! The lanes' streams are independent generators and every sample uses fresh draws of its own
//! lane, so the n_b samples of a step are still independent with the law of step 2; A and C are
//! the same sums over the same samples, only associated differently. The chain's law is
//! unchanged (the Kolmogorov-Smirnov tests against the full sampler check it).
//!
//! # Why it is reproducible
//! Which lane a sample belongs to and the order of every addition depend only on the sample's
//! index in its step, never on how the step was sliced into `accumulate` calls, on the
//! [`SimdMode`], or on the instruction set. The lane path ([`SimdMode::Lanes`]) computes L
//! aligned samples at once with [`F64s`]; the scalar path ([`SimdMode::Scalar`], and any
//! unaligned head or tail of a slice) computes one sample in its lane with `f64`. Both run the
//! same generic code (the private function `group`), whose operations are lane-wise IEEE-754
//! `+ - * /` and comparisons (no fused multiply-add) and `libm` for transcendental functions,
//! so each lane gets the same bits on x86_64 (SSE2 or AVX2) and in wasm32 (with or without
//! `simd128`).
//! The links are chosen once per batch ([`with_kernels`]).

use super::per_sample::CoefficientKernel;
use super::{SecondLayerWeights, StepSettings};
use crate::model::link_lanes::{with_kernels, LinkKernel, TargetKernel, WithKernels};
use crate::random::lanes::{F64s, Lane, LaneRng, LANES};
use crate::random::{standard_normal, standard_normals, NormalTables, SimRng};
use serde::{Deserialize, Serialize};

/// How the exact sampler computes its samples; both give the same numbers bit for bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimdMode {
    /// [`LANES`] samples at once in vector registers (the default).
    #[default]
    Lanes,
    /// One sample at a time with scalar arithmetic (same lane layout, same numbers).
    Scalar,
}

/// One lane type as the sampler draws and accumulates with it.
trait Draw: Lane {
    /// N(0, 1) draws into `s`, then one more returned (xi): on `lane`'s stream for `f64`, on
    /// every lane for [`F64s`].
    fn normals(rng: &mut LaneRng, lane: usize, tables: NormalTables, s: &mut [Self]) -> Self;
    /// Adds `value` to `lane`'s partial sum (`f64`) or to every lane's ([`F64s`]).
    fn add_to(sum: &mut F64s, lane: usize, value: Self);
}

impl Draw for f64 {
    #[inline(always)]
    fn normals(rng: &mut LaneRng, lane: usize, _: NormalTables, s: &mut [f64]) -> f64 {
        let mut one = rng.lane_mut(lane);
        for v in s.iter_mut() {
            *v = standard_normal(&mut one);
        }
        standard_normal(&mut one)
    }
    #[inline(always)]
    fn add_to(sum: &mut F64s, lane: usize, value: f64) {
        sum.0[lane] += value;
    }
}

impl Draw for F64s {
    #[inline(always)]
    fn normals(rng: &mut LaneRng, _: usize, tables: NormalTables, s: &mut [F64s]) -> F64s {
        for v in s.iter_mut() {
            *v = standard_normals(rng, tables);
        }
        standard_normals(rng, tables)
    }
    #[inline(always)]
    fn add_to(sum: &mut F64s, _: usize, value: F64s) {
        *sum = *sum + value;
    }
}

/// Everything a batch's samples share.
struct Batch<'a, A, T> {
    kernel: CoefficientKernel<A, T>,
    /// L (r x r, row-major).
    factor: &'a [f64],
    p: usize,
    r: usize,
    /// Teacher fields: rows p..p + teachers of the factor (rows after them, the spiked
    /// covariance's free directions, are not the target's).
    teachers: usize,
    tables: NormalTables,
}

/// The lane streams and partial sums of the current step.
#[derive(Clone, Debug)]
pub(crate) struct LaneSums {
    rng: LaneRng,
    /// Samples of the current step so far (0: the streams are not seeded yet).
    samples: u64,
    /// Partial sums of A (p x r, row-major), one per lane.
    a: Vec<F64s>,
    /// Partial sums of C (p x p, row-major, upper triangle), one per lane.
    c: Vec<F64s>,
    /// Partial sums of B (p: the trained second layer's step sums), one per lane.
    b: Vec<F64s>,
    /// s, fields and coefficients of one lane group (r + r + 2 p).
    group: Vec<F64s>,
    /// The same for one sample.
    single: Vec<f64>,
}

impl LaneSums {
    /// Empty sums for p students and r = p + k fields.
    pub(crate) fn new(p: usize, r: usize) -> LaneSums {
        LaneSums {
            rng: LaneRng::default(),
            samples: 0,
            a: vec![F64s::default(); p * r],
            c: vec![F64s::default(); p * p],
            b: vec![F64s::default(); p],
            group: vec![F64s::default(); 2 * r + 2 * p],
            single: vec![0.0; 2 * r + 2 * p],
        }
    }

    /// Adds `samples` samples of the current step with the factor `factor` of Omega (r x r,
    /// row-major; L T with a spiked covariance), p students and `teachers` teacher rows after
    /// them, and the second layer `second_layer`, drawing the step's lane streams from `data`
    /// at its first sample.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn accumulate(
        &mut self,
        mode: SimdMode,
        settings: &StepSettings,
        second_layer: &SecondLayerWeights,
        factor: &[f64],
        (p, teachers): (usize, usize),
        data: &mut SimRng,
        samples: u64,
    ) {
        if samples == 0 {
            return;
        }
        if self.samples == 0 {
            self.rng = LaneRng::from_parent(data);
        }
        struct Job<'a> {
            sums: &'a mut LaneSums,
            mode: SimdMode,
            settings: &'a StepSettings,
            second_layer: &'a SecondLayerWeights,
            factor: &'a [f64],
            p: usize,
            teachers: usize,
            samples: u64,
        }
        impl WithKernels for Job<'_> {
            type Output = ();
            fn run<A: LinkKernel, T: TargetKernel>(self, activation: A, target: T) {
                let s = self.settings;
                let scale = s.gamma / (s.nb as f64 * self.p as f64);
                let batch = Batch {
                    kernel: CoefficientKernel::new(s, scale, self.second_layer, activation, target),
                    factor: self.factor,
                    p: self.p,
                    r: self.sums.a.len() / self.p,
                    teachers: self.teachers,
                    tables: NormalTables::get(),
                };
                self.sums.run(self.mode, &batch, self.samples);
            }
        }
        let job = Job {
            sums: self,
            mode,
            settings,
            second_layer,
            factor,
            p,
            teachers,
            samples,
        };
        with_kernels(settings.activation, settings.target, job);
    }

    fn run<A: LinkKernel, T: TargetKernel>(
        &mut self,
        mode: SimdMode,
        batch: &Batch<A, T>,
        mut samples: u64,
    ) {
        let lanes = LANES as u64;
        while samples > 0 {
            if mode == SimdMode::Lanes && self.samples % lanes == 0 && samples >= lanes {
                let groups = samples / lanes;
                let work = LaneWork {
                    rng: &mut self.rng,
                    scratch: &mut self.group,
                    a: &mut self.a,
                    c: &mut self.c,
                    b: &mut self.b,
                };
                vector_groups(batch, work, groups);
                self.samples += groups * lanes;
                samples -= groups * lanes;
            } else {
                let lane = (self.samples % lanes) as usize;
                group(
                    batch,
                    (batch.p, batch.r),
                    &mut self.rng,
                    lane,
                    split_scratch(&mut self.single, batch.r),
                    &mut self.a,
                    &mut self.c,
                    &mut self.b,
                );
                self.samples += 1;
                samples -= 1;
            }
        }
    }

    /// Adds the step's sums (partial sums added in lane order) to `a` (p x r), `c`
    /// (p x p, upper triangle) and `b` (p; zero unless the second layer is trained), and clears
    /// them for the next step. Nothing is added when the step drew no sample here (the clt
    /// sampler supplies its sums directly).
    pub(crate) fn finish_into(&mut self, a: &mut [f64], c: &mut [f64], b: &mut [f64]) {
        if self.samples == 0 {
            return;
        }
        fn lane_order_sum(v: &F64s) -> f64 {
            let mut sum = 0.0;
            for x in v.0 {
                sum += x;
            }
            sum
        }
        for (x, partial) in a
            .iter_mut()
            .zip(&self.a)
            .chain(c.iter_mut().zip(&self.c))
            .chain(b.iter_mut().zip(&self.b))
        {
            *x += lane_order_sum(partial);
        }
        self.a.fill(F64s::default());
        self.c.fill(F64s::default());
        self.b.fill(F64s::default());
        self.samples = 0;
    }
}

/// One sample in lane `lane` (`V = f64`) or one sample in every lane (`V = F64s`): draws
/// s (r normals) then xi, fields = L s (each a sum from 0 in column order), the coefficients,
/// then adds c_j s_m to A_jm and c_j c_l to C_jl (l >= j), and with a trained second layer
/// b_j to B_j. `s`, `fields` (length r) and `coefficients` (length p, or 2 p with a trained
/// second layer) are scratch.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn group<V: Draw, A: LinkKernel, T: TargetKernel>(
    batch: &Batch<A, T>,
    (p, r): (usize, usize),
    rng: &mut LaneRng,
    lane: usize,
    (s, fields, coefficients): (&mut [V], &mut [V], &mut [V]),
    a: &mut [F64s],
    c: &mut [F64s],
    b: &mut [F64s],
) {
    let xi = V::normals(rng, lane, batch.tables, s);
    for (field, row) in fields.iter_mut().zip(batch.factor.chunks_exact(r)) {
        let mut acc = V::splat(0.0);
        for (&l, &sm) in row.iter().zip(s.iter()) {
            acc = acc + V::splat(l) * sm;
        }
        *field = acc;
    }
    let (student, teacher) = fields.split_at(p);
    let teacher = &teacher[..batch.teachers];
    let outputs = batch.kernel.outputs(p);
    batch
        .kernel
        .coefficients(student, teacher, xi, &mut coefficients[..outputs]);
    if outputs > p {
        for (sum, &bj) in b.iter_mut().zip(&coefficients[p..outputs]) {
            V::add_to(sum, lane, bj);
        }
    }
    for j in 0..p {
        let cj = coefficients[j];
        for (sum, &sm) in a[j * r..(j + 1) * r].iter_mut().zip(s.iter()) {
            V::add_to(sum, lane, cj * sm);
        }
        for (sum, &cl) in c[j * p + j..(j + 1) * p]
            .iter_mut()
            .zip(&coefficients[j..p])
        {
            V::add_to(sum, lane, cj * cl);
        }
    }
}

/// Splits a scratch buffer of length 2 r + 2 p into s, fields and coefficients.
fn split_scratch<V>(scratch: &mut [V], r: usize) -> (&mut [V], &mut [V], &mut [V]) {
    let (s, rest) = scratch.split_at_mut(r);
    let (fields, coefficients) = rest.split_at_mut(r);
    (s, fields, coefficients)
}

/// What a run of lane groups updates: the lane streams, the scratch of one group (2 r + 2 p)
/// and the partial sums of A, C and B.
struct LaneWork<'a> {
    rng: &'a mut LaneRng,
    scratch: &'a mut [F64s],
    a: &'a mut [F64s],
    c: &'a mut [F64s],
    b: &'a mut [F64s],
}

/// `groups` lane groups (every lane one sample each time). For the common small sizes with
/// polynomial links (k = 1, p = 1, 2, 4; p = 1 with one or two free directions) the sizes are compile-time constants, so the loops
/// unroll and s, the fields, the coefficients, the partial sums and the lane streams stay in
/// registers; the arithmetic and its order are the same as for any other size.
#[inline(always)]
fn vector_body<A: LinkKernel, T: TargetKernel>(
    batch: &Batch<A, T>,
    work: LaneWork<'_>,
    groups: u64,
) {
    let LaneWork {
        rng,
        scratch,
        a,
        c,
        b,
    } = work;
    // (the fixed sizes carry no second-layer sums: a trained second layer takes the general body)
    if A::POLYNOMIAL && T::POLYNOMIAL && batch.kernel.outputs(batch.p) == batch.p {
        match (batch.p, batch.r) {
            (1, 2) => return fixed_size_body::<A, T, 1, 2, 2, 1>(batch, rng, a, c, groups),
            // one and two more fixed vectors: a spiked covariance's free directions
            (1, 3) => return fixed_size_body::<A, T, 1, 3, 3, 1>(batch, rng, a, c, groups),
            (1, 4) => return fixed_size_body::<A, T, 1, 4, 4, 1>(batch, rng, a, c, groups),
            (2, 3) => return fixed_size_body::<A, T, 2, 3, 6, 4>(batch, rng, a, c, groups),
            (4, 5) => return fixed_size_body::<A, T, 4, 5, 20, 16>(batch, rng, a, c, groups),
            _ => {}
        }
    }
    let mut local = rng.clone();
    for _ in 0..groups {
        group(
            batch,
            (batch.p, batch.r),
            &mut local,
            0,
            split_scratch(scratch, batch.r),
            a,
            c,
            b,
        );
    }
    *rng = local;
}

/// [`vector_body`] for p = P, r = R (PR = P R, PP = P P), with local copies of the state.
#[inline(always)]
fn fixed_size_body<
    A: LinkKernel,
    T: TargetKernel,
    const P: usize,
    const R: usize,
    const PR: usize,
    const PP: usize,
>(
    batch: &Batch<A, T>,
    rng: &mut LaneRng,
    a: &mut [F64s],
    c: &mut [F64s],
    groups: u64,
) {
    let mut local = rng.clone();
    let mut sums_a: [F64s; PR] = a.try_into().expect("A has p r entries");
    let mut sums_c: [F64s; PP] = c.try_into().expect("C has p p entries");
    let mut s = [F64s::default(); R];
    let mut fields = [F64s::default(); R];
    let mut coefficients = [F64s::default(); P];
    for _ in 0..groups {
        group(
            batch,
            (P, R),
            &mut local,
            0,
            (&mut s, &mut fields, &mut coefficients),
            &mut sums_a,
            &mut sums_c,
            &mut [],
        );
    }
    a.copy_from_slice(&sums_a);
    c.copy_from_slice(&sums_c);
    *rng = local;
}

/// [`vector_body`] compiled for AVX2 (4 f64 per register); only called when the host has it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn vector_body_avx2<A: LinkKernel, T: TargetKernel>(
    batch: &Batch<A, T>,
    work: LaneWork<'_>,
    groups: u64,
) {
    vector_body(batch, work, groups)
}

/// Runs the lane groups with the widest vectors the host has, chosen once per call: AVX2 when
/// detected at run time on x86_64, else the build's baseline (SSE2 on x86_64, `simd128` in the
/// wasm build). The numbers do not depend on the choice.
fn vector_groups<A: LinkKernel, T: TargetKernel>(
    batch: &Batch<A, T>,
    work: LaneWork<'_>,
    groups: u64,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the host supports AVX2 (checked just above).
        unsafe { vector_body_avx2(batch, work, groups) };
        return;
    }
    vector_body(batch, work, groups)
}
