//! What can happen on the lab page ([`Message`]) and what the page must do about it
//! ([`Effect`]). The web shell turns DOM events and worker messages into messages, hands them
//! to [`super::update`], and carries out the effects; nothing here touches the browser.

use crate::lab_state::{FieldError, LabState};
use crate::protocol::{FromWorker, ToWorker};
use crate::url_state::UrlState;

/// The settings form as lab key/value pairs, as the shell read them from the controls (the
/// preset and the embed options are added by the model: they are not form fields).
pub type FormPairs = Vec<(String, String)>;

/// Which view of the page is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The side-by-side comparison of the protocols (live runs).
    #[default]
    Compare,
    /// The batch-size explorer (sweeps).
    Explorer,
}

/// One thing that happened on the page.
#[allow(clippy::large_enum_variant)] // a message is handled once, never stored in bulk
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// Start (the button, Enter in a field, or a toggle that restarts): run the form's
    /// settings. Expensive settings need a second Start with the same settings.
    Start(FormPairs),
    /// Pause or Resume.
    TogglePause,
    /// Advance every run by one step, then pause.
    Step,
    /// Drop the runs and clear the panels.
    Reset,
    /// A field of the form changed (`key` is its lab key or control id).
    Edited {
        /// Which control changed.
        key: String,
        /// The whole form after the change.
        form: FormPairs,
    },
    /// The reader chose a preset from the menu (empty: none).
    PresetChosen(String),
    /// The URL hash changed in an open tab.
    HashChanged(UrlState),
    /// A tab was chosen.
    ShowView(View),
    /// The panels of an embed scrolled into view (they start unless the reader pressed Start
    /// or changed the URL first).
    BecameVisible(FormPairs),
    /// Lay out the panels of the current state without starting (`autostart=0`).
    Prepare,
    /// A message of the simulation worker.
    Worker(FromWorker),
    /// The worker could not be started or failed (the message).
    WorkerFailed(String),
    /// Say this in the status line (e.g. "link copied") until the reader does something else.
    Notice(String),
}

/// Something the shell must do after an update. Everything the page derives from the model
/// alone (top status line, Pause label, stale mark, preset menu and explanation) is rendered
/// after every update and is not an effect.
#[allow(clippy::large_enum_variant)] // effects are carried out once, never stored in bulk
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send this to the worker (dropped when there is none).
    Send(ToWorker),
    /// Spawn a new worker (after a crash).
    RespawnWorker,
    /// Write the model's state to the URL hash (`history.replaceState`).
    WriteHash,
    /// Fill the form from the model's state.
    WriteForm,
    /// The form holds these valid settings: clear its messages, enable Start, show what they
    /// resolve to.
    ShowValid(Box<LabState>),
    /// The form is invalid: show every error and disable Start.
    ShowFormErrors(Vec<FieldError>),
    /// A message in the form's line (e.g. the cost warning before a second Start).
    ShowNotice(String),
    /// List the rejected URL parameters (hidden when empty).
    ShowUrlErrors(Vec<FieldError>),
    /// The protocol list changed: recreate the panels' DOM.
    RebuildPanels,
    /// Apply embed mode and the hidden control groups.
    ApplyEmbed,
    /// Show this view.
    ShowView(View),
    /// Redraw the panels (coalesced by the frame scheduler).
    Redraw,
    /// The worker acknowledged a pause (the shell stamps the time, for the tests' latency
    /// measurement).
    PauseAcknowledged,
}
