//! Cooperative slicing of a run inside a Web Worker, independent of the browser.
//!
//! The worker advances each run in slices of about [`SLICE_MILLISECONDS`], so a Pause message
//! waits at most one slice whatever the batch size (a batch of 10^8 samples is split across
//! slices; with the clt sampler a batch of 10^13 costs the same as one of 10^7). Two rules keep
//! the page responsive whatever the setting:
//!
//! * [`SliceBudget`]: the work of one `advance` call, in samples, adapts so that one call takes
//!   about a slice: it doubles while a call takes under half a slice and halves above two
//!   slices, within [[`MIN_BUDGET`], [`MAX_BUDGET`]]. A slice repeats calls until its time is
//!   used, so a cheap call (clt, tiny batches) does not end the slice early.
//! * [`ProgressThrottle`]: progress is posted at most once per [`PROGRESS_INTERVAL_MILLISECONDS`]
//!   per run (plus once when it ends), so the page receives a bounded number of messages per
//!   second (at most 1000 / 100 = 10 per run) however many steps or slices a second holds. The
//!   sampling rate it reports is samples over the time spent simulating since the last post,
//!   measured over at least a slice, never over a clock floor.

/// Target wall time of one slice of one run.
pub const SLICE_MILLISECONDS: f64 = 12.0;
/// Least time between two progress messages of one run.
pub const PROGRESS_INTERVAL_MILLISECONDS: f64 = 100.0;
/// Smallest budget of one `advance` call, in samples.
pub const MIN_BUDGET: u64 = 64;
/// Largest budget of one `advance` call, in samples (2^62: the clt sampler's steps are free of
/// n_b, so a whole 10^13-sample step fits in one call).
pub const MAX_BUDGET: u64 = 1 << 62;

/// The adaptive number of samples one `advance` call may draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SliceBudget {
    samples: u64,
}

impl SliceBudget {
    /// A budget starting at `samples` (clamped to [`MIN_BUDGET`], [`MAX_BUDGET`]).
    pub fn new(samples: u64) -> Self {
        SliceBudget {
            samples: samples.clamp(MIN_BUDGET, MAX_BUDGET),
        }
    }

    /// The current budget in samples.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Adapts after a call that took `elapsed_ms`: x2 below half a slice, /2 above two slices.
    pub fn adapt(&mut self, elapsed_ms: f64) {
        if !elapsed_ms.is_finite() {
            return;
        }
        if elapsed_ms < 0.5 * SLICE_MILLISECONDS {
            self.samples = self.samples.saturating_mul(2).min(MAX_BUDGET);
        } else if elapsed_ms > 2.0 * SLICE_MILLISECONDS {
            self.samples = (self.samples / 2).max(MIN_BUDGET);
        }
    }
}

/// Decides when a run posts progress, and the rate it reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProgressThrottle {
    last_post_ms: Option<f64>,
    samples_since_post: f64,
    busy_ms_since_post: f64,
}

impl ProgressThrottle {
    /// A throttle that lets the first message through.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `samples` drawn in `busy_ms` of simulation.
    pub fn record(&mut self, samples: f64, busy_ms: f64) {
        if samples.is_finite() && busy_ms.is_finite() && busy_ms >= 0.0 {
            self.samples_since_post += samples;
            self.busy_ms_since_post += busy_ms;
        }
    }

    /// true when a message should go out at `now_ms`: the first one, one after an interval, or
    /// the last one (`ended`).
    pub fn due(&self, now_ms: f64, ended: bool) -> bool {
        ended
            || self
                .last_post_ms
                .is_none_or(|last| now_ms - last >= PROGRESS_INTERVAL_MILLISECONDS)
    }

    /// Marks a message posted at `now_ms` and returns the rate to report (samples per second
    /// of simulation since the previous post), or `None` when under a millisecond of simulation
    /// was measured (too little to be a rate).
    pub fn posted(&mut self, now_ms: f64) -> Option<f64> {
        let rate = (self.busy_ms_since_post >= 1.0)
            .then(|| self.samples_since_post / self.busy_ms_since_post * 1000.0);
        self.last_post_ms = Some(now_ms);
        if rate.is_some() {
            self.samples_since_post = 0.0;
            self.busy_ms_since_post = 0.0;
        }
        rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_grows_for_cheap_calls_and_shrinks_for_slow_ones() {
        let mut b = SliceBudget::new(1024);
        b.adapt(1.0);
        assert_eq!(b.samples(), 2048);
        b.adapt(SLICE_MILLISECONDS);
        assert_eq!(b.samples(), 2048);
        b.adapt(100.0);
        assert_eq!(b.samples(), 1024);
        for _ in 0..100 {
            b.adapt(0.0);
        }
        assert_eq!(b.samples(), MAX_BUDGET);
        for _ in 0..100 {
            b.adapt(1e9);
        }
        assert_eq!(b.samples(), MIN_BUDGET);
        b.adapt(f64::NAN);
        assert_eq!(b.samples(), MIN_BUDGET);
    }

    /// A clt run at n_b = 10^13 (a step costs ~0.01 ms): over one simulated second the throttle
    /// lets at most 11 messages through, and the rate is samples over busy time, not over a
    /// clock floor.
    #[test]
    fn progress_is_bounded_whatever_the_batch() {
        let mut t = ProgressThrottle::new();
        let (mut now, mut posts) = (0.0, 0);
        let mut last_rate = None;
        while now < 1000.0 {
            // one slice: 1200 steps of 1e13 samples in 12 ms
            t.record(1200.0 * 1e13, SLICE_MILLISECONDS);
            now += SLICE_MILLISECONDS;
            if t.due(now, false) {
                posts += 1;
                last_rate = t.posted(now);
            }
        }
        assert!(posts <= 11, "{posts}");
        let rate = last_rate.unwrap();
        assert!((rate / 1e18 - 1.0).abs() < 1e-9, "{rate}");
        // the final message always goes out
        assert!(t.due(now + 1.0, true));
    }

    #[test]
    fn too_little_time_is_not_a_rate() {
        let mut t = ProgressThrottle::new();
        t.record(1e10, 0.01);
        assert!(t.due(0.0, false));
        assert_eq!(t.posted(0.0), None);
        assert!(!t.due(50.0, false));
        t.record(1e10, 0.99);
        assert_eq!(t.posted(200.0), Some(2e10 / 1.0 * 1000.0));
    }
}
