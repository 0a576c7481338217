//! The lab page (the side-by-side comparison of the protocols) as a DOM-free model, in the
//! shape of a model–update–view program:
//!
//! - [`LabModel`] holds everything the page knows (settings, one [`PanelModel`] per protocol,
//!   pause, worker state, generation, stale mark, preset, view);
//! - [`Message`] is everything that can happen (a control, the URL, the worker);
//! - [`update`] is the one transition, returning the [`Effect`]s the web shell carries out;
//! - the panels' chart specs, status texts, read-out and exports are pure functions of
//!   [`PanelModel`], and the status line, Pause label and stale mark are derived from
//!   [`LabModel`] after every update.
//!
//! So every state of the page is tested natively (`cargo test`), without a browser.

pub mod ensemble;
pub mod live;
mod message;
mod model;
mod panel;
mod panel_charts;
pub mod regime_map;
mod time_axis;
mod update;

pub use message::{Effect, FormPairs, Message, View};
pub use model::{cli_config, information_exponent_text, map_points, resolved_text, LabModel};
pub use panel::{max_overlap, PanelModel};
pub use panel_charts::{overlap_spec, risk_spec};
pub use time_axis::TimeAxis;
pub use update::update;
