//! The information exponent and the leap index of a multi-index teacher, computed from its
//! Hermite support S = {alpha in N^k : c_alpha != 0} (docs/science.md, "Multi-index targets").
//!
//! * Information exponent: the smallest total degree |alpha| >= 1 over S.
//! * Leap index (Abbe, Boix-Adsera & Misiakiewicz 2023, Gaussian case): order S as
//!   alpha_1..alpha_m; the leap of the ordering is the largest total degree that some alpha_i
//!   puts on coordinates no earlier alpha_j uses; Leap(S) is the minimum over orderings.
//!
//! Both are read in the basis the support is written in: the leap so computed is an upper
//! bound on the rotation-invariant leap (a rotation of the k directions can only lower it),
//! and for k = 1 it equals the information exponent.
//!
//! # The algorithm, and why it gives the minimum
//!
//! For a threshold L, the *closure* starts with no coordinate used and repeatedly takes any
//! term not yet taken whose degree on unused coordinates is <= L, marking its coordinates
//! used, until no term qualifies. [`leap_index`] is the smallest L whose closure takes every
//! term (L = max |alpha| always does, so it exists). This is the minimum over orderings:
//! * the closure's order is an ordering of leap <= L, so Leap(S) <= L whenever the closure
//!   at L takes every term;
//! * conversely, let alpha_1..alpha_m be an ordering of leap L. If the closure at L stopped
//!   with terms left, take the first alpha_i of that ordering it did not take: it took
//!   alpha_1..alpha_{i-1}, so its used set contains theirs, and a term's degree on unused
//!   coordinates can only shrink when more coordinates are used; so alpha_i's new degree is
//!   <= L and the closure would have taken it. Hence the closure at Leap(S) takes every term.
//!
//! The cost is O(L_max m^2 k) for m terms: nothing next to a run.

/// The smallest total degree >= 1 of a multi-index in `support`, or `None` if there is none.
pub fn support_information_exponent(support: &[Vec<u32>]) -> Option<u32> {
    support
        .iter()
        .map(|alpha| alpha.iter().sum::<u32>())
        .filter(|&degree| degree >= 1)
        .min()
}

/// The degree alpha puts on coordinates not in `used`.
fn new_degree(alpha: &[u32], used: &[bool]) -> u32 {
    alpha
        .iter()
        .zip(used)
        .filter(|(_, &u)| !u)
        .map(|(&a, _)| a)
        .sum()
}

/// Whether the closure at threshold `leap` takes every multi-index of `support` (module docs).
fn closure_takes_all(support: &[Vec<u32>], leap: u32) -> bool {
    let k = support.iter().map(Vec::len).max().unwrap_or(0);
    let mut used = vec![false; k];
    let mut taken = vec![false; support.len()];
    loop {
        let mut progressed = false;
        for (alpha, done) in support.iter().zip(taken.iter_mut()) {
            if !*done && new_degree(alpha, &used) <= leap {
                *done = true;
                progressed = true;
                for (u, &a) in used.iter_mut().zip(alpha) {
                    *u |= a >= 1;
                }
            }
        }
        if !progressed {
            return taken.iter().all(|&t| t);
        }
    }
}

/// The leap index of `support` in its basis: the minimum over orderings of the support of the
/// largest degree a term puts on coordinates unused by the terms before it (module docs for
/// the algorithm and why it is exact). 0 for an empty or constant support.
pub fn leap_index(support: &[Vec<u32>]) -> u32 {
    let most = support
        .iter()
        .map(|alpha| alpha.iter().sum::<u32>())
        .max()
        .unwrap_or(0);
    (0..=most)
        .find(|&leap| closure_takes_all(support, leap))
        .unwrap_or(most)
}

/// The leap of one given ordering of the support (the largest new-coordinate degree along it).
pub fn ordering_leap(ordering: &[Vec<u32>]) -> u32 {
    let k = ordering.iter().map(Vec::len).max().unwrap_or(0);
    let mut used = vec![false; k];
    let mut worst = 0;
    for alpha in ordering {
        worst = worst.max(new_degree(alpha, &used));
        for (u, &a) in used.iter_mut().zip(alpha) {
            *u |= a >= 1;
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[&[u32]]) -> Vec<Vec<u32>> {
        list.iter().map(|a| a.to_vec()).collect()
    }

    #[test]
    fn the_known_values() {
        // (support, information exponent, leap)
        let cases: [(Vec<Vec<u32>>, u32, u32); 6] = [
            (s(&[&[1, 0, 0], &[1, 1, 0], &[1, 1, 1]]), 1, 1), // z1 + z1 z2 + z1 z2 z3
            (s(&[&[1, 1]]), 2, 2),                            // z1 z2
            (s(&[&[1, 1, 1]]), 3, 3),                         // z1 z2 z3
            (s(&[&[3]]), 3, 3),                               // He3(z1)
            (s(&[&[1, 0], &[0, 3]]), 1, 3),                   // z1 + He3(z2)
            (s(&[&[2, 0], &[1, 1]]), 2, 2),                   // He2(z1) + z1 z2
        ];
        for (support, l, leap) in cases {
            assert_eq!(
                support_information_exponent(&support),
                Some(l),
                "{support:?}"
            );
            assert_eq!(leap_index(&support), leap, "{support:?}");
        }
        // He3(z1) + z1 He3(z2): He3(z1) first (3), then z1 He3(z2) puts 3 on z2
        assert_eq!(leap_index(&s(&[&[3, 0], &[1, 3]])), 3);
        // the order in which the terms are listed does not matter
        assert_eq!(leap_index(&s(&[&[1, 1, 1], &[1, 1, 0], &[1, 0, 0]])), 1);
        assert_eq!(support_information_exponent(&s(&[&[0, 0]])), None);
        assert_eq!(leap_index(&[]), 0);
    }

    /// Every permutation of small supports: the minimum of [`ordering_leap`] is [`leap_index`].
    #[test]
    fn the_closure_finds_the_minimum_over_all_orderings() {
        fn permutations(items: &[Vec<u32>]) -> Vec<Vec<Vec<u32>>> {
            if items.len() <= 1 {
                return vec![items.to_vec()];
            }
            let mut out = Vec::new();
            for i in 0..items.len() {
                let mut rest = items.to_vec();
                let first = rest.remove(i);
                for mut tail in permutations(&rest) {
                    tail.insert(0, first.clone());
                    out.push(tail);
                }
            }
            out
        }
        // a fixed pseudo-random family of supports with k = 3 and up to 5 terms
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let m = 1 + (next() % 5) as usize;
            let support: Vec<Vec<u32>> = (0..m)
                .map(|_| (0..3).map(|_| (next() % 4) as u32).collect())
                .collect();
            let best = permutations(&support)
                .iter()
                .map(|o| ordering_leap(o))
                .min()
                .unwrap();
            assert_eq!(leap_index(&support), best, "{support:?}");
        }
    }
}
