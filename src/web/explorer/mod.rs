//! The batch-size explorer: weak-recovery time and sample cost against mu = log_d n_b, measured
//! by sweeps on a pool of Web Workers and drawn over the paper's phase diagram (Fig. 1).
//!
//! The form is turned into a [`SweepConfig`] JSON (validated by [`SweepConfig::from_json`] and
//! [`SweepConfig::jobs`], the same code as `sgdlab sweep`), the jobs are farmed to
//! a pool of Web Workers (by default `hardwareConcurrency - 1`, at least one; the "Web Workers"
//! field sets it, 1 to [`MAX_WORKERS`]), results stream into the plots, and Cancel terminates
//! the workers. The sweep config lives in the URL hash (`view=explorer&sweep=...`).

use crate::config::scaling::LearningRate;
use crate::model::{target_information_exponent, Loss};
use crate::protocol::{FromWorker, ToWorker};
use crate::sweep::{points_to_csv, summarise, LearningRateByProtocol, SweepConfig, SweepPoint};
use crate::theory::scaling_laws::{phase_diagram, FrontierOwner, Protocol};
use crate::ui::sweep_form::{keys_beyond_the_form, merge_form};
use crate::web::chart::{draw_chart, ChartSpec, Marker, Region, Series};
use crate::web::dom::{checked, download_text, now_ms, set_text, set_value, value};
use crate::web::worker_client::{WorkerClient, WORKER_SCRIPT};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlCanvasElement, HtmlInputElement};

/// Colour per protocol (palette index).
fn color(loss: Loss) -> usize {
    match loss {
        Loss::Mse => 0,
        Loss::Correlation => 1,
        Loss::Adaptive => 2,
    }
}

struct Explorer {
    document: Document,
    workers: Vec<WorkerClient>,
    generation: u32,
    config: Option<SweepConfig>,
    jobs: Vec<crate::config::RunConfig>,
    next_job: usize,
    busy: Vec<Option<u32>>,
    points: Vec<(u32, SweepPoint)>,
    errors: Vec<String>,
    redraw_pending: bool,
    /// `performance.now()` at Run, and when the last result arrived (ms).
    started_ms: f64,
    finished_ms: Option<f64>,
}

/// Charts narrower than this (CSS px) leave the theory out of their legends.
const COMPACT_LEGEND_BELOW_PX: i32 = 560;

/// Most Web Workers the explorer will start.
pub const MAX_WORKERS: usize = 16;

thread_local! {
    static EXPLORER: RefCell<Option<Explorer>> = const { RefCell::new(None) };
    /// The sweep config the form was filled from (a link's, or the default) and the form's
    /// JSON as shown for it: keys the user has not edited keep the link's values.
    static FORM_BASE: RefCell<Option<(SweepConfig, serde_json::Value)>> = const { RefCell::new(None) };
}

fn with<R>(f: impl FnOnce(&mut Explorer) -> R) -> Option<R> {
    EXPLORER.with(|e| e.borrow_mut().as_mut().map(f))
}

fn number(document: &Document, id: &str, field: &str) -> Result<f64, String> {
    let v = value(document, id);
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            format!(
                "{field}: '{}' is not a number",
                crate::config::json::cut(v.trim())
            )
        })
}

/// The mu grid from, to, step (inclusive of `to` up to round-off).
pub fn mu_grid(from: f64, to: f64, step: f64) -> Result<Vec<f64>, String> {
    if step.is_nan() || step <= 0.0 {
        return Err("mu step: must be > 0".into());
    }
    if to < from {
        return Err("mu to: must be >= mu from".into());
    }
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > 200 {
        return Err(format!("mu grid: {n} points, at most 200"));
    }
    Ok((0..n)
        .map(|i| ((from + i as f64 * step) * 1e9).round() / 1e9)
        .collect())
}

/// The form as a sweep config JSON object (validated later by [`SweepConfig::from_json`]).
fn form_json(document: &Document) -> Result<serde_json::Value, String> {
    let protocols: Vec<&str> = ["mse", "correlation", "adaptive"]
        .into_iter()
        .filter(|p| checked(document, &format!("x-protocol-{p}")))
        .collect();
    if protocols.is_empty() {
        return Err("protocols: choose at least one".into());
    }
    let mu = mu_grid(
        number(document, "x-mu-from", "mu from")?,
        number(document, "x-mu-to", "mu to")?,
        number(document, "x-mu-step", "mu step")?,
    )?;
    let seeds = number(document, "x-seeds", "seeds")?;
    if seeds.fract() != 0.0 || !(1.0..=200.0).contains(&seeds) {
        return Err("seeds: must be a whole number in [1, 200]".into());
    }
    let prefactor = |field: &str| number(document, "x-gamma0", field);
    let base = match value(document, "x-lr-policy").as_str() {
        "fixed" => LearningRate::Fixed {
            gamma0: prefactor("lr.gamma0")?,
            delta: number(document, "x-delta", "lr.delta")?,
        },
        "authors" => LearningRate::Authors {
            c: prefactor("lr.c")?,
        },
        _ => LearningRate::Optimal {
            gamma0: prefactor("lr.gamma0")?,
        },
    };
    let by_protocol =
        LearningRateByProtocol::from_prefactors(base, &value(document, "x-gamma0-by-protocol"))
            .map_err(|e| format!("γ₀ per protocol: {e}"))?;
    let whole = |id: &str, field: &str| -> Result<u64, String> {
        let x = number(document, id, field)?;
        if x < 0.0 || x.fract() != 0.0 {
            return Err(format!("{field}: must be a whole number, got {x}"));
        }
        Ok(x as u64)
    };
    let d = whole("x-d", "d")?;
    let max_steps = whole("x-max-steps", "max_steps")?;
    Ok(serde_json::json!({
        "target": value(document, "x-target"),
        "update": value(document, "x-update"),
        "d": d,
        "protocols": protocols,
        "mu": mu,
        "lr": base,
        "lr_by_protocol": by_protocol,
        "seeds": (0..seeds as u64).collect::<Vec<_>>(),
        "eta": number(document, "x-eta", "eta")?,
        "max_steps": max_steps,
        "noise": number(document, "x-noise", "noise")?,
    }))
}

/// Validates the form; shows the message; returns the config and its jobs.
fn validate(document: &Document) -> Option<(SweepConfig, Vec<crate::config::RunConfig>)> {
    let result = pool_size(document)
        .and_then(|_| form_json(document))
        .and_then(|form| {
            let json = FORM_BASE.with(|b| match &*b.borrow() {
                Some((base, shown)) => merge_form(base, shown, &form),
                None => form.clone(),
            });
            let config = SweepConfig::from_json(&json.to_string()).map_err(|e| e.to_string())?;
            let jobs = config.jobs().map_err(|e| e.to_string())?;
            let beyond = keys_beyond_the_form(&config, &form);
            Ok((config, jobs, beyond))
        });
    match result {
        Ok((config, jobs, beyond)) => {
            set_text(document, "x-error", "");
            let l = target_information_exponent(&config.target, config.k)
                .map_or("?".into(), |l| l.to_string());
            let clt_mu: Vec<String> = config
                .mu
                .iter()
                .zip(jobs.iter().step_by(config.seeds.len()))
                .filter(|(_, job)| {
                    job.resolve()
                        .is_ok_and(|r| r.sampler_resolved == crate::sampler::SamplerKind::Clt)
                })
                .map(|(mu, _)| mu.to_string())
                .collect();
            let clt = if clt_mu.is_empty() {
                String::new()
            } else {
                format!(
                    "; μ = {} use the clt (large-batch) sampler",
                    clt_mu.join(", ")
                )
            };
            let beyond = if beyond.is_empty() {
                String::new()
            } else {
                format!(
                    "; also set by the link (no control here): {}",
                    beyond.join(", ")
                )
            };
            set_text(document, "x-summary", &format!("{} runs (information exponent l = {l}); every run stops at weak recovery or after {} steps{clt}{beyond}", jobs.len(), config.max_steps));
            if let Some(b) = document.get_element_by_id("x-run") {
                let _ = b.remove_attribute("disabled");
            }
            Some((config, jobs))
        }
        Err(message) => {
            set_text(document, "x-error", &message);
            set_text(document, "x-summary", "");
            if let Some(b) = document.get_element_by_id("x-run") {
                let _ = b.set_attribute("disabled", "");
            }
            None
        }
    }
}

fn cores() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(2.0) as usize
}

/// The default pool: one worker per core minus one for the page, at least one.
fn default_pool_size() -> usize {
    cores().saturating_sub(1).clamp(1, MAX_WORKERS)
}

/// The "Web Workers" field: a whole number in [1, MAX_WORKERS].
fn pool_size(document: &Document) -> Result<usize, String> {
    let v = value(document, "x-workers");
    match v.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_WORKERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "Web Workers: '{}' is not a whole number in [1, {MAX_WORKERS}]",
            crate::config::json::cut(v.trim())
        )),
    }
}

fn start(ex: &mut Explorer) {
    let Some((config, jobs)) = validate(&ex.document) else {
        return;
    };
    cancel(ex);
    ex.generation += 1;
    ex.points.clear();
    ex.errors.clear();
    ex.next_job = 0;
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let hash = form_urlencoded::Serializer::new(String::new())
                .append_pair("view", "explorer")
                .append_pair("sweep", &serde_json::to_string(&config).unwrap_or_default())
                .finish();
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{hash}")));
        }
    }
    ex.config = Some(config);
    ex.jobs = jobs;
    let n = pool_size(&ex.document).unwrap_or(1);
    ex.workers.clear();
    ex.started_ms = now_ms();
    ex.finished_ms = None;
    ex.busy = vec![None; n];
    for i in 0..n {
        if let Some(w) = spawn_pool_worker(i, ex.generation) {
            ex.workers.push(w);
        }
    }
    for i in 0..ex.workers.len() {
        dispatch(ex, i);
    }
    set_text(
        &ex.document,
        "x-status",
        &format!("running on {} workers", ex.workers.len()),
    );
    request_redraw(ex);
}

/// Spawns pool worker `index` for sweep `generation`.
fn spawn_pool_worker(index: usize, generation: u32) -> Option<WorkerClient> {
    match WorkerClient::spawn(
        WORKER_SCRIPT,
        move |m| on_message(index, generation, m),
        |e| {
            with(|ex| set_text(&ex.document, "x-status", &e));
        },
    ) {
        Ok(w) => Some(w),
        Err(e) => {
            web_sys::console::error_1(&e);
            None
        }
    }
}

fn dispatch(ex: &mut Explorer, worker: usize) {
    if ex.next_job >= ex.jobs.len() {
        ex.busy[worker] = None;
        return;
    }
    let job = ex.next_job as u32;
    ex.next_job += 1;
    ex.busy[worker] = Some(job);
    ex.workers[worker].send(ToWorker::Job {
        generation: ex.generation,
        job,
        config: ex.jobs[job as usize].clone(),
    });
}

fn cancel(ex: &mut Explorer) {
    ex.workers.clear(); // dropping a client terminates its worker
    ex.busy.clear();
    ex.next_job = ex.jobs.len();
}

fn on_message(worker: usize, generation: u32, message: FromWorker) {
    with(|ex| {
        if generation != ex.generation {
            return;
        }
        let finished_job = match message {
            FromWorker::JobDone { job, point, .. } => {
                match point {
                    Ok(p) => ex.points.push((job, p)),
                    Err(e) => ex.errors.push(e),
                }
                true
            }
            FromWorker::Crashed { message } => {
                // the job in flight is lost; a fresh worker takes the next one
                if let Some(Some(job)) = ex.busy.get(worker).copied() {
                    ex.errors
                        .push(format!("job {job}: the worker crashed: {message}"));
                }
                if worker < ex.workers.len() {
                    match spawn_pool_worker(worker, generation) {
                        Some(w) => ex.workers[worker] = w,
                        None => ex.busy[worker] = None,
                    }
                }
                true
            }
            _ => false,
        };
        if finished_job {
            if worker < ex.busy.len() && worker < ex.workers.len() {
                dispatch(ex, worker);
            }
            let done = ex.points.len() + ex.errors.len();
            if done == ex.jobs.len() {
                ex.finished_ms = Some(now_ms());
                let status = if ex.errors.is_empty() {
                    "finished".to_string()
                } else {
                    format!(
                        "finished: {} of {} runs failed (listed below)",
                        ex.errors.len(),
                        ex.jobs.len()
                    )
                };
                set_text(&ex.document, "x-status", &status);
                ex.workers.clear();
            }
            request_redraw(ex);
        }
    });
}

fn request_redraw(ex: &mut Explorer) {
    if ex.redraw_pending {
        return;
    }
    ex.redraw_pending = true;
    let callback = Closure::once_into_js(|| {
        with(|ex| {
            ex.redraw_pending = false;
            redraw(ex);
        });
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(callback.unchecked_ref());
    }
}

fn sorted_points(ex: &Explorer) -> Vec<SweepPoint> {
    let mut p = ex.points.clone();
    p.sort_by_key(|(job, _)| *job);
    p.into_iter().map(|(_, p)| p).collect()
}

/// theta and log_d N charts with the theory frontiers of the chosen l.
fn redraw(ex: &mut Explorer) {
    let Some(config) = &ex.config else { return };
    let total = ex.jobs.len().max(1);
    let done = ex.points.len() + ex.errors.len();
    if let Some(bar) = ex.document.get_element_by_id("x-bar") {
        let _ = bar.set_attribute(
            "style",
            &format!("width: {:.1}%", 100.0 * done as f64 / total as f64),
        );
    }
    let elapsed_ms = ex.finished_ms.unwrap_or_else(now_ms) - ex.started_ms;
    // samples actually drawn: a clt step stands for n_b samples without drawing them
    let samples_done: u64 = ex
        .points
        .iter()
        .filter(|(_, p)| p.sampler != crate::sampler::SamplerKind::Clt)
        .map(|(_, p)| p.samples)
        .sum();
    let rate = samples_done as f64 / (elapsed_ms / 1000.0).max(1e-3);
    set_text(
        &ex.document,
        "x-progress-text",
        &format!(
            "{done} / {total} runs · {:.1} s · {:.1} M samples/s drawn (clt runs not counted)",
            elapsed_ms / 1000.0,
            rate / 1e6
        ),
    );
    let df = config.d as f64;
    let cap = (config.max_steps as f64).ln() / df.ln();
    let l = target_information_exponent(&config.target, config.k).unwrap_or(1);
    let mu_max = config
        .mu
        .iter()
        .cloned()
        .fold(0.0, f64::max)
        .max(l as f64 + 0.5);
    let points = sorted_points(ex);
    let summaries = summarise(&points);
    // on narrow screens the legend keeps the measurements only; the note explains the theory
    let compact = ex
        .document
        .get_element_by_id("x-theta")
        .is_some_and(|c| c.client_width() < COMPACT_LEGEND_BELOW_PX);
    let mut theta = ChartSpec {
        title: format!("time: θ = log_d T (d = {}, l = {l})", config.d),
        x_label: "μ = log_d n_b".into(),
        y_label: "θ = log_d T".into(),
        x_range: Some((0.0, mu_max)),
        horizontal_lines: vec![(cap, format!("cap: {} steps", config.max_steps))],
        ..Default::default()
    };
    let mut samples = ChartSpec {
        title: "samples: log_d N, N = T n_b".into(),
        x_label: "μ = log_d n_b".into(),
        y_label: "log_d N".into(),
        x_range: Some((0.0, mu_max)),
        ..Default::default()
    };
    if let Ok(diagram) = phase_diagram(l, mu_max) {
        theta.y_range = Some((-0.2, diagram.theta_max.max(cap + 0.2)));
        for (i, region) in diagram.regions.iter().enumerate() {
            theta.regions.push(Region {
                polygon: region.polygon.iter().map(|p| (p[0], p[1])).collect(),
                color: 3 + i % 3,
                label: if compact {
                    String::new()
                } else {
                    region.label.clone()
                },
            });
        }
        let mut labelled: Vec<&str> = Vec::new();
        for segment in &diagram.frontiers {
            let c = match segment.owner {
                FrontierOwner::Both => 7,
                FrontierOwner::PlainSgd => color(Loss::Mse),
                FrontierOwner::CorrelationLoss => color(Loss::Correlation),
            };
            let line = vec![
                (segment.start[0], segment.start[1]),
                (segment.end[0], segment.end[1]),
            ];
            let owner = match segment.owner {
                FrontierOwner::Both => "theory: both protocols",
                FrontierOwner::PlainSgd => "theory: plain SGD",
                FrontierOwner::CorrelationLoss => "theory: correlation loss",
            };
            let label = if compact || labelled.contains(&owner) {
                String::new()
            } else {
                owner.to_string()
            };
            labelled.push(owner);
            theta.series.push(Series {
                label: label.clone(),
                points: line.clone(),
                color: c,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
            samples.series.push(Series {
                label,
                points: line.iter().map(|&(mu, t)| (mu, t + mu)).collect(),
                color: c,
                dashed: true,
                bold: false,
                markers: Marker::Line,
            });
        }
        for o in &diagram.optimal_points {
            let c = match o.protocol {
                Protocol::PlainSgd => color(Loss::Mse),
                Protocol::CorrelationLoss => color(Loss::Correlation),
            };
            let [mu, t] = o.point;
            let label = match (compact, o.protocol) {
                (false, _) => o.label.clone(),
                (true, Protocol::PlainSgd) => "optimal n_b, plain SGD".into(),
                (true, Protocol::CorrelationLoss) => "optimal n_b, correlation loss".into(),
            };
            for (chart, y) in [(&mut theta, t), (&mut samples, t + mu)] {
                chart.series.push(Series {
                    label: label.clone(),
                    points: vec![(mu, y)],
                    color: c,
                    dashed: false,
                    bold: true,
                    markers: Marker::Crosses,
                });
            }
        }
        set_text(&ex.document, "x-note", &phase_diagram_note(l));
    }
    for &loss in &config.protocols {
        let mine: Vec<&SweepPoint> = points.iter().filter(|p| p.protocol == loss).collect();
        let name = loss.label();
        theta.series.push(Series {
            label: String::new(),
            points: mine
                .iter()
                .filter_map(|p| p.theta.map(|t| (p.mu_resolved, t)))
                .collect(),
            color: color(loss),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
        let censored: Vec<(f64, f64)> = mine
            .iter()
            .filter(|p| p.censored)
            .map(|p| (p.mu_resolved, cap))
            .collect();
        if !censored.is_empty() {
            theta.series.push(Series {
                label: format!("{name}: capped"),
                points: censored,
                color: color(loss),
                dashed: false,
                bold: false,
                markers: Marker::OpenTriangles,
            });
        }
        let medians: Vec<&crate::sweep::SweepSummary> =
            summaries.iter().filter(|s| s.protocol == loss).collect();
        theta.series.push(Series {
            label: format!("{name}: median (dots: runs)"),
            points: medians
                .iter()
                .filter_map(|s| s.median_theta.map(|t| (s.mu_resolved, t)))
                .collect(),
            color: color(loss),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        samples.series.push(Series {
            label: format!("{name}: median"),
            points: medians
                .iter()
                .filter_map(|s| s.median_log_samples.map(|n| (s.mu_resolved, n)))
                .collect(),
            color: color(loss),
            dashed: false,
            bold: true,
            markers: Marker::Line,
        });
        samples.series.push(Series {
            label: String::new(),
            points: mine
                .iter()
                .filter(|p| !p.censored)
                .map(|p| (p.mu_resolved, (p.samples as f64).ln() / df.ln()))
                .collect(),
            color: color(loss),
            dashed: false,
            bold: false,
            markers: Marker::Dots,
        });
    }
    for (id, spec) in [("x-theta", &theta), ("x-samples", &samples)] {
        if let Some(c) = ex
            .document
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
        {
            if let Err(e) = draw_chart(&c, spec) {
                web_sys::console::warn_1(&format!("explorer chart: {e}").into());
            }
        }
    }
    if let Some(e) = ex.document.get_element_by_id("x-progress-text") {
        let _ = e.set_attribute("data-done", &done.to_string());
        let _ = e.set_attribute("data-total", &total.to_string());
        let _ = e.set_attribute("data-elapsed-ms", &format!("{elapsed_ms:.0}"));
        let _ = e.set_attribute("data-samples", &samples_done.to_string());
    }
    if !ex.errors.is_empty() {
        set_text(&ex.document, "x-error", &ex.errors.join("\n"));
    }
}

/// What the dashed lines and crosses of the explorer's charts mean, for information exponent l
/// (the paper's Fig. 1).
fn phase_diagram_note(l: u32) -> String {
    if l <= 2 {
        format!(
            "Theory (l = {l}): both protocols need T = d{} / n_b steps up to n_b = d (×: the \
             optimal batch, N = T n_b stays flat up to it), then {} for larger batches, which only \
             waste samples.",
            if l == 2 { " log d" } else { "" },
            if l == 2 { "log d steps" } else { "one step" }
        )
    } else {
        format!(
            "Theory (l = {l}): T = d^(l−1) / n_b for both protocols up to n_b = d^(l/2) \
             (×, plain SGD's optimal batch); beyond it plain SGD stays at T = d^(l/2−1) while \
             the correlation loss keeps T = d^(l−1) / n_b up to n_b = d^(l−1) (×, its \
             optimal batch); then polylog(d) steps for d^(l−1) ≤ n_b < d^l \
             and one giant step for n_b ≥ d^l. Left of each × the number of samples N = T n_b is \
             flat; right of it larger batches only waste samples. Shading: below the dashed \
             lines no protocol reaches weak recovery; between them only correlation-loss (or \
             adaptive) SGD does; above them plain SGD does too."
        )
    }
}

/// Fills the form from a sweep config (URL state).
fn write_form(document: &Document, config: &SweepConfig) {
    set_value(document, "x-target", &config.target.to_string());
    set_value(document, "x-d", &config.d.to_string());
    set_value(
        document,
        "x-update",
        match config.update {
            crate::sampler::Update::Projected => "projected",
            crate::sampler::Update::Spherical => "spherical",
        },
    );
    for p in Loss::ALL {
        if let Some(i) = document
            .get_element_by_id(&format!("x-protocol-{p}"))
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        {
            i.set_checked(config.protocols.contains(&p));
        }
    }
    if let (Some(first), Some(last)) = (config.mu.first(), config.mu.last()) {
        set_value(document, "x-mu-from", &first.to_string());
        set_value(document, "x-mu-to", &last.to_string());
        if config.mu.len() > 1 {
            set_value(
                document,
                "x-mu-step",
                &((last - first) / (config.mu.len() - 1) as f64).to_string(),
            );
        }
    }
    match config.lr {
        LearningRate::Optimal { gamma0 } => {
            set_value(document, "x-lr-policy", "optimal");
            set_value(document, "x-gamma0", &gamma0.to_string());
        }
        LearningRate::Fixed { gamma0, delta } => {
            set_value(document, "x-lr-policy", "fixed");
            set_value(document, "x-gamma0", &gamma0.to_string());
            set_value(document, "x-delta", &delta.to_string());
        }
        LearningRate::Authors { c } => {
            set_value(document, "x-lr-policy", "authors");
            set_value(document, "x-gamma0", &c.to_string());
        }
    }
    set_value(
        document,
        "x-gamma0-by-protocol",
        &config.lr_by_protocol.prefactors_text(),
    );
    set_value(document, "x-seeds", &config.seeds.len().to_string());
    set_value(document, "x-eta", &config.eta.to_string());
    set_value(document, "x-max-steps", &config.max_steps.to_string());
    set_value(
        document,
        "x-noise",
        &crate::config::display_number(config.noise),
    );
}

/// Installs the explorer; `sweep_json` is the `sweep=` URL parameter, if any.
pub fn install(document: &Document, sweep_json: Option<&str>) -> Result<(), JsValue> {
    let mut url_error = None;
    if let Some(json) = sweep_json {
        match SweepConfig::from_json(json) {
            Ok(config) => {
                write_form(document, &config);
                if let Ok(shown) = form_json(document) {
                    FORM_BASE.with(|b| *b.borrow_mut() = Some((config.clone(), shown)));
                }
                // the form keeps one policy kind and per-protocol prefactors
                let other: Vec<&str> = Loss::ALL
                    .into_iter()
                    .filter(|&p| {
                        config.lr_by_protocol.get(p).is_some_and(|lr| {
                            std::mem::discriminant(&lr) != std::mem::discriminant(&config.lr)
                        })
                    })
                    .map(|p| p.label())
                    .collect();
                if !other.is_empty() {
                    url_error = Some(format!(
                        "URL parameter sweep: lr_by_protocol for {} uses another policy than lr; \
                         the form applies its prefactor to lr's policy",
                        other.join(", ")
                    ));
                }
            }
            Err(e) => url_error = Some(format!("URL parameter sweep: {e} — ignored")),
        }
    }
    EXPLORER.with(|e| {
        *e.borrow_mut() = Some(Explorer {
            document: document.clone(),
            workers: Vec::new(),
            generation: 0,
            config: None,
            jobs: Vec::new(),
            next_job: 0,
            busy: Vec::new(),
            points: Vec::new(),
            errors: Vec::new(),
            redraw_pending: false,
            started_ms: 0.0,
            finished_ms: None,
        })
    });
    set_value(document, "x-workers", &default_pool_size().to_string());
    set_text(
        document,
        "x-workers-hint",
        &format!(
            "this device reports {} cores; default {}",
            cores(),
            default_pool_size()
        ),
    );
    let listen = |id: &str, event: &str, f: Box<dyn FnMut()>| -> Result<(), JsValue> {
        let closure = Closure::<dyn FnMut()>::new(f);
        document
            .get_element_by_id(id)
            .ok_or_else(|| JsValue::from_str(&format!("missing #{id}")))?
            .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
        closure.forget();
        Ok(())
    };
    listen(
        "x-run",
        "click",
        Box::new(|| {
            with(start);
        }),
    )?;
    listen(
        "x-cancel",
        "click",
        Box::new(|| {
            with(|ex| {
                cancel(ex);
                set_text(
                    &ex.document,
                    "x-status",
                    &format!("cancelled after {} runs", ex.points.len()),
                );
                request_redraw(ex);
            });
        }),
    )?;
    listen(
        "x-form",
        "input",
        Box::new(|| {
            with(|ex| {
                validate(&ex.document);
            });
        }),
    )?;
    listen(
        "x-export-csv",
        "click",
        Box::new(|| {
            with(|ex| {
                download_text(
                    &ex.document,
                    "online-sgd-lab-sweep.csv",
                    "text/csv",
                    &points_to_csv(&sorted_points(ex)),
                )
            });
        }),
    )?;
    listen(
        "x-export-json",
        "click",
        Box::new(|| {
            with(|ex| {
                let points = sorted_points(ex);
                let json = serde_json::json!({ "config": ex.config, "points": points, "summaries": summarise(&points) });
                download_text(
                    &ex.document,
                    "online-sgd-lab-sweep.json",
                    "application/json",
                    &json.to_string(),
                );
            });
        }),
    )?;
    validate(document);
    if let Some(message) = url_error {
        set_text(document, "x-error", &message);
    }
    Ok(())
}
