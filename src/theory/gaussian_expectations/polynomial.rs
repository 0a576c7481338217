//! Sparse polynomials in the Gaussian local fields z_0..z_{n-1}: the integrands of the
//! population risk and of the drift terms when the student activation and the teacher link
//! are polynomials (He_l of any degree), so that their expectations can be taken exactly
//! from Gaussian moments (see [`super::wick_moments`]).

use std::collections::BTreeMap;

/// Largest number of fields a [`Monomial`] can hold (8 bits of exponent per field in a u128).
pub const MAX_POLYNOMIAL_FIELDS: usize = 16;

/// A monomial z_0^a_0 ... z_15^a_15, exponents packed 8 bits per field (a_i <= 255).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Monomial(u128);

impl Monomial {
    /// The constant monomial 1.
    pub const ONE: Monomial = Monomial(0);

    /// z_field^exponent, or `None` if `field >= MAX_POLYNOMIAL_FIELDS` or `exponent > 255`.
    pub fn power(field: usize, exponent: u32) -> Option<Monomial> {
        if field >= MAX_POLYNOMIAL_FIELDS || exponent > 255 {
            return None;
        }
        Some(Monomial((exponent as u128) << (8 * field)))
    }

    /// The exponent a_field.
    #[inline]
    pub fn exponent(self, field: usize) -> u32 {
        ((self.0 >> (8 * field)) & 0xff) as u32
    }

    /// Total degree sum_i a_i.
    pub fn degree(self) -> u32 {
        (0..MAX_POLYNOMIAL_FIELDS).map(|i| self.exponent(i)).sum()
    }

    /// The product z^a z^b = z^(a + b), or `None` if an exponent would exceed 255.
    pub fn times(self, other: Monomial) -> Option<Monomial> {
        let mut out = 0u128;
        for i in 0..MAX_POLYNOMIAL_FIELDS {
            let e = self.exponent(i) + other.exponent(i);
            if e > 255 {
                return None;
            }
            out |= (e as u128) << (8 * i);
        }
        Some(Monomial(out))
    }

    /// The first field with a positive exponent (`None` for the constant monomial).
    #[inline]
    pub fn first_field(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as usize / 8)
        }
    }

    /// z^a / z_field (caller guarantees a_field >= 1).
    #[inline]
    pub fn lowered(self, field: usize) -> Monomial {
        Monomial(self.0 - (1u128 << (8 * field)))
    }
}

/// A polynomial sum_a c_a z^a with finitely many non-zero coefficients.
///
/// Stored in a `BTreeMap` so that every sum over terms runs in the same order on every run
/// and target (bit-reproducible results).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldPolynomial {
    terms: BTreeMap<Monomial, f64>,
}

impl FieldPolynomial {
    /// The zero polynomial.
    pub fn zero() -> Self {
        FieldPolynomial::default()
    }

    /// The constant c.
    pub fn constant(c: f64) -> Self {
        let mut p = FieldPolynomial::zero();
        p.add_term(Monomial::ONE, c);
        p
    }

    /// sum_i `coefficients[i]` z_field^i, or `None` if the field index or degree is too large.
    pub fn univariate(field: usize, coefficients: &[f64]) -> Option<Self> {
        let mut p = FieldPolynomial::zero();
        for (i, &c) in coefficients.iter().enumerate() {
            p.add_term(Monomial::power(field, i as u32)?, c);
        }
        Some(p)
    }

    /// Adds c z^a (terms that cancel exactly are removed).
    pub fn add_term(&mut self, monomial: Monomial, c: f64) {
        if c == 0.0 {
            return;
        }
        let entry = self.terms.entry(monomial).or_insert(0.0);
        *entry += c;
        if *entry == 0.0 {
            self.terms.remove(&monomial);
        }
    }

    /// self += scale * other.
    pub fn add_scaled(&mut self, other: &FieldPolynomial, scale: f64) {
        for (&m, &c) in &other.terms {
            self.add_term(m, scale * c);
        }
    }

    /// The product self * other, or `None` if an exponent would exceed 255.
    pub fn times(&self, other: &FieldPolynomial) -> Option<FieldPolynomial> {
        let mut out = FieldPolynomial::zero();
        for (&a, &ca) in &self.terms {
            for (&b, &cb) in &other.terms {
                out.add_term(a.times(b)?, ca * cb);
            }
        }
        Some(out)
    }

    /// The partial derivative d/dz_field: sum_a c_a a_field z^(a - e_field) (`field` beyond
    /// [`MAX_POLYNOMIAL_FIELDS`] gives the zero polynomial).
    pub fn derivative(&self, field: usize) -> FieldPolynomial {
        let mut out = FieldPolynomial::zero();
        if field >= MAX_POLYNOMIAL_FIELDS {
            return out;
        }
        for (&m, &c) in &self.terms {
            let a = m.exponent(field);
            if a > 0 {
                out.add_term(m.lowered(field), c * a as f64);
            }
        }
        out
    }

    /// The total degree max_a sum_i a_i over the non-zero terms (0 for constants and zero).
    pub fn degree(&self) -> u32 {
        self.terms.keys().map(|m| m.degree()).max().unwrap_or(0)
    }

    /// (monomial, coefficient) pairs in a fixed order.
    pub fn terms(&self) -> impl Iterator<Item = (Monomial, f64)> + '_ {
        self.terms.iter().map(|(&m, &c)| (m, c))
    }

    /// Number of non-zero terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// true for the zero polynomial.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value at the point z (fields beyond `z.len()` are taken as 0).
    pub fn evaluate(&self, z: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|(m, c)| {
                c * z
                    .iter()
                    .enumerate()
                    .map(|(i, zi)| zi.powi(m.exponent(i) as i32))
                    .product::<f64>()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_expand_like_algebra() {
        // (z0 + 2 z1)(z0 - 2 z1) = z0^2 - 4 z1^2
        let mut a = FieldPolynomial::univariate(0, &[0.0, 1.0]).unwrap();
        a.add_scaled(&FieldPolynomial::univariate(1, &[0.0, 2.0]).unwrap(), 1.0);
        let mut b = FieldPolynomial::univariate(0, &[0.0, 1.0]).unwrap();
        b.add_scaled(&FieldPolynomial::univariate(1, &[0.0, 2.0]).unwrap(), -1.0);
        let c = a.times(&b).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.evaluate(&[3.0, 0.5]), 9.0 - 1.0);
        assert_eq!(Monomial::power(2, 3).unwrap().degree(), 3);
        assert_eq!(Monomial::power(5, 1).unwrap().first_field(), Some(5));
        assert!(Monomial::power(16, 1).is_none());
    }

    #[test]
    fn derivative_and_degree() {
        // d/dz0 (z0^3 z1 + 2 z1^2) = 3 z0^2 z1; d/dz1 = z0^3 + 4 z1
        let mut p = FieldPolynomial::zero();
        p.add_term(
            Monomial::power(0, 3)
                .unwrap()
                .times(Monomial::power(1, 1).unwrap())
                .unwrap(),
            1.0,
        );
        p.add_term(Monomial::power(1, 2).unwrap(), 2.0);
        assert_eq!(p.degree(), 4);
        let d0 = p.derivative(0);
        assert_eq!(d0.len(), 1);
        assert_eq!(d0.evaluate(&[2.0, 3.0]), 3.0 * 4.0 * 3.0);
        assert_eq!(p.derivative(1).evaluate(&[2.0, 3.0]), 8.0 + 12.0);
        assert!(p.derivative(5).is_empty());
        assert_eq!(FieldPolynomial::zero().degree(), 0);
    }
}
