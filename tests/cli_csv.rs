//! The CLI's CSV column groups beside the base columns: R_<j>_<i> (the students' overlaps with a
//! spiked covariance's free directions) in `run --csv` and `theory --csv`, equal to the JSON's
//! `R`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
mod cli_support;
use cli_support::sgdlab;

const SPIKED: &str = r#"{"d": 128, "p": 2, "steps": 30, "seed": 5, "loss": "correlation",
    "covariance": {"spikes": [{"beta": 3, "free": 1}]}}"#;

fn stdout(args: &[&str], config: &str) -> String {
    let out = sgdlab(args, config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn run_csv_has_the_free_directions_columns_of_the_json() {
    let json: serde_json::Value = serde_json::from_str(&stdout(&["run", "-"], SPIKED)).unwrap();
    let csv = stdout(&["run", "-", "--csv"], SPIKED);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[header.len() - 2..], ["R_1_1", "R_2_1"], "{header:?}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let r = json["R"].as_array().expect("R in the JSON");
    assert_eq!(rows.len(), r.len());
    for (row, r_t) in rows.iter().zip(r) {
        assert_eq!(row.len(), header.len());
        for j in 0..2 {
            let want = r_t[j][0].as_f64().unwrap();
            let got: f64 = row[header.len() - 2 + j].parse().unwrap();
            assert_eq!(got, want);
        }
    }
    // the students start with a free-direction overlap of order 1/sqrt(d), then it moves
    assert!(rows
        .iter()
        .any(|row| row[header.len() - 1] != rows[0][header.len() - 1]));
}

#[test]
fn theory_csv_has_the_free_directions_columns() {
    let csv = stdout(&["theory", "-", "--csv"], SPIKED);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.ends_with(",risk,R_1_1,R_2_1"), "{header}");
    let width = header.split(',').count();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), width, "{line}");
        assert!(
            fields[width - 2..].iter().all(|f| f.parse::<f64>().is_ok()),
            "{line}"
        );
    }
}

#[test]
fn isotropic_runs_have_no_r_columns() {
    let csv = stdout(&["run", "-", "--csv"], r#"{"d": 64, "p": 2, "steps": 5}"#);
    assert!(!csv.lines().next().unwrap().contains("R_"), "{csv}");
}
