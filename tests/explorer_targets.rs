//! The explorer's target menu (index.html, `x-target`): every multi-index option is a Hermite
//! polynomial written as the page writes it back (so a link selects that very option), with
//! the k its label states and the information exponent and leap index the README and the
//! caption give.

use sgdlab::model::{target_information_exponent, target_leap_index, Target};

/// (value, label) of each `<option>` of the select `id` in index.html.
fn options(id: &str) -> Vec<(String, String)> {
    let html = include_str!("../index.html");
    let start = html
        .find(&format!("<select id=\"{id}\">"))
        .expect("the select");
    let end = start + html[start..].find("</select>").unwrap();
    html[start..end]
        .split("<option value=")
        .skip(1)
        .map(|o| {
            let quote = &o[..1];
            let value = o[1..].split(quote).next().unwrap().to_string();
            let label = o.split('>').nth(1).unwrap().split('<').next().unwrap();
            (value, label.to_string())
        })
        .collect()
}

#[test]
fn the_multi_index_targets_of_the_menu_read_back_as_written() {
    let multi: Vec<(String, String)> = options("x-target")
        .into_iter()
        .filter(|(v, _)| v.starts_with('{'))
        .collect();
    let mut found = Vec::new();
    for (value, label) in &multi {
        let target: Target = value.parse().unwrap();
        assert_eq!(&target.to_string(), value, "{label}");
        let Target::Hermite(h) = target else {
            panic!("{label} is not a Hermite polynomial")
        };
        assert!(label.ends_with(&format!("(k = {})", h.k())), "{label}");
        let (l, leap) = (
            target_information_exponent(&target, h.k()).unwrap(),
            target_leap_index(&target, h.k()).unwrap(),
        );
        found.push((label.clone(), l, leap));
    }
    assert_eq!(
        found,
        vec![
            ("z₁ + z₁z₂ + z₁z₂z₃ (k = 3)".to_string(), 1, 1),
            ("z₁z₂z₃ (k = 3)".to_string(), 3, 3),
            ("z₁ + He₃(z₂) (k = 2)".to_string(), 1, 3),
        ]
    );
}
