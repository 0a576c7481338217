//! Named settings (`loss`, `update`, `sampler`, …): their string forms are derived once per
//! enum with `strum` (`Display`, `FromStr`, the list of names), and [`parse_name`] turns a
//! bad name into a message that names the field and every valid value.

use strum::VariantNames;

/// Parses `text` as a `T` for the setting `field`, or says which names are valid, e.g.
/// "unknown loss 'x': expected mse, correlation or adaptive".
pub fn parse_name<T>(field: &str, text: &str) -> Result<T, String>
where
    T: std::str::FromStr + VariantNames,
{
    text.parse::<T>().map_err(|_| {
        format!(
            "unknown {field} '{}': expected {}",
            crate::config::json::cut(text),
            one_of(T::VARIANTS)
        )
    })
}

/// "a, b or c".
pub fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Loss;
    use crate::sampler::{SamplerChoice, SamplerKind, Update};

    #[test]
    fn names_round_trip_through_display_and_from_str() {
        for loss in Loss::ALL {
            assert_eq!(parse_name::<Loss>("loss", &loss.to_string()), Ok(loss));
        }
        assert_eq!(Update::Spherical.to_string(), "spherical");
        assert_eq!(SamplerChoice::Auto.to_string(), "auto");
        assert_eq!(SamplerKind::Clt.to_string(), "clt");
        // the serde names are the same strings
        assert_eq!(
            serde_json::to_string(&SamplerChoice::Exact).unwrap(),
            "\"exact\""
        );
    }

    #[test]
    fn a_bad_name_lists_every_valid_one() {
        assert_eq!(
            parse_name::<Loss>("loss", "x").unwrap_err(),
            "unknown loss 'x': expected mse, correlation or adaptive"
        );
        assert_eq!(
            parse_name::<SamplerChoice>("sampler", "fast").unwrap_err(),
            "unknown sampler 'fast': expected auto, full, exact or clt"
        );
    }
}
