//! The page's DOM-free logic, tested natively: how a cooperative worker slices its work and
//! throttles its progress messages ([`slicing`]), chart ticks and legends ([`axis`]), run
//! states and the top status line ([`run_state`]), the explorer's form over a link's sweep
//! ([`sweep_form`]), the cost check before a run ([`start_check`]), and the status texts the
//! page shows ([`mod@format`]). Nothing here touches the browser.

pub mod axis;
pub mod chart_spec;
pub mod explorer;
pub mod format;
pub mod lab;
pub mod run_state;
pub mod slicing;
pub mod start_check;
pub mod sweep_form;
