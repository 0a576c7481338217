//! # Online SGD Lab core
//!
//! A pure-Rust engine for the paper *Online Learning and Information Exponents: On The
//! Importance of Batch size, and Time/Complexity Tradeoffs* (Arnaboldi, Dandi, Krzakala,
//! Loureiro, Pesce, Stephan; ICML 2024, arXiv 2406.02157): projected one-pass minibatch SGD
//! of a two-layer network learning a single- or multi-index Gaussian target, simulated
//! literally in d dimensions or exactly in the (p + k)-dimensional space of its overlaps,
//! plus the deterministic theory the paper compares against.
//!
//! The core has no web dependency; the optional `web` module (feature `web`) holds the
//! browser front end and worker runtime.

pub mod config;
pub mod decimation;
pub mod export;
#[cfg(feature = "cli")]
pub mod host;
pub mod initialisation;
pub mod lab_state;
pub mod linalg;
pub mod model;
pub mod preflight;
pub mod presets;
pub mod protocol;
pub mod random;
pub mod sampler;
pub mod simulation;
pub mod statistics;
pub mod sweep;
pub mod sweep_shard;
pub mod theory;
pub mod theory_run;
pub mod trajectory;
pub mod ui;
pub mod url_state;

#[cfg(feature = "web")]
pub mod web;
