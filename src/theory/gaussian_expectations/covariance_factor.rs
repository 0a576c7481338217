//! Validation and factorisation of the covariance C of the Gaussian fields: C = L L^T with
//! L = V_+ diag(sqrt(lambda_+)) from the symmetric eigendecomposition C = V diag(lambda) V^T,
//! keeping only the eigenvalues above a relative tolerance. The number of kept eigenvalues is
//! the rank, i.e. the number of independent standard normals s with z = L s ~ N(0, C).
//! Singular covariances (a field repeated, a neuron aligned with the teacher) are thus
//! integrated in fewer dimensions instead of failing.

use super::error::ExpectationError;
use nalgebra::DMatrix;

/// Eigenvalues below `RANK_TOLERANCE * max(1, largest eigenvalue)` count as zero.
pub const RANK_TOLERANCE: f64 = 1e-11;

/// Eigenvalues below `-NEGATIVE_TOLERANCE * max(1, largest |C_ij|)` make the covariance
/// invalid (smaller negative values are round-off and are clipped to zero).
pub const NEGATIVE_TOLERANCE: f64 = 1e-9;

/// Checks that `c` is `expected x expected`, finite and symmetric (up to
/// 1e-10 (1 + max |C_ij|)).
pub fn validate_covariance(c: &DMatrix<f64>, expected: usize) -> Result<(), ExpectationError> {
    if c.nrows() != expected || c.ncols() != expected {
        return Err(ExpectationError::Shape {
            expected,
            rows: c.nrows(),
            cols: c.ncols(),
        });
    }
    if c.iter().any(|x| !x.is_finite()) {
        return Err(ExpectationError::NotFinite);
    }
    let scale = 1.0 + c.amax();
    for i in 0..expected {
        for j in 0..i {
            if (c[(i, j)] - c[(j, i)]).abs() > 1e-10 * scale {
                return Err(ExpectationError::NotSymmetric {
                    i,
                    j,
                    a: c[(i, j)],
                    b: c[(j, i)],
                });
            }
        }
    }
    Ok(())
}

/// A factor L (n x rank) of a positive semi-definite covariance, C = L L^T.
#[derive(Clone, Debug, PartialEq)]
pub struct CovarianceFactor {
    factor: DMatrix<f64>,
}

impl CovarianceFactor {
    /// Validates `c` (square, finite, symmetric, positive semi-definite) and factors it by the
    /// symmetric eigendecomposition.
    pub fn new(c: &DMatrix<f64>) -> Result<Self, ExpectationError> {
        validate_covariance(c, c.nrows())?;
        let n = c.nrows();
        if n == 0 {
            return Ok(CovarianceFactor {
                factor: DMatrix::zeros(0, 0),
            });
        }
        let symmetric = (c + c.transpose()) * 0.5;
        let eigen = symmetric.symmetric_eigen();
        let largest = eigen.eigenvalues.max();
        let smallest = eigen.eigenvalues.min();
        if smallest < -NEGATIVE_TOLERANCE * c.amax().max(1.0) {
            return Err(ExpectationError::NotPositiveSemiDefinite {
                min_eigenvalue: smallest,
            });
        }
        let cut = RANK_TOLERANCE * largest.max(1.0);
        let kept: Vec<usize> = (0..n).filter(|&i| eigen.eigenvalues[i] > cut).collect();
        let mut factor = DMatrix::zeros(n, kept.len());
        for (col, &i) in kept.iter().enumerate() {
            let root = eigen.eigenvalues[i].sqrt();
            for row in 0..n {
                factor[(row, col)] = eigen.eigenvectors[(row, i)] * root;
            }
        }
        Ok(CovarianceFactor { factor })
    }

    /// Number of fields n.
    pub fn fields(&self) -> usize {
        self.factor.nrows()
    }

    /// Numerical rank: the number of independent standard normals.
    pub fn rank(&self) -> usize {
        self.factor.ncols()
    }

    /// The factor L (n x rank).
    pub fn factor(&self) -> &DMatrix<f64> {
        &self.factor
    }

    /// Writes the fields z = L s for standard coordinates `s` (length rank) into `z`
    /// (length n).
    #[inline]
    pub fn fields_from_standard(&self, s: &[f64], z: &mut [f64]) {
        let n = self.fields();
        for (i, zi) in z.iter_mut().enumerate().take(n) {
            let mut acc = 0.0;
            for (a, sa) in s.iter().enumerate() {
                acc += self.factor[(i, a)] * sa;
            }
            *zi = acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_covariance_has_reduced_rank() {
        let c = DMatrix::from_row_slice(3, 3, &[1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0]);
        let f = CovarianceFactor::new(&c).unwrap();
        assert_eq!(f.rank(), 2);
        let back = f.factor() * f.factor().transpose();
        assert!((back - &c).amax() < 1e-12);
    }

    #[test]
    fn rejects_invalid_covariances() {
        let indefinite = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
        assert!(matches!(
            CovarianceFactor::new(&indefinite),
            Err(ExpectationError::NotPositiveSemiDefinite { .. })
        ));
        let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, 0.3, 1.0]);
        assert!(matches!(
            CovarianceFactor::new(&asym),
            Err(ExpectationError::NotSymmetric { .. })
        ));
        let nan = DMatrix::from_row_slice(1, 1, &[f64::NAN]);
        assert_eq!(
            CovarianceFactor::new(&nan),
            Err(ExpectationError::NotFinite)
        );
    }
}
