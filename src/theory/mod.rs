//! Deterministic theory (SCIENCE.md sections 5-7): Gaussian expectations over the local
//! fields, the overlap recursion, asymptotic regimes and scaling laws.
