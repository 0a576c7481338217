//! The page's DOM-free logic, tested natively: how a cooperative worker slices its work and
//! throttles its progress messages ([`slicing`]), chart ticks and legends ([`axis`]), and the status texts the page shows
//! ([`format`]). Nothing here touches the browser.

pub mod axis;
pub mod format;
pub mod run_state;
pub mod slicing;
pub mod start_check;
pub mod sweep_form;
