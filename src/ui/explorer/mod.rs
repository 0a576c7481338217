//! The batch-size explorer as a DOM-free model: its form as data and its validation
//! ([`form`]), the sweep's jobs farmed to a pool of workers with one transition
//! ([`model::update`]), and its charts as pure specs ([`charts`]). The web shell
//! (`web::explorer`) reads the controls into an [`ExplorerForm`], dispatches
//! [`ExplorerMessage`]s and carries out the [`ExplorerEffect`]s.

pub mod charts;
pub mod form;
pub mod model;
pub mod readout;
pub mod saved;

pub use charts::{
    frontier_fits, phase_diagram_note, sweep_charts, FittedFrontier, SweepCharts,
    COMPACT_LEGEND_BELOW_PX,
};
pub use form::{default_pool_size, mu_grid, pool_size, ExplorerForm, ValidSweep, MAX_WORKERS};
pub use model::{update, ExplorerEffect, ExplorerMessage, ExplorerModel, SweepState};
pub use readout::{compare_state, point_at, point_readout, position, SweepChart};
pub use saved::SavedSweep;
