//! [`U64s`]: one `u64` per lane, held in vector registers: the one place where the lanes touch
//! `std::arch`.
//!
//! The lane streams' xoshiro256++ steps and the ziggurat's bit manipulations are integer
//! operations that the compiler's auto-vectoriser tends to split into four scalar chains
//! (a scalar rotate is one instruction, a vector one three), which then pay for moving every
//! word into a vector register for the floating-point part. Written with vector types they stay
//! in vector registers from the state to the candidate normal:
//!
//! * x86_64: two SSE2 registers (`__m128i`, two lanes each; SSE2 is in every x86_64 CPU);
//! * wasm32 built with `simd128` (this project's wasm build, `.cargo/config.toml`): two `v128`;
//! * any other target: a plain `[u64; LANES]`.
//!
//! Every operation is the exact lane-wise integer operation (wrapping add, and, or, xor, logical
//! shifts), so the representation never changes a value: lane j holds what the scalar code
//! computes on lane j (tests below compare each operation with `u64` arithmetic).

use super::lanes::{F64s, LANES};

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_castsi128_pd, _mm_cvtsi32_si128, _mm_or_si128,
        _mm_set1_epi64x, _mm_sll_epi64, _mm_srl_epi64, _mm_xor_si128,
    };

    /// Two lanes.
    pub type Pair = __m128i;

    #[inline(always)]
    pub fn splat(x: u64) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_set1_epi64x(x as i64) }
    }
    #[inline(always)]
    pub fn add(a: Pair, b: Pair) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_add_epi64(a, b) }
    }
    #[inline(always)]
    pub fn and(a: Pair, b: Pair) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_and_si128(a, b) }
    }
    #[inline(always)]
    pub fn or(a: Pair, b: Pair) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_or_si128(a, b) }
    }
    #[inline(always)]
    pub fn xor(a: Pair, b: Pair) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_xor_si128(a, b) }
    }
    #[inline(always)]
    pub fn shl(a: Pair, n: u32) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_sll_epi64(a, _mm_cvtsi32_si128(n as i32)) }
    }
    #[inline(always)]
    pub fn shr(a: Pair, n: u32) -> Pair {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe { _mm_srl_epi64(a, _mm_cvtsi32_si128(n as i32)) }
    }
    #[inline(always)]
    pub fn to_f64_bits(a: Pair) -> [f64; 2] {
        // SAFETY: SSE2 is part of the x86_64 baseline; __m128d and [f64; 2] have the same layout.
        unsafe { std::mem::transmute(_mm_castsi128_pd(a)) }
    }
    #[inline(always)]
    pub fn from_words(w: [u64; 2]) -> Pair {
        // SAFETY: __m128i and [u64; 2] have the same size; every bit pattern is valid.
        unsafe { std::mem::transmute(w) }
    }
    #[inline(always)]
    pub fn to_words(a: Pair) -> [u64; 2] {
        // SAFETY: as in from_words.
        unsafe { std::mem::transmute(a) }
    }
    /// ((p[0], q[0]), (p[1], q[1])), left to the compiler: four 8-byte loads measured faster
    /// here than two 16-byte loads and two unpacks (BENCHMARKS.md).
    #[inline(always)]
    pub fn transpose(p: &[f64; 2], q: &[f64; 2]) -> ([f64; 2], [f64; 2]) {
        ([p[0], q[0]], [p[1], q[1]])
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use std::arch::wasm32::{
        f64x2_extract_lane, i64x2_shl, i64x2_shuffle, u64x2, u64x2_add, u64x2_extract_lane,
        u64x2_shr, u64x2_splat, v128, v128_and, v128_load, v128_or, v128_xor,
    };

    /// Two lanes.
    pub type Pair = v128;

    #[inline(always)]
    pub fn splat(x: u64) -> Pair {
        u64x2_splat(x)
    }
    #[inline(always)]
    pub fn add(a: Pair, b: Pair) -> Pair {
        u64x2_add(a, b)
    }
    #[inline(always)]
    pub fn and(a: Pair, b: Pair) -> Pair {
        v128_and(a, b)
    }
    #[inline(always)]
    pub fn or(a: Pair, b: Pair) -> Pair {
        v128_or(a, b)
    }
    #[inline(always)]
    pub fn xor(a: Pair, b: Pair) -> Pair {
        v128_xor(a, b)
    }
    #[inline(always)]
    pub fn shl(a: Pair, n: u32) -> Pair {
        i64x2_shl(a, n)
    }
    #[inline(always)]
    pub fn shr(a: Pair, n: u32) -> Pair {
        u64x2_shr(a, n)
    }
    #[inline(always)]
    pub fn to_f64_bits(a: Pair) -> [f64; 2] {
        [f64x2_extract_lane::<0>(a), f64x2_extract_lane::<1>(a)]
    }
    #[inline(always)]
    pub fn from_words(w: [u64; 2]) -> Pair {
        u64x2(w[0], w[1])
    }
    #[inline(always)]
    pub fn to_words(a: Pair) -> [u64; 2] {
        [u64x2_extract_lane::<0>(a), u64x2_extract_lane::<1>(a)]
    }
    /// ((p[0], q[0]), (p[1], q[1])): two 16-byte loads and two shuffles.
    #[inline(always)]
    pub fn transpose(p: &[f64; 2], q: &[f64; 2]) -> ([f64; 2], [f64; 2]) {
        // SAFETY: each load reads the 16 bytes of one [f64; 2] (wasm loads need no alignment).
        let (a, b) = unsafe { (v128_load(p.as_ptr().cast()), v128_load(q.as_ptr().cast())) };
        let (lo, hi) = (i64x2_shuffle::<0, 2>(a, b), i64x2_shuffle::<1, 3>(a, b));
        (
            [f64x2_extract_lane::<0>(lo), f64x2_extract_lane::<1>(lo)],
            [f64x2_extract_lane::<0>(hi), f64x2_extract_lane::<1>(hi)],
        )
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
use portable as imp;

/// Plain arrays: the implementation on other targets, and the reference the tests compare the
/// vector implementations with.
#[cfg(any(
    test,
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ))
))]
#[cfg_attr(test, allow(dead_code))] // on x86_64 only the tests use it (not all of it)
mod portable {
    /// Two lanes.
    pub type Pair = [u64; 2];

    #[inline(always)]
    pub fn splat(x: u64) -> Pair {
        [x; 2]
    }
    #[inline(always)]
    pub fn add(a: Pair, b: Pair) -> Pair {
        [a[0].wrapping_add(b[0]), a[1].wrapping_add(b[1])]
    }
    #[inline(always)]
    pub fn and(a: Pair, b: Pair) -> Pair {
        [a[0] & b[0], a[1] & b[1]]
    }
    #[inline(always)]
    pub fn or(a: Pair, b: Pair) -> Pair {
        [a[0] | b[0], a[1] | b[1]]
    }
    #[inline(always)]
    pub fn xor(a: Pair, b: Pair) -> Pair {
        [a[0] ^ b[0], a[1] ^ b[1]]
    }
    #[inline(always)]
    pub fn shl(a: Pair, n: u32) -> Pair {
        [a[0] << n, a[1] << n]
    }
    #[inline(always)]
    pub fn shr(a: Pair, n: u32) -> Pair {
        [a[0] >> n, a[1] >> n]
    }
    #[inline(always)]
    pub fn to_f64_bits(a: Pair) -> [f64; 2] {
        a.map(f64::from_bits)
    }
    #[inline(always)]
    pub fn from_words(w: [u64; 2]) -> Pair {
        w
    }
    #[inline(always)]
    pub fn to_words(a: Pair) -> [u64; 2] {
        a
    }
    /// ((p[0], q[0]), (p[1], q[1])).
    #[inline(always)]
    pub fn transpose(p: &[f64; 2], q: &[f64; 2]) -> ([f64; 2], [f64; 2]) {
        ([p[0], q[0]], [p[1], q[1]])
    }
}

const _: () = assert!(LANES == 4, "U64s holds two pairs of lanes");

/// The table entries of four lanes, transposed: for `pairs[j] = [first_j, second_j]` (one
/// 16-byte entry per lane, e.g. a ziggurat layer's two edges) returns
/// (F64s of the first entries, F64s of the second ones), with four 16-byte loads instead of
/// eight 8-byte ones.
#[inline(always)]
pub fn gather_pairs(pairs: [&[f64; 2]; LANES]) -> (F64s, F64s) {
    let (first_01, second_01) = imp::transpose(pairs[0], pairs[1]);
    let (first_23, second_23) = imp::transpose(pairs[2], pairs[3]);
    (
        F64s([first_01[0], first_01[1], first_23[0], first_23[1]]),
        F64s([second_01[0], second_01[1], second_23[0], second_23[1]]),
    )
}

/// One u64 per lane (lanes 0, 1 in the first pair, 2, 3 in the second; in memory, lane j is
/// the j-th `u64`, as in `[u64; LANES]`).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct U64s([imp::Pair; 2]);

macro_rules! pairwise {
    ($trait:ident, $method:ident, $op:path) => {
        impl std::ops::$trait for U64s {
            type Output = U64s;
            #[inline(always)]
            fn $method(self, rhs: U64s) -> U64s {
                U64s([$op(self.0[0], rhs.0[0]), $op(self.0[1], rhs.0[1])])
            }
        }
    };
}

pairwise!(Add, add, imp::add);
pairwise!(BitAnd, bitand, imp::and);
pairwise!(BitOr, bitor, imp::or);
pairwise!(BitXor, bitxor, imp::xor);

impl std::ops::Shl<u32> for U64s {
    type Output = U64s;
    /// Lane-wise `a << n` (n < 64).
    #[inline(always)]
    fn shl(self, n: u32) -> U64s {
        U64s(self.0.map(|a| imp::shl(a, n)))
    }
}

impl std::ops::Shr<u32> for U64s {
    type Output = U64s;
    /// Lane-wise logical `a >> n` (n < 64).
    #[inline(always)]
    fn shr(self, n: u32) -> U64s {
        U64s(self.0.map(|a| imp::shr(a, n)))
    }
}

impl U64s {
    /// The same value in every lane.
    #[inline(always)]
    pub fn splat(x: u64) -> U64s {
        U64s([imp::splat(x); 2])
    }

    /// The lanes from an array (lane j = `words[j]`).
    #[inline(always)]
    pub fn from_array(words: [u64; LANES]) -> U64s {
        U64s([
            imp::from_words([words[0], words[1]]),
            imp::from_words([words[2], words[3]]),
        ])
    }

    /// The lanes as an array (`[j]` = lane j).
    #[inline(always)]
    pub fn to_array(self) -> [u64; LANES] {
        let [a, b] = self.0.map(imp::to_words);
        [a[0], a[1], b[0], b[1]]
    }

    /// The lanes in place, as `[u64; LANES]` (lane j is `[j]`): for code that works on one lane
    /// in memory with 8-byte loads and stores (a value held in registers is better served by
    /// [`U64s::to_array`] and [`U64s::with_lane`]).
    #[inline(always)]
    pub fn lanes_mut(&mut self) -> &mut [u64; LANES] {
        // SAFETY: U64s is repr(C) over two pairs that are each two u64 with lane 0 first
        // (from_words / to_words), so it has the size of [u64; LANES], an alignment at least
        // that of u64, and every bit pattern is valid for both types.
        unsafe { &mut *(self as *mut U64s).cast::<[u64; LANES]>() }
    }

    /// The same lanes with lane `j` replaced by `value`, by a mask (`(self & !m) | (value & m)`
    /// with m all ones in lane j): no narrow store followed by a wide load, which would stall.
    #[inline(always)]
    pub fn with_lane(self, j: usize, value: u64) -> U64s {
        const fn one_lane(j: usize) -> [u64; LANES] {
            let mut m = [0; LANES];
            m[j] = u64::MAX;
            m
        }
        const MASKS: [[u64; LANES]; LANES] = [one_lane(0), one_lane(1), one_lane(2), one_lane(3)];
        let keep = U64s::from_array(MASKS[j].map(|m| !m));
        let set = U64s::from_array(MASKS[j]);
        (self & keep) | (U64s::splat(value) & set)
    }

    /// Lane-wise rotation to the left by `n` bits (`(a << n) | (a >> (64 - n))`, 0 < n < 64).
    #[inline(always)]
    pub fn rotate_left(self, n: u32) -> U64s {
        (self << n) | (self >> (64 - n))
    }

    /// Lane-wise reinterpretation of the bits as f64 ([`f64::from_bits`]).
    #[inline(always)]
    pub fn to_bits_f64(self) -> F64s {
        let [a, b] = self.0.map(imp::to_f64_bits);
        F64s([a[0], a[1], b[0], b[1]])
    }

    /// Lane-wise u = (bits >> 11) 2^-52 - 1 in [-1, 1), the ziggurat's uniform, equal bit for
    /// bit to that scalar expression (which is exact: n = bits >> 11 < 2^53 converts exactly,
    /// the product is a power-of-two scaling and the difference is a multiple of 2^-52 below 1
    /// in magnitude), computed with bit operations and one subtraction: the low 52 bits of n
    /// as a mantissa give y = 1 + (n mod 2^52) 2^-52 in [1, 2), and u = y - c with c = 2 when
    /// n's top bit (bit 63 of `bits`) is 0 and c = 1 when it is 1; the subtraction is exact.
    #[inline(always)]
    pub fn to_signed_unit(self) -> F64s {
        const ONE: u64 = 0x3FF0_0000_0000_0000;
        let y = (((self << 1) >> 12) | U64s::splat(ONE)).to_bits_f64();
        // bits of c: 1.0 plus one in the exponent field when the top bit is 0
        let c = ((((self >> 63) ^ U64s::splat(1)) << 52) + U64s::splat(ONE)).to_bits_f64();
        y - c
    }
}

impl Default for U64s {
    fn default() -> U64s {
        U64s::splat(0)
    }
}

impl PartialEq for U64s {
    fn eq(&self, other: &U64s) -> bool {
        self.to_array() == other.to_array()
    }
}

impl Eq for U64s {}

impl std::fmt::Debug for U64s {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("U64s").field(&self.to_array()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SimRng;
    use rand::{RngCore, SeedableRng};

    fn random_words(rng: &mut SimRng) -> [u64; LANES] {
        std::array::from_fn(|_| rng.next_u64())
    }

    #[test]
    fn every_operation_is_the_lanewise_u64_operation() {
        let mut rng = SimRng::seed_from_u64(3);
        for _ in 0..2000 {
            let (a, b) = (random_words(&mut rng), random_words(&mut rng));
            let (va, vb) = (U64s::from_array(a), U64s::from_array(b));
            let n = (rng.next_u32() % 63) + 1;
            let lanewise =
                |f: fn(u64, u64) -> u64| -> [u64; LANES] { std::array::from_fn(|j| f(a[j], b[j])) };
            assert_eq!(va.to_array(), a);
            assert_eq!((va + vb).to_array(), lanewise(u64::wrapping_add));
            assert_eq!((va & vb).to_array(), lanewise(|x, y| x & y));
            assert_eq!((va | vb).to_array(), lanewise(|x, y| x | y));
            assert_eq!((va ^ vb).to_array(), lanewise(|x, y| x ^ y));
            assert_eq!((va << n).to_array(), a.map(|x| x << n));
            assert_eq!((va >> n).to_array(), a.map(|x| x >> n));
            assert_eq!(va.rotate_left(n).to_array(), a.map(|x| x.rotate_left(n)));
            let j = n as usize % LANES;
            let mut replaced = a;
            replaced[j] = b[0];
            assert_eq!(va.with_lane(j, b[0]).to_array(), replaced);
            let mut in_place = va;
            in_place.lanes_mut()[j] = b[0];
            assert_eq!(in_place.to_array(), replaced);
            let bits = va.to_bits_f64();
            assert_eq!(bits.0.map(f64::to_bits), a);
        }
        assert_eq!(U64s::splat(7).to_array(), [7; LANES]);
    }

    /// The target's pair operations against the plain-array ones, on random words.
    #[test]
    fn vector_pairs_equal_the_portable_pairs() {
        let mut rng = SimRng::seed_from_u64(8);
        for _ in 0..2000 {
            let (a, b) = (
                [rng.next_u64(), rng.next_u64()],
                [rng.next_u64(), rng.next_u64()],
            );
            let n = (rng.next_u32() % 63) + 1;
            let (va, vb) = (imp::from_words(a), imp::from_words(b));
            assert_eq!(imp::to_words(imp::add(va, vb)), portable::add(a, b));
            assert_eq!(imp::to_words(imp::and(va, vb)), portable::and(a, b));
            assert_eq!(imp::to_words(imp::or(va, vb)), portable::or(a, b));
            assert_eq!(imp::to_words(imp::xor(va, vb)), portable::xor(a, b));
            assert_eq!(imp::to_words(imp::shl(va, n)), portable::shl(a, n));
            assert_eq!(imp::to_words(imp::shr(va, n)), portable::shr(a, n));
            assert_eq!(imp::to_words(imp::splat(a[0])), portable::splat(a[0]));
            let bits = |x: [f64; 2]| x.map(f64::to_bits);
            assert_eq!(bits(imp::to_f64_bits(va)), bits(portable::to_f64_bits(a)));
            let (p, q) = (a.map(f64::from_bits), b.map(f64::from_bits));
            let (lo, hi) = imp::transpose(&p, &q);
            let (want_lo, want_hi) = portable::transpose(&p, &q);
            assert_eq!((bits(lo), bits(hi)), (bits(want_lo), bits(want_hi)));
        }
    }

    #[test]
    fn signed_unit_is_the_scalar_uniform() {
        let scalar = |b: u64| (b >> 11) as f64 * (1.0 / (1u64 << 52) as f64) - 1.0;
        let mut rng = SimRng::seed_from_u64(4);
        let check = |words: [u64; LANES]| {
            let u = U64s::from_array(words).to_signed_unit();
            assert_eq!(
                u.0.map(f64::to_bits),
                words.map(|w| scalar(w).to_bits()),
                "{words:x?}"
            );
        };
        for _ in 0..100_000 {
            check(random_words(&mut rng));
        }
        check([0, u64::MAX, 1 << 63, (1 << 63) - 1]);
        check([1 << 11, (1 << 63) | (1 << 11), (1 << 63) - (1 << 11), 0x7FF]);
    }

    #[test]
    fn gathered_pairs_are_transposed() {
        let table: Vec<[f64; 2]> = (0..8).map(|i| [i as f64, -(i as f64) - 0.5]).collect();
        let (first, second) = gather_pairs([&table[3], &table[0], &table[7], &table[3]]);
        assert_eq!(first.0, [3.0, 0.0, 7.0, 3.0]);
        assert_eq!(second.0, [-3.5, -0.5, -7.5, -3.5]);
    }
}
