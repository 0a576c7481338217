//! DOM test: a trajectory chart renders into a `<canvas>` (plotters-canvas, main thread).
#![cfg(target_arch = "wasm32")]

use sgdlab::simulation::TrajectoryPoint;
use sgdlab::web::app::{overlap_spec, risk_spec, TimeAxis};
use sgdlab::web::chart::{draw_chart, tick_label};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas
        .style()
        .set_property("width", &format!("{width}px"))
        .unwrap();
    canvas
        .style()
        .set_property("height", &format!("{height}px"))
        .unwrap();
    document.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// Luminance variance over the whole canvas.
fn pixel_variance(canvas: &HtmlCanvasElement) -> f64 {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64)
        .unwrap()
        .data();
    let (mut sum, mut sum2, mut n) = (0.0, 0.0, 0.0);
    for px in data.chunks(4) {
        let v = 0.299 * px[0] as f64 + 0.587 * px[1] as f64 + 0.114 * px[2] as f64;
        sum += v;
        sum2 += v * v;
        n += 1.0;
    }
    sum2 / n - (sum / n).powi(2)
}

fn trajectory(n: u64) -> Vec<TrajectoryPoint> {
    (0..n)
        .map(|t| {
            let m = 0.03 + 0.9 * (t as f64 / n as f64).powi(3);
            TrajectoryPoint {
                step: t,
                m: vec![vec![m]],
                q: vec![vec![1.0]],
                a: None,
                r: None,
                risk: 6.0 * (1.0 - m * m * m) + 5e-7,
            }
        })
        .collect()
}

#[wasm_bindgen_test]
fn overlap_and_risk_charts_draw_into_a_canvas() {
    let points = trajectory(10_000);
    for axis in [
        TimeAxis {
            log: false,
            samples: false,
        },
        TimeAxis {
            log: true,
            samples: true,
        },
    ] {
        let c = canvas(600, 300);
        assert!(pixel_variance(&c) < 1e-9, "a new canvas is blank");
        draw_chart(
            &c,
            &overlap_spec("MSE SGD", &points, 0.5, Some(9000), axis, 1024),
        )
        .unwrap();
        let v = pixel_variance(&c);
        assert!(v > 50.0, "overlap chart looks blank: variance {v}");
        let r = canvas(600, 200);
        draw_chart(&r, &risk_spec(&points, axis, 1024)).unwrap();
        assert!(pixel_variance(&r) > 50.0);
    }
}

#[wasm_bindgen_test]
fn empty_and_degenerate_series_draw_without_error() {
    let c = canvas(300, 200);
    draw_chart(
        &c,
        &overlap_spec(
            "empty",
            &[],
            0.5,
            None,
            TimeAxis {
                log: true,
                samples: false,
            },
            1,
        ),
    )
    .unwrap();
    let flat = trajectory(1);
    draw_chart(
        &c,
        &risk_spec(
            &flat,
            TimeAxis {
                log: false,
                samples: false,
            },
            1,
        ),
    )
    .unwrap();
    // one format per axis (src/ui/axis.rs): powers of ten outside [10⁻³, 10⁴)
    assert_eq!(tick_label(1e-6), "10⁻⁶");
    assert_eq!(tick_label(1e5), "10⁵");
    assert_eq!(tick_label(1000.0), "1000");
    assert_eq!(tick_label(0.25), "0.25");
}
