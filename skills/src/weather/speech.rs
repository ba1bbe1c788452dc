//! Spoken weather sentences in English, French and Dutch. Temperatures are rounded to whole
//! degrees and written out with their sign as a word, which every TTS engine reads right.

use crate::lang::Lang;
use crate::weather::report::{Condition, Current, Day};

/// Which day a forecast question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhichDay {
    Today,
    Tomorrow,
    DayAfterTomorrow,
}

impl WhichDay {
    /// From the `day` slot's enum value; no slot means today.
    pub(crate) fn from_slot(value: Option<&str>) -> WhichDay {
        match value {
            Some("tomorrow") => WhichDay::Tomorrow,
            Some("day_after_tomorrow") => WhichDay::DayAfterTomorrow,
            _ => WhichDay::Today,
        }
    }

    /// Days after today.
    pub(crate) fn offset(self) -> usize {
        match self {
            WhichDay::Today => 0,
            WhichDay::Tomorrow => 1,
            WhichDay::DayAfterTomorrow => 2,
        }
    }

    fn word(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (WhichDay::Today, Lang::En) => "today",
            (WhichDay::Tomorrow, Lang::En) => "tomorrow",
            (WhichDay::DayAfterTomorrow, Lang::En) => "the day after tomorrow",
            (WhichDay::Today, Lang::Fr) => "aujourd'hui",
            (WhichDay::Tomorrow, Lang::Fr) => "demain",
            (WhichDay::DayAfterTomorrow, Lang::Fr) => "après-demain",
            (WhichDay::Today, Lang::Nl) => "vandaag",
            (WhichDay::Tomorrow, Lang::Nl) => "morgen",
            (WhichDay::DayAfterTomorrow, Lang::Nl) => "overmorgen",
        }
    }
}

/// "17 degrees", "minus 3 degrees", "1 degré", "moins 2 degrés", "1 graad", "20 graden".
pub(crate) fn degrees(value: f64, lang: Lang) -> String {
    let rounded = value.round() as i64;
    // "-0" must not be read "minus zero".
    let magnitude = rounded.unsigned_abs();
    let minus = match (rounded < 0, lang) {
        (false, _) => "",
        (true, Lang::En) => "minus ",
        (true, Lang::Fr) => "moins ",
        (true, Lang::Nl) => "min ",
    };
    let unit = match (lang, magnitude) {
        (Lang::En, 1) => "degree",
        (Lang::En, _) => "degrees",
        (Lang::Fr, 0 | 1) => "degré",
        (Lang::Fr, _) => "degrés",
        (Lang::Nl, 1) => "graad",
        (Lang::Nl, _) => "graden",
    };
    format!("{minus}{magnitude} {unit}")
}

/// The condition as a noun phrase: "rain", "de la pluie", "regen".
pub(crate) fn condition_words(condition: Condition, lang: Lang) -> &'static str {
    match lang {
        Lang::En => match condition {
            Condition::Clear => "clear skies",
            Condition::PartlyCloudy => "some clouds",
            Condition::Cloudy => "overcast skies",
            Condition::Fog => "fog",
            Condition::Drizzle => "drizzle",
            Condition::Rain => "rain",
            Condition::Showers => "showers",
            Condition::Snow => "snow",
            Condition::Thunderstorm => "thunderstorms",
        },
        Lang::Fr => match condition {
            Condition::Clear => "un ciel dégagé",
            Condition::PartlyCloudy => "quelques nuages",
            Condition::Cloudy => "un ciel couvert",
            Condition::Fog => "du brouillard",
            Condition::Drizzle => "de la bruine",
            Condition::Rain => "de la pluie",
            Condition::Showers => "des averses",
            Condition::Snow => "de la neige",
            Condition::Thunderstorm => "des orages",
        },
        Lang::Nl => match condition {
            Condition::Clear => "een heldere lucht",
            Condition::PartlyCloudy => "wat wolken",
            Condition::Cloudy => "bewolking",
            Condition::Fog => "mist",
            Condition::Drizzle => "motregen",
            Condition::Rain => "regen",
            Condition::Showers => "buien",
            Condition::Snow => "sneeuw",
            Condition::Thunderstorm => "onweer",
        },
    }
}

/// "In Paris it's 17 degrees with rain."
pub(crate) fn current_sentence(place: &str, current: &Current, lang: Lang) -> String {
    let temperature = degrees(current.temperature, lang);
    let sky = condition_words(current.condition, lang);
    match lang {
        Lang::En => format!("In {place} it's {temperature} with {sky}."),
        Lang::Fr => format!("À {place}, il fait {temperature} avec {sky}."),
        Lang::Nl => format!("In {place} is het {temperature} met {sky}."),
    }
}

/// "Tomorrow in Paris expect rain, between 3 and 8 degrees. The chance of rain is 80 percent."
pub(crate) fn forecast_sentence(place: &str, day: &Day, which: WhichDay, lang: Lang) -> String {
    let when = capitalised(which.word(lang));
    let sky = condition_words(day.condition, lang);
    let low = degrees(day.min, lang);
    let high = degrees(day.max, lang);
    // "between 3 degrees and 8 degrees" is heavy: the unit goes on the high end only.
    let low = low
        .rsplit_once(' ')
        .map_or(low.as_str(), |(number, _)| number)
        .to_owned();
    let mut sentence = match lang {
        Lang::En => format!("{when} in {place} expect {sky}, between {low} and {high}."),
        Lang::Fr => format!("{when} à {place}, prévoyez {sky}, entre {low} et {high}."),
        Lang::Nl => format!("{when} in {place} verwacht je {sky}, tussen {low} en {high}."),
    };
    if let Some(chance) = day.precipitation_chance {
        sentence.push(' ');
        sentence.push_str(&match lang {
            Lang::En => format!("The chance of rain is {chance} percent."),
            Lang::Fr => format!("Le risque de pluie est de {chance} pour cent."),
            Lang::Nl => format!("De kans op regen is {chance} procent."),
        });
    }
    sentence
}

/// "Yes, rain is likely tomorrow in Paris: 80 percent chance."
pub(crate) fn rain_sentence(place: &str, day: &Day, which: WhichDay, lang: Lang) -> String {
    let when = which.word(lang);
    let likely = day.rain_likely();
    let mut sentence = match (lang, likely) {
        (Lang::En, true) => format!("Yes, rain is likely {when} in {place}"),
        (Lang::En, false) => format!("No, rain is unlikely {when} in {place}"),
        (Lang::Fr, true) => format!("Oui, il va probablement pleuvoir {when} à {place}"),
        (Lang::Fr, false) => format!("Non, il ne devrait pas pleuvoir {when} à {place}"),
        (Lang::Nl, true) => format!("Ja, het gaat {when} waarschijnlijk regenen in {place}"),
        (Lang::Nl, false) => format!("Nee, het gaat {when} waarschijnlijk niet regenen in {place}"),
    };
    match day.precipitation_chance {
        Some(chance) => sentence.push_str(&match lang {
            Lang::En => format!(": {chance} percent chance."),
            Lang::Fr => format!(" : {chance} pour cent de risque."),
            Lang::Nl => format!(": {chance} procent kans."),
        }),
        None => sentence.push('.'),
    }
    sentence
}

/// When no place was said and none is configured.
pub(crate) fn which_place(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "For which city? Ask for example: what's the weather in Paris.",
        Lang::Fr => "Pour quelle ville ? Demandez par exemple : quel temps fait-il à Paris.",
        Lang::Nl => "Voor welke stad? Vraag bijvoorbeeld: wat voor weer is het in Amsterdam.",
    }
}

/// When the service knows no such place.
pub(crate) fn unknown_place(place: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("I don't know a place called {place}."),
        Lang::Fr => format!("Je ne connais pas d'endroit appelé {place}."),
        Lang::Nl => format!("Ik ken geen plaats die {place} heet."),
    }
}

/// When the service's forecast does not reach the day asked about.
pub(crate) fn no_forecast(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I have no forecast for that day.",
        Lang::Fr => "Je n'ai pas de prévisions pour ce jour-là.",
        Lang::Nl => "Ik heb geen weersverwachting voor die dag.",
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn speaks_temperatures_with_their_sign_and_number() {
        let cases = [
            (17.4, "17 degrees", "17 degrés", "17 graden"),
            (0.6, "1 degree", "1 degré", "1 graad"),
            (-0.4, "0 degrees", "0 degré", "0 graden"),
            (-3.2, "minus 3 degrees", "moins 3 degrés", "min 3 graden"),
        ];
        for (value, en, fr, nl) in cases {
            assert_eq!(degrees(value, Lang::En), en);
            assert_eq!(degrees(value, Lang::Fr), fr);
            assert_eq!(degrees(value, Lang::Nl), nl);
        }
    }

    #[test]
    fn speaks_forecasts_and_rain_answers() {
        let day = Day {
            date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            min: 3.2,
            max: 8.0,
            condition: Condition::Rain,
            precipitation_chance: Some(80),
        };
        let which = WhichDay::Tomorrow;
        assert_eq!(
            forecast_sentence("Paris", &day, which, Lang::En),
            "Tomorrow in Paris expect rain, between 3 and 8 degrees. The chance of rain is 80 percent."
        );
        assert_eq!(
            forecast_sentence("Paris", &day, which, Lang::Fr),
            "Demain à Paris, prévoyez de la pluie, entre 3 et 8 degrés. Le risque de pluie est de 80 pour cent."
        );
        assert_eq!(
            forecast_sentence("Parijs", &day, WhichDay::DayAfterTomorrow, Lang::Nl),
            "Overmorgen in Parijs verwacht je regen, tussen 3 en 8 graden. De kans op regen is 80 procent."
        );
        let dry = Day {
            precipitation_chance: Some(10),
            condition: Condition::Clear,
            ..day.clone()
        };
        assert_eq!(
            rain_sentence("Paris", &day, which, Lang::En),
            "Yes, rain is likely tomorrow in Paris: 80 percent chance."
        );
        assert_eq!(
            rain_sentence("Paris", &dry, which, Lang::Fr),
            "Non, il ne devrait pas pleuvoir demain à Paris : 10 pour cent de risque."
        );
        assert_eq!(
            rain_sentence("Amsterdam", &day, WhichDay::Today, Lang::Nl),
            "Ja, het gaat vandaag waarschijnlijk regenen in Amsterdam: 80 procent kans."
        );
    }
}
