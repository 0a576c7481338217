//! Lanes: [`LANES`] independent samples computed side by side, and the xoshiro256++ streams
//! that feed them.
//!
//! # Lane layout
//! [`F64s`] and [`U64s`] hold one value per lane: `[f64; LANES]`, 32-byte aligned, and two
//! vector registers of two `u64` each (SSE2 on x86_64, `simd128` in the wasm build; the module
//! `lane_words` is the one place that names `std::arch`). Every operation on them is the
//! lane-wise IEEE-754 operation (`+ - * /`, compare, bit operations, wrapping integer add);
//! there is no fused multiply-add and no approximate instruction, so lane j of any result is
//! bit for bit what the same scalar code computes on lane j's inputs. The compiler turns the
//! lane-wise f64 loops into vector instructions: SSE2 on every x86_64 host, AVX2 inside the
//! exact sampler's lane kernel when the host has it (detected at run time, once per batch),
//! and wasm `simd128` (`.cargo/config.toml`). Which instructions run never changes the
//! numbers.
//!
//! The generic kernels are written once over the [`Lane`] trait, implemented by `f64` (one
//! sample, the scalar path) and by [`F64s`] (all lanes at once).
//!
//! # Streams
//! [`LaneRng`] holds the states of [`LANES`] xoshiro256++ generators in structure-of-arrays
//! form (word w of lane j is lane j of `s[w]`); [`LaneRng::next_all`] advances all of them at
//! once and [`LaneRng::lane`] gives one lane as an ordinary [`rand::RngCore`] (put back with
//! [`LaneRng::set_lane`]), so a scalar draw on lane j and the lane-wise draw consume lane j's
//! stream identically.

pub use super::lane_words::U64s;
use rand::{RngCore, SeedableRng};
use std::ops::{Add, Div, Mul, Sub};

/// Number of lanes: samples computed side by side (4 f64 = one AVX2 register, two wasm
/// `simd128` registers).
pub const LANES: usize = 4;

/// One f64 per lane.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[repr(C, align(32))]
pub struct F64s(pub [f64; LANES]);

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
        let mut s = [[0u64; LANES]; 4];
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
                word[j] = value;
            }
        }
        LaneRng {
            s: s.map(U64s::from_array),
        }
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
        let [s0, s1, s2, s3] = &self.s;
        OneLane([
            s0.to_array()[j],
            s1.to_array()[j],
            s2.to_array()[j],
            s3.to_array()[j],
        ])
    }

    /// Lane `j` in place, as a generator (it advances only lane j's state, with 8-byte loads and
    /// stores: the one-lane path's way, where [`LaneRng::lane`] and [`LaneRng::set_lane`] would
    /// move whole vectors).
    #[inline(always)]
    pub fn lane_mut(&mut self, j: usize) -> LaneMut<'_> {
        LaneMut { rng: self, lane: j }
    }

    /// Writes lane `j`'s state back (after draws on the copy from [`LaneRng::lane`]).
    #[inline(always)]
    pub fn set_lane(&mut self, j: usize, state: OneLane) {
        for (word, value) in self.s.iter_mut().zip(state.0) {
            *word = word.with_lane(j, value);
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
        xoshiro_step(
            &mut s0.lanes_mut()[j],
            &mut s1.lanes_mut()[j],
            &mut s2.lanes_mut()[j],
            &mut s3.lanes_mut()[j],
        )
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
                    assert_eq!(all.to_array()[j], r.next_u64());
                }
            } else {
                let j = round % LANES;
                if round % 2 == 0 {
                    assert_eq!(lanes.lane_mut(j).next_u64(), reference[j].next_u64());
                } else {
                    let mut one = lanes.lane(j);
                    for _ in 0..round % 4 {
                        assert_eq!(one.next_u64(), reference[j].next_u64());
                    }
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
            assert!(all.to_array().iter().all(|&x| x == e));
        }
    }
}
