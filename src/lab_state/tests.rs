//! Tests of the lab state: round trips, every error at once, ranges named.

use super::*;
use crate::config::scaling::LearningRate;
use crate::initialisation::Initialisation;

#[test]
fn hash_round_trip_keeps_every_setting() {
    let mut s = LabState::default();
    s.config.model.d = 4096;
    s.config.batch = Some(BatchScaling { n0: 2.0, mu: 1.25 });
    s.config.lr = Some(LearningRate::Fixed {
        gamma0: 0.5,
        delta: 0.25,
    });
    s.config.model.init = Initialisation::M0 { m0: 0.1 };
    s.config.seed = 9_007_199_254_740_993; // above 2^53: kept exactly as text
    s.panels = vec![Loss::Mse, Loss::Correlation, Loss::Adaptive];
    s.view.samples = true;
    s.embed = true;
    s.hide = vec!["controls".into()];
    let back = LabState::from_hash(&format!("#{}", s.to_hash())).unwrap();
    assert_eq!(back, s);
}

#[test]
fn bad_parameters_are_reported_by_key_never_panic() {
    let errors =
        LabState::from_hash("d=abc&mu=99&panels=mse,hinge&bogus=1&hide=everything&target=<script>")
            .unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    for key in ["bogus", "target", "d", "panels", "hide"] {
        assert!(keys.contains(&key), "{key} not reported in {errors:?}");
    }
    let d = errors.iter().find(|e| e.key == "d").unwrap();
    assert_eq!(d.message, "'abc' is not a number");
    // range errors come from the shared config validation, named by lab key
    let errors = LabState::from_hash("mu=99").unwrap_err();
    assert_eq!(errors[0].key, "mu");
    assert!(errors[0].message.contains("[0, 12]"));
    let errors = LabState::from_hash("c=-1").unwrap_err();
    assert_eq!(errors[0].key, "c");
}

#[test]
fn keys_at_most_once_names_exactly_and_echoes_cut() {
    let errors = LabState::from_hash("d=64&p=2&d=128").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key, "d");
    assert!(errors[0].message.contains("twice"), "{errors:?}");
    for bad in ["HE3", "%20he3", "he3%20", "he%2B3", "he03", "Tanh_product"] {
        let errors = LabState::from_hash(&format!("target={bad}")).unwrap_err();
        assert_eq!(errors[0].key, "target", "{bad}: {errors:?}");
    }
    for bad in ["Mse", "mse,%20correlation"] {
        let errors = LabState::from_hash(&format!("panels={bad}")).unwrap_err();
        assert_eq!(errors[0].key, "panels", "{bad}: {errors:?}");
    }
    let errors = LabState::from_hash("sampler=%20exact").unwrap_err();
    assert_eq!(errors[0].key, "sampler");
    assert!(LabState::from_hash("target=he3n&activation=he2&panels=mse,correlation").is_ok());
    // a 1 MB value or key is echoed cut, never whole
    let long = "x".repeat(1_000_000);
    for hash in [
        format!("target={long}"),
        format!("{long}=1"),
        format!("d={long}"),
        format!("hide={long}"),
        format!("preset={long}"),
    ] {
        let errors = LabState::from_hash(&hash).unwrap_err();
        for e in &errors {
            assert!(e.to_string().len() < 1000, "{} bytes", e.to_string().len());
        }
    }
    let errors = LabState::from_hash("preset=nope").unwrap_err();
    assert_eq!(errors[0].key, "preset");
    assert!(errors[0].message.contains("fig2-mu1"), "{errors:?}");
}

#[test]
fn autostart_is_validated_and_round_trips() {
    assert!(LabState::from_hash("").unwrap().autostart);
    let s = LabState::from_hash("embed=1&autostart=0&hide=caption,export").unwrap();
    assert!(!s.autostart);
    assert_eq!(s.hide, ["caption", "export"]);
    assert!(s.to_hash().contains("autostart=0"));
    assert_eq!(LabState::from_hash(&s.to_hash()).unwrap(), s);
    // the default is not written
    assert!(!LabState::default().to_hash().contains("autostart"));
    assert!(LabState::from_hash("autostart=1").unwrap().autostart);
    let errors = LabState::from_hash("autostart=later").unwrap_err();
    assert_eq!(errors[0].key, "autostart");
}

#[test]
fn defaults_are_the_paper_setting() {
    let s = LabState::from_hash("").unwrap();
    let r = s.resolve().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].nb_resolved, 1024);
    assert!((r[0].gamma_resolved - 1e-3).abs() < 1e-15);
}

#[test]
fn batch_defaults_to_mu_so_d_keeps_mu() {
    let s = LabState::from_hash("d=4096").unwrap();
    let r = s.resolve().unwrap();
    assert_eq!(r[0].nb_resolved, 4096);
    assert!((r[0].mu_resolved - 1.0).abs() < 1e-12);
    assert!(s.to_hash().contains("n0=1&mu=1"), "{}", s.to_hash());
    assert!(!s.to_hash().contains("nb="));
    // a link with nb= keeps the n_b mode
    let s = LabState::from_hash("d=4096&nb=1024").unwrap();
    assert_eq!(s.config.nb, Some(1024.0));
    assert_eq!(s.config.batch, None);
    assert_eq!(s.resolve().unwrap()[0].nb_resolved, 1024);
    let back = LabState::from_hash(&s.to_hash()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn whole_numbers_name_their_real_range() {
    for (hash, key, range) in [
        ("d=1e99", "d", "[4, 1000000000] (at least 2(p + k))"),
        ("d=-5", "d", "[4, 1000000000]"),
        ("p=3&d=1.5", "d", "[8, 1000000000]"),
        ("p=-1", "p", "[1, 16]"),
        ("k=2.5", "k", "[1, 8]"),
        ("steps=-3", "steps", "[1, 1000000000]"),
    ] {
        let errors = LabState::from_hash(hash).unwrap_err();
        assert_eq!(errors.len(), 1, "{hash}: {errors:?}");
        assert_eq!(errors[0].key, key, "{hash}");
        assert!(
            errors[0].message.contains(range),
            "{hash}: {}",
            errors[0].message
        );
        assert!(!errors[0].message.contains(">= 0"), "{hash}");
    }
    // out of range but whole: the config validation says the same range
    let errors = LabState::from_hash("d=1e12").unwrap_err();
    assert!(errors[0].message.contains("[4, 1000000000]"), "{errors:?}");
}

#[test]
fn every_bad_key_is_reported_at_once() {
    let errors = LabState::from_hash("mu=abc&steps=0&eta=2").unwrap_err();
    let mut keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["eta", "mu", "steps"], "{errors:?}");
    let errors = LabState::from_hash("d=2&steps=0&noise=-1&c=-1").unwrap_err();
    let mut keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["c", "d", "noise", "steps"], "{errors:?}");
    // each key once, even when it is both unparsable and out of range
    let errors = LabState::from_hash("d=abc&p=99").unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["d", "p"], "{errors:?}");
}

#[test]
fn the_second_layer_is_a_page_key() {
    let s = LabState::from_hash("a0=0.1&gamma=3.125e-3").unwrap();
    assert_eq!(s.config.model.second_layer.a0, 0.1);
    assert!(s.to_hash().contains("a0=0.1"), "{}", s.to_hash());
    assert_eq!(LabState::from_hash(&s.to_hash()).unwrap(), s);
    assert!(!LabState::default().to_hash().contains("a0="));
    let errors = LabState::from_hash("a0=0").unwrap_err();
    assert_eq!(errors[0].key, "a0");
    assert!(errors[0].message.contains("(0, 1e6]"), "{errors:?}");
    // the trained second layer: its rate is a key of its own, left out while it is 0
    let s = LabState::from_hash("a0=0.1&a_gamma=4e-5").unwrap();
    assert_eq!(s.config.model.second_layer.gamma, 4e-5);
    assert!(s.to_hash().contains("a_gamma=4e-5"), "{}", s.to_hash());
    assert_eq!(LabState::from_hash(&s.to_hash()).unwrap(), s);
    assert!(!LabState::from_hash("a0=0.1")
        .unwrap()
        .to_hash()
        .contains("a_gamma"));
    for bad in ["a_gamma=-1", "a_gamma=1e7", "a_gamma=x"] {
        let errors = LabState::from_hash(bad).unwrap_err();
        assert_eq!(errors[0].key, "a_gamma", "{bad}: {errors:?}");
    }
    let errors = LabState::from_hash("a_gamma=-1").unwrap_err();
    assert!(errors[0].message.contains("[0, 1e6]"), "{errors:?}");
}

#[test]
fn every_ensemble_member_knows_its_batch_exponent() {
    let by_nb = LabState::from_hash("d=1000&nb=1000&seeds=2").unwrap();
    let members = by_nb.member_configs();
    assert!(members[0].iter().all(|m| (m.mu - 1.0).abs() < 1e-12));
    let listed = LabState::from_hash("mu=1,2&seeds=2").unwrap();
    let mus: Vec<f64> = listed.member_configs()[0].iter().map(|m| m.mu).collect();
    assert_eq!(mus, [1.0, 1.0, 2.0, 2.0]);
    assert_eq!(LabState::default().batch_exponent_list(), [1.0]);
}

#[test]
fn a_hermite_target_round_trips_through_the_url() {
    let mut s = LabState::default();
    s.config.model.target =
        r#"{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [-0.5, [1, 1, 3]]], "normalised": true}"#
            .parse()
            .unwrap();
    s.config.model.k = 3;
    s.config.model.p = 3;
    s.config.model.activation = Some(crate::model::Link::Relu);
    let hash = s.to_hash();
    let back = LabState::from_hash(&format!("#{hash}")).unwrap();
    assert_eq!(back, s);
    assert_eq!(
        back.config.model.target.to_string(),
        s.config.model.target.to_string()
    );
    // a bad term is reported under the page key `target`, with the term and the valid range
    let bad = hash.replace("%5B1%2C1%2C3%5D", "%5B1%2C1%2C9%5D");
    assert_ne!(bad, hash, "the test edits the encoded degree list: {hash}");
    let errors = LabState::from_hash(&format!("#{bad}")).unwrap_err();
    assert_eq!(errors[0].key, "target", "{errors:?}");
    assert!(errors[0].message.contains("[0, 8]"), "{errors:?}");
    assert!(
        errors[0].message.contains("target.hermite[2]"),
        "{errors:?}"
    );
}

#[test]
fn a_spiked_covariance_round_trips_through_the_url() {
    let value = r#"{"spikes":[{"beta":1.0,"teacher":[1.0],"free":0.0},{"beta":3.0,"teacher":[],"free":1.0}]}"#;
    let s = LabState::from_pairs([("covariance", value)]).unwrap();
    assert_eq!(s.config.model.covariance.spikes.len(), 2);
    assert_eq!(s.config.model.covariance.free_directions(), 1);
    let pairs = s.to_pairs();
    let written = pairs.iter().find(|(k, _)| k == "covariance").unwrap();
    assert_eq!(
        written.1,
        r#"{"spikes":[{"beta":1.0,"free":0.0,"teacher":[1.0]},{"beta":3.0,"free":1.0,"teacher":[]}]}"#
    );
    let again = LabState::from_pairs([("covariance", written.1.as_str())]).unwrap();
    assert_eq!(again.config.model.covariance, s.config.model.covariance);
    // isotropic: absent from the pairs, and an empty field is isotropic
    assert!(!LabState::default()
        .to_pairs()
        .iter()
        .any(|(k, _)| k == "covariance"));
    let s = LabState::from_pairs([("covariance", "")]).unwrap();
    assert!(s.config.model.covariance.is_isotropic());
    // errors name the page key and the spike's field
    for (bad, inner) in [
        (
            r#"{"spikes":[{"beta":-2,"teacher":[1]}]}"#,
            "covariance.spikes[0].beta",
        ),
        (
            r#"{"spikes":[{"beta":1,"teacher":[1,0]}]}"#,
            "covariance.spikes[0].teacher",
        ),
        (
            r#"{"spikes":[{"beta":1,"tilt":[1]}]}"#,
            "covariance.spikes[0].tilt",
        ),
        ("{", ""),
    ] {
        let errors = LabState::from_pairs([("covariance", bad)]).unwrap_err();
        assert_eq!(errors[0].key, "covariance", "{bad}: {errors:?}");
        assert!(
            errors[0].message.contains(inner),
            "{bad}: {}",
            errors[0].message
        );
    }
}
