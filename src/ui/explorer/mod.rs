//! The batch-size explorer as a DOM-free model: its form as data and its validation
//! ([`form`], with the d-scaling mode's axis and the cost check in [`d_axis`]), the sweep's
//! jobs farmed to a pool of workers with one transition ([`model::update`]), and its charts as
//! pure specs ([`charts`] for the batch-size sweep, [`d_charts`] for the d-scaling mode, over
//! the target's exponents of [`exponents`], one series per protocol and a0 of [`series`]). The web shell (`web::explorer`) reads the controls
//! into an [`ExplorerForm`], dispatches [`ExplorerMessage`]s and carries out the
//! [`ExplorerEffect`]s.

pub mod charts;
pub mod d_axis;
pub mod d_charts;
pub mod exponents;
pub mod form;
pub mod model;
pub mod readout;
pub mod saved;
pub mod series;

pub use charts::{
    explorer_charts, frontier_fits, phase_diagram_note, sweep_charts, FittedFrontier, SweepCharts,
    COMPACT_LEGEND_BELOW_PX,
};
pub use d_axis::is_d_scaling;
pub use d_charts::d_scaling_charts;
pub use form::{default_pool_size, mu_grid, pool_size, ExplorerForm, ValidSweep, MAX_WORKERS};
pub use model::{update, ExplorerEffect, ExplorerMessage, ExplorerModel, SweepState};
pub use readout::{compare_state, point_at, point_readout, position, SweepChart};
pub use saved::SavedSweep;
pub use series::{series_keys, SeriesKey};
