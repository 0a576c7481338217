//! Links evaluated on lanes ([`Lane`]: one sample as `f64`, or [`LANES`](crate::random::lanes::LANES)
//! samples at once), with the link chosen once per batch: a sampler matches on its [`Link`]s
//! and [`Target`] once, then runs a kernel generic over a [`LinkKernel`] and a
//! [`TargetKernel`], so nothing inside the per-sample loop asks which link it is.
//!
//! * [`HermiteKernel`]: He_l(z) scaled by s (1, or 1/sqrt(l!) for `he<l>n`), by the
//!   three-term recurrence He_{m+1} = z He_m - m He_{m-1} lane-wise; g' = l He_{l-1} s. The
//!   operations are those of [`Link::value`] in the same order, so a lane equals the scalar
//!   link bit for bit.
//! * [`LibmKernel`]: erf, tanh and relu, lane by lane through [`Link::value`] /
//!   [`Link::derivative`] (the `libm` functions, the same on every target). Their cost is the
//!   transcendental function; the link's `match` is a predictable branch next to it.
//! * Targets: [`CommitteeKernel`] ((1/k) sum_r g1(z_r), k = 1 without the division),
//!   [`TanhProductKernel`] (tanh(z_1 ... z_k)) and [`HermitePolynomialKernel`]
//!   (sum_t c_t prod_r He_{a_tr}(z_r), lane-wise by [`HermitePolynomial::value`], the same
//!   code the scalar [`Target::value`] runs, so the bits agree).

use super::hermite::factorial;
use super::{HermitePolynomial, Link, Target};
use crate::random::lanes::Lane;

/// A one-dimensional link on lanes.
pub trait LinkKernel: Copy {
    /// Whether the link is a polynomial evaluated with lane arithmetic only (no `libm` call):
    /// such batches get the sampler's fixed-size kernels.
    const POLYNOMIAL: bool;
    /// g(z).
    fn value<V: Lane>(&self, z: V) -> V;
    /// g'(z).
    fn derivative<V: Lane>(&self, z: V) -> V;
    /// (g(z), g'(z)).
    fn value_and_derivative<V: Lane>(&self, z: V) -> (V, V);
}

/// He_degree(z) * scale on lanes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HermiteKernel {
    degree: u32,
    scale: f64,
}

impl HermiteKernel {
    /// The kernel of a Hermite link, `None` for the other links.
    pub fn of(link: Link) -> Option<HermiteKernel> {
        match link {
            Link::Hermite { degree, normalised } => Some(HermiteKernel {
                degree,
                scale: if normalised {
                    1.0 / factorial(degree).sqrt()
                } else {
                    1.0
                },
            }),
            _ => None,
        }
    }

    /// (He_n(z), He_{n-1}(z)): (prev, cur) = (0, 1), then next = z cur - m prev for
    /// m = 0..n, as [`super::hermite::hermite_pair`].
    #[inline(always)]
    fn pair<V: Lane>(n: u32, z: V) -> (V, V) {
        let (mut prev, mut cur) = (V::splat(0.0), V::splat(1.0));
        for m in 0..n {
            let next = z * cur - V::splat(m as f64) * prev;
            prev = cur;
            cur = next;
        }
        (cur, prev)
    }
}

impl LinkKernel for HermiteKernel {
    const POLYNOMIAL: bool = true;
    #[inline(always)]
    fn value<V: Lane>(&self, z: V) -> V {
        Self::pair(self.degree, z).0 * V::splat(self.scale)
    }
    #[inline(always)]
    fn derivative<V: Lane>(&self, z: V) -> V {
        V::splat(self.degree as f64) * Self::pair(self.degree - 1, z).0 * V::splat(self.scale)
    }
    #[inline(always)]
    fn value_and_derivative<V: Lane>(&self, z: V) -> (V, V) {
        let s = V::splat(self.scale);
        let (he, he_prev) = Self::pair(self.degree, z);
        (he * s, V::splat(self.degree as f64) * he_prev * s)
    }
}

/// A non-polynomial link (erf, tanh, relu) lane by lane, through `libm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LibmKernel(pub Link);

impl LinkKernel for LibmKernel {
    const POLYNOMIAL: bool = false;
    #[inline(always)]
    fn value<V: Lane>(&self, z: V) -> V {
        z.map(|x| self.0.value(x))
    }
    #[inline(always)]
    fn derivative<V: Lane>(&self, z: V) -> V {
        z.map(|x| self.0.derivative(x))
    }
    #[inline(always)]
    fn value_and_derivative<V: Lane>(&self, z: V) -> (V, V) {
        (self.value(z), self.derivative(z))
    }
}

/// The teacher g: R^k -> R on lanes.
pub trait TargetKernel: Copy {
    /// As [`LinkKernel::POLYNOMIAL`].
    const POLYNOMIAL: bool;
    /// g(z_1..z_k) for the teacher fields `fields` (length k).
    fn value<V: Lane>(&self, fields: &[V]) -> V;
}

/// A committee (1/k) sum_r g1(z_r) of one link kernel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CommitteeKernel<K>(pub K);

impl<K: LinkKernel> TargetKernel for CommitteeKernel<K> {
    const POLYNOMIAL: bool = K::POLYNOMIAL;
    #[inline(always)]
    fn value<V: Lane>(&self, fields: &[V]) -> V {
        if let [z] = fields {
            return self.0.value(*z);
        }
        let mut sum = V::splat(0.0);
        for &z in fields {
            sum = sum + self.0.value(z);
        }
        sum / V::splat(fields.len() as f64)
    }
}

/// tanh(z_1 z_2 ... z_k) (the product from 1, left to right; tanh from `libm`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TanhProductKernel;

impl TargetKernel for TanhProductKernel {
    const POLYNOMIAL: bool = false;
    #[inline(always)]
    fn value<V: Lane>(&self, fields: &[V]) -> V {
        let mut product = V::splat(1.0);
        for &z in fields {
            product = product * z;
        }
        product.map(libm::tanh)
    }
}

/// A multi-index Hermite polynomial teacher (module [`super::hermite_target`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HermitePolynomialKernel(pub &'static HermitePolynomial);

impl TargetKernel for HermitePolynomialKernel {
    const POLYNOMIAL: bool = true;
    #[inline(always)]
    fn value<V: Lane>(&self, fields: &[V]) -> V {
        self.0.value(fields)
    }
}

/// A computation generic over the kernels of a batch, run by [`with_kernels`].
pub trait WithKernels {
    /// What the computation returns.
    type Output;
    /// Runs with the activation kernel `activation` and the target kernel `target`.
    fn run<A: LinkKernel, T: TargetKernel>(self, activation: A, target: T) -> Self::Output;
}

/// The one place that matches on the links: picks the kernels of `activation` and `target`
/// (Hermite links get [`HermiteKernel`], the others [`LibmKernel`]) and runs `job` with them.
pub fn with_kernels<W: WithKernels>(activation: Link, target: Target, job: W) -> W::Output {
    fn with_target<W: WithKernels, A: LinkKernel>(
        activation: A,
        target: Target,
        job: W,
    ) -> W::Output {
        match target {
            Target::Committee(g) => match HermiteKernel::of(g) {
                Some(h) => job.run(activation, CommitteeKernel(h)),
                None => job.run(activation, CommitteeKernel(LibmKernel(g))),
            },
            Target::TanhProduct => job.run(activation, TanhProductKernel),
            Target::Hermite(h) => job.run(activation, HermitePolynomialKernel(h)),
        }
    }
    match HermiteKernel::of(activation) {
        Some(h) => with_target(h, target, job),
        None => with_target(LibmKernel(activation), target, job),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::lanes::{F64s, LANES};

    #[test]
    fn hermite_kernels_equal_the_scalar_links_bit_for_bit() {
        let zs = [-2.7, -1.0, -0.31, 0.0, 0.5, 1.3, 3.9, -5.5];
        for degree in 1..=12 {
            for normalised in [false, true] {
                let link = Link::Hermite { degree, normalised };
                let kernel = HermiteKernel::of(link).unwrap();
                for &z in &zs {
                    assert_eq!(kernel.value(z).to_bits(), link.value(z).to_bits());
                    assert_eq!(kernel.derivative(z).to_bits(), link.derivative(z).to_bits());
                    let (v, d) = kernel.value_and_derivative(z);
                    let (wv, wd) = link.value_and_derivative(z);
                    assert_eq!((v.to_bits(), d.to_bits()), (wv.to_bits(), wd.to_bits()));
                }
            }
        }
        assert_eq!(HermiteKernel::of(Link::Erf), None);
    }

    #[test]
    fn lanes_equal_one_sample_at_a_time() {
        let he = HermiteKernel::of("he4n".parse().unwrap()).unwrap();
        let z = F64s([-1.2, 0.3, 2.5, -0.0]);
        let w = F64s([0.7, -1.9, 0.1, 4.0]);
        for link in [Link::Erf, Link::Tanh, Link::Relu] {
            let kernel = LibmKernel(link);
            let (v, d) = kernel.value_and_derivative(z);
            for j in 0..LANES {
                assert_eq!(v.0[j].to_bits(), link.value(z.0[j]).to_bits());
                assert_eq!(d.0[j].to_bits(), link.derivative(z.0[j]).to_bits());
            }
        }
        let committee = CommitteeKernel(he).value(&[z, w]);
        let product = TanhProductKernel.value(&[z, w]);
        for j in 0..LANES {
            let one = CommitteeKernel(he).value(&[z.0[j], w.0[j]]);
            assert_eq!(committee.0[j].to_bits(), one.to_bits());
            let want = Target::TanhProduct.value(&[z.0[j], w.0[j]]);
            assert_eq!(product.0[j].to_bits(), want.to_bits());
            let staircase: Target =
                r#"{"hermite": [[1, [1, 0]], [-0.5, [2, 3]]]}"#.parse().unwrap();
            let Target::Hermite(h) = staircase else {
                unreachable!()
            };
            assert_eq!(
                HermitePolynomialKernel(h).value(&[z, w]).0[j].to_bits(),
                staircase.value(&[z.0[j], w.0[j]]).to_bits()
            );
            assert_eq!(
                CommitteeKernel(he).value(&[z]).0[j].to_bits(),
                Target::Committee("he4n".parse().unwrap())
                    .value(&[z.0[j]])
                    .to_bits()
            );
        }
    }
}
