//! Lanes: [`LANES`] independent samples computed side by side, and the xoshiro256++ streams
//! that feed them.
//!
//! # Lane layout
//! [`F64s`] and [`U64s`] hold one value per lane (`[f64; LANES]`, `[u64; LANES]`, 32-byte
//! aligned). Every operation on them is the lane-wise IEEE-754 operation (`+ - * /`, compare,
//! bit operations, wrapping integer add); there is no fused multiply-add and no approximate
//! instruction, so lane j of any result is bit for bit what the same scalar code computes on
//! lane j's inputs. The compiler turns the lane-wise loops into vector instructions: SSE2 on
//! every x86_64 host, AVX2 inside the exact sampler's lane kernel when the host has it
//! (detected at run time, once per batch), and wasm `simd128` when the wasm32 build enables it
//! (`.cargo/config.toml`). Which instructions run never changes the numbers.
//!
//! The generic kernels are written once over the [`Lane`] trait, implemented by `f64` (one
//! sample, the scalar path) and by [`F64s`] (all lanes at once).
//!
//! # Streams
//! [`LaneRng`] holds the states of [`LANES`] xoshiro256++ generators in structure-of-arrays
//! form (word w of lane j is `s[w].0[j]`); [`LaneRng::next_all`] advances all of them at once
//! and [`LaneRng::lane`] gives one lane as an ordinary [`rand::RngCore`] (put back with
//! [`LaneRng::set_lane`]), so a scalar draw on
//! lane j and the lane-wise draw consume lane j's stream identically.

use rand::{RngCore, SeedableRng};
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Shl, Shr, Sub};

/// Number of lanes: samples computed side by side (4 f64 = one AVX2 register, two wasm
/// `simd128` registers).
pub const LANES: usize = 4;

/// One f64 per lane.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[repr(C, align(32))]
pub struct F64s(pub [f64; LANES]);

/// One u64 per lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C, align(32))]
pub struct U64s(pub [u64; LANES]);

macro_rules! lanewise {
    ($ty:ident, $trait:ident, $method:ident, $op:expr) => {
        impl $trait for $ty {
            type Output = $ty;
            #[inline(always)]
            fn $method(self, rhs: $ty) -> $ty {
                let f = $op;
                $ty(std::array::from_fn(|j| f(self.0[j], rhs.0[j])))
            }
        }
    };
}

lanewise!(F64s, Add, add, |a: f64, b: f64| a + b);
lanewise!(F64s, Sub, sub, |a: f64, b: f64| a - b);
lanewise!(F64s, Mul, mul, |a: f64, b: f64| a * b);
lanewise!(F64s, Div, div, |a: f64, b: f64| a / b);
lanewise!(U64s, Add, add, |a: u64, b: u64| a.wrapping_add(b));
lanewise!(U64s, BitAnd, bitand, |a: u64, b: u64| a & b);
lanewise!(U64s, BitOr, bitor, |a: u64, b: u64| a | b);
lanewise!(U64s, BitXor, bitxor, |a: u64, b: u64| a ^ b);

impl Shl<u32> for U64s {
    type Output = U64s;
    #[inline(always)]
    fn shl(self, n: u32) -> U64s {
        U64s(self.0.map(|a| a << n))
    }
}

impl Shr<u32> for U64s {
    type Output = U64s;
    #[inline(always)]
    fn shr(self, n: u32) -> U64s {
        U64s(self.0.map(|a| a >> n))
    }
}

impl U64s {
    /// The same value in every lane.
    #[inline(always)]
    pub fn splat(x: u64) -> U64s {
        U64s([x; LANES])
    }

    /// Lane-wise rotation to the left by `n` bits (`(a << n) | (a >> (64 - n))`, 0 < n < 64).
    #[inline(always)]
    pub fn rotate_left(self, n: u32) -> U64s {
        (self << n) | (self >> (64 - n))
    }

    /// Lane-wise reinterpretation of the bits as f64.
    #[inline(always)]
    pub fn to_bits_f64(self) -> F64s {
        F64s(self.0.map(f64::from_bits))
    }

    /// Lane-wise exact conversion of integers below 2^53 to f64 (equal to `a as f64`),
    /// built from bit operations that every vector instruction set has: the high 27 and the
    /// low 26 bits each become exact doubles through the exponent 2^52
    /// (`from_bits(0x4330_0000_0000_0000 | h) - 2^52 = h` for h < 2^52), then
    /// `high * 2^26 + low` is exact because the result has at most 53 significant bits.
    #[inline(always)]
    pub fn small_to_f64(self) -> F64s {
        const EXPONENT_52: u64 = 0x4330_0000_0000_0000;
        let two52 = F64s::splat(4_503_599_627_370_496.0);
        let high = ((self >> 26) | U64s::splat(EXPONENT_52)).to_bits_f64() - two52;
        let low =
            ((self & U64s::splat((1 << 26) - 1)) | U64s::splat(EXPONENT_52)).to_bits_f64() - two52;
        high * F64s::splat(67_108_864.0) + low
    }
}

impl F64s {
    /// The same value in every lane.
    #[inline(always)]
    pub fn splat(x: f64) -> F64s {
        F64s([x; LANES])
    }

    /// Lane-wise |x| (clears the sign bit, like [`f64::abs`]).
    #[inline(always)]
    pub fn abs(self) -> F64s {
        F64s(self.0.map(f64::abs))
    }

    /// True when `self[j] < other[j]` in every lane.
    #[inline(always)]
    pub fn all_less_than(self, other: F64s) -> bool {
        let mut all = true;
        for j in 0..LANES {
            all &= self.0[j] < other.0[j];
        }
        all
    }
}

/// Arithmetic shared by the scalar path (`f64`, one sample) and the lane path ([`F64s`]):
/// lane-wise IEEE-754 operations only, so both give the same bits per sample.
pub trait Lane:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// `x` in every lane.
    fn splat(x: f64) -> Self;
    /// `f` applied to every lane (transcendental functions: always `libm`'s).
    fn map(self, f: impl Fn(f64) -> f64) -> Self;
}

impl Lane for f64 {
    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> f64 {
        f(self)
    }
}

impl Lane for F64s {
    #[inline(always)]
    fn splat(x: f64) -> F64s {
        F64s::splat(x)
    }
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> F64s {
        F64s(self.0.map(f))
    }
}

/// [`LANES`] xoshiro256++ generators, structure of arrays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaneRng {
    s: [U64s; 4],
}

impl LaneRng {
    /// Lane j's generator is [`SimRng::from_rng(parent)`](super::SimRng) for j = 0, 1, ..., in that order: its
    /// four state words are the next four `u64` of `parent` (an all-zero state, probability
    /// 2^-256, is mapped like xoshiro's `from_seed` maps it: to `seed_from_u64(0)`).
    pub fn from_parent<R: RngCore + ?Sized>(parent: &mut R) -> LaneRng {
        let mut s = [U64s::default(); 4];
        for j in 0..LANES {
            let mut words = [0u64; 4];
            for w in words.iter_mut() {
                *w = parent.next_u64();
            }
            if words == [0; 4] {
                let mut splitmix = rand_xoshiro::SplitMix64::seed_from_u64(0);
                for w in words.iter_mut() {
                    *w = splitmix.next_u64();
                }
            }
            for (word, value) in s.iter_mut().zip(words) {
                word.0[j] = value;
            }
        }
        LaneRng { s }
    }

    /// The next output of every lane: xoshiro256++,
    /// out = rotl(s0 + s3, 23) + s0; t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
    /// s2 ^= t; s3 = rotl(s3, 45).
    #[inline(always)]
    pub fn next_all(&mut self) -> U64s {
        let [s0, s1, s2, s3] = &mut self.s;
        let out = (*s0 + *s3).rotate_left(23) + *s0;
        let t = *s1 << 17;
        *s2 = *s2 ^ *s0;
        *s3 = *s3 ^ *s1;
        *s1 = *s1 ^ *s2;
        *s0 = *s0 ^ *s3;
        *s2 = *s2 ^ t;
        *s3 = s3.rotate_left(45);
        out
    }

    /// Lane `j`'s state, as a generator of its own (copied out: the lanes are not borrowed, so
    /// a vector loop can keep them in registers); [`LaneRng::set_lane`] puts it back.
    #[inline(always)]
    pub fn lane(&self, j: usize) -> OneLane {
        OneLane(self.s.map(|w| w.0[j]))
    }

    /// Lane `j` in place, as a generator (it advances only lane j's state).
    #[inline(always)]
    pub fn lane_mut(&mut self, j: usize) -> LaneMut<'_> {
        LaneMut { rng: self, lane: j }
    }

    /// Writes lane `j`'s state back (after draws on the copy from [`LaneRng::lane`]).
    #[inline(always)]
    pub fn set_lane(&mut self, j: usize, state: OneLane) {
        for (word, value) in self.s.iter_mut().zip(state.0) {
            word.0[j] = value;
        }
    }
}

/// One lane of a [`LaneRng`] as an ordinary xoshiro256++ generator (state s0..s3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OneLane([u64; 4]);

impl RngCore for OneLane {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let [a, b, c, d] = &mut self.0;
        xoshiro_step(a, b, c, d)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

/// One lane of a [`LaneRng`], borrowed, as an ordinary generator.
#[derive(Debug)]
pub struct LaneMut<'a> {
    rng: &'a mut LaneRng,
    lane: usize,
}

impl RngCore for LaneMut<'_> {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let j = self.lane;
        let [s0, s1, s2, s3] = &mut self.rng.s;
        xoshiro_step(&mut s0.0[j], &mut s1.0[j], &mut s2.0[j], &mut s3.0[j])
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

/// One xoshiro256++ step on the state (a, b, c, d) = (s0, s1, s2, s3), as [`LaneRng::next_all`].
#[inline(always)]
fn xoshiro_step(a: &mut u64, b: &mut u64, c: &mut u64, d: &mut u64) -> u64 {
    let out = a.wrapping_add(*d).rotate_left(23).wrapping_add(*a);
    let t = *b << 17;
    *c ^= *a;
    *d ^= *b;
    *b ^= *c;
    *a ^= *d;
    *c ^= t;
    *d = d.rotate_left(45);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SimRng;

    #[test]
    fn lanes_are_the_xoshiro_streams_seeded_from_the_parent() {
        let mut parent = SimRng::seed_from_u64(5);
        let mut copy = parent.clone();
        let mut lanes = LaneRng::from_parent(&mut parent);
        let mut reference: Vec<SimRng> = (0..LANES).map(|_| SimRng::from_rng(&mut copy)).collect();
        // the parent moved on by exactly 4 words per lane
        assert_eq!(parent.next_u64(), copy.next_u64());
        for round in 0..1000 {
            if round % 3 == 0 {
                let all = lanes.next_all();
                for (j, r) in reference.iter_mut().enumerate() {
                    assert_eq!(all.0[j], r.next_u64());
                }
            } else {
                let j = round % LANES;
                let want = reference[j].next_u64();
                if round % 2 == 0 {
                    assert_eq!(lanes.lane_mut(j).next_u64(), want);
                } else {
                    let mut one = lanes.lane(j);
                    assert_eq!(one.next_u64(), want);
                    lanes.set_lane(j, one);
                }
            }
        }
    }

    #[test]
    fn zero_state_is_mapped_like_from_seed() {
        struct Zeros;
        impl RngCore for Zeros {
            fn next_u32(&mut self) -> u32 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                0
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                dest.fill(0);
            }
        }
        let mut lanes = LaneRng::from_parent(&mut Zeros);
        let mut expected = SimRng::from_seed([0; 32]);
        for _ in 0..10 {
            let all = lanes.next_all();
            let e = expected.next_u64();
            assert!(all.0.iter().all(|&x| x == e));
        }
    }

    #[test]
    fn small_integers_convert_exactly() {
        let mut rng = SimRng::seed_from_u64(9);
        for _ in 0..10_000 {
            let v = U64s(std::array::from_fn(|_| rng.next_u64() >> 11));
            let f = v.small_to_f64();
            for j in 0..LANES {
                assert_eq!(f.0[j].to_bits(), (v.0[j] as f64).to_bits());
            }
        }
        let edges = U64s([0, 1, (1 << 53) - 1, 1 << 52]);
        for j in 0..LANES {
            assert_eq!(edges.small_to_f64().0[j], edges.0[j] as f64);
        }
    }
}
