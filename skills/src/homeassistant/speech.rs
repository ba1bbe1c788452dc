//! What the Home Assistant skill says, in English, French and Dutch.

use crate::lang::Lang;

/// "Okay, Kitchen light is on."
pub(crate) fn switched(name: &str, on: bool, lang: Lang) -> String {
    match (lang, on) {
        (Lang::En, true) => format!("Okay, {name} is on."),
        (Lang::En, false) => format!("Okay, {name} is off."),
        (Lang::Fr, true) => format!("D'accord, j'ai allumé {name}."),
        (Lang::Fr, false) => format!("D'accord, j'ai éteint {name}."),
        (Lang::Nl, true) => format!("Oké, {name} is aan."),
        (Lang::Nl, false) => format!("Oké, {name} is uit."),
    }
}

/// "Okay, Kitchen light is at 40 percent."
pub(crate) fn dimmed(name: &str, percent: i64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Okay, {name} is at {percent} percent."),
        Lang::Fr => format!("D'accord, {name} est à {percent} pour cent."),
        Lang::Nl => format!("Oké, {name} staat op {percent} procent."),
    }
}

/// When a brightness is asked of something that is not a light.
pub(crate) fn not_dimmable(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{name} cannot be dimmed."),
        Lang::Fr => format!("On ne peut pas régler la luminosité de {name}."),
        Lang::Nl => format!("{name} kan niet gedimd worden."),
    }
}

/// When nothing Home Assistant knows fits the words heard.
pub(crate) fn not_found(target: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("I couldn't find {target} in Home Assistant."),
        Lang::Fr => format!("Je ne trouve pas {target} dans Home Assistant."),
        Lang::Nl => format!("Ik kan {target} niet vinden in Home Assistant."),
    }
}

/// When several devices fit: "Which one do you mean: Desk lamp or Bedside lamp?"
pub(crate) fn which_one(names: &[&str], lang: Lang) -> String {
    let (or, question) = match lang {
        Lang::En => (" or ", "Which one do you mean: "),
        Lang::Fr => (" ou ", "Lequel voulez-vous dire : "),
        Lang::Nl => (" of ", "Welke bedoel je: "),
    };
    let listed = match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{}{or}{last}", rest.join(", ")),
        None => String::new(),
    };
    let mark = if lang == Lang::Fr { " ?" } else { "?" };
    format!("{question}{listed}{mark}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_candidates() {
        assert_eq!(
            which_one(&["Desk lamp", "Bedside lamp", "Ceiling"], Lang::En),
            "Which one do you mean: Desk lamp, Bedside lamp or Ceiling?"
        );
        assert_eq!(
            which_one(&["Lampe", "Plafonnier"], Lang::Fr),
            "Lequel voulez-vous dire : Lampe ou Plafonnier ?"
        );
    }
}
