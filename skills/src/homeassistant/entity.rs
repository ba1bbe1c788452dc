//! What Home Assistant has, as the skill sees it: controllable entities with their names and
//! areas, and how a spoken target ("the light in the kitchen", "lumière de la cuisine",
//! "keukenlamp") is resolved to one of them.

use std::collections::BTreeSet;

use crate::matcher::normalize_phrase;

/// The domains the skill switches: each has `turn_on` and `turn_off` services.
pub(crate) const CONTROLLABLE: &[&str] = &["light", "switch", "fan", "input_boolean"];

/// Words that name a kind of device rather than a particular one, with its domain.
const KIND_WORDS: &[(&str, &str)] = &[
    ("light", "light"),
    ("lights", "light"),
    ("lamp", "light"),
    ("lamps", "light"),
    ("lumiere", "light"),
    ("lumieres", "light"),
    ("lampe", "light"),
    ("lampes", "light"),
    ("licht", "light"),
    ("lichten", "light"),
    ("lampen", "light"),
    ("switch", "switch"),
    ("plug", "switch"),
    ("socket", "switch"),
    ("prise", "switch"),
    ("interrupteur", "switch"),
    ("stekker", "switch"),
    ("stopcontact", "switch"),
    ("schakelaar", "switch"),
    ("fan", "fan"),
    ("ventilateur", "fan"),
    ("ventilator", "fan"),
];

/// Words that carry no identity: articles, prepositions, possessives (normalised forms).
const STOPWORDS: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "my", "our", "le", "la", "les", "l", "de", "du",
    "des", "d", "dans", "mon", "ma", "mes", "notre", "un", "une", "het", "een", "van", "op",
    "mijn", "onze", "ons",
];

/// A controllable entity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entity {
    /// `light.kitchen`.
    pub(crate) id: String,
    /// `light`.
    pub(crate) domain: String,
    /// Its friendly name, as Home Assistant shows it.
    pub(crate) name: String,
    /// Its area's name, if it has one.
    pub(crate) area: Option<String>,
    /// The normalised words of its name, area and object id.
    words: BTreeSet<String>,
}

impl Entity {
    /// An entity from its id, friendly name and area.
    pub(crate) fn new(id: &str, name: &str, area: Option<&str>) -> Option<Entity> {
        let (domain, object) = id.split_once('.')?;
        let mut words: BTreeSet<String> = BTreeSet::new();
        for text in [name, area.unwrap_or_default(), &object.replace('_', " ")] {
            words.extend(normalize_phrase(text).split(' ').map(str::to_owned));
        }
        words.remove("");
        Some(Entity {
            id: id.to_owned(),
            domain: domain.to_owned(),
            name: name.to_owned(),
            area: area.map(str::to_owned),
            words,
        })
    }

    fn in_area(&self, area: &str) -> bool {
        self.area
            .as_deref()
            .is_some_and(|own| normalize_phrase(own) == normalize_phrase(area))
    }

    /// Whether `word` is one of its words, a plural of one, or part of a compound name
    /// ("keuken" in "keukenlamp").
    fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|own| {
            own == word
                || own.strip_suffix('s') == Some(word)
                || word.strip_suffix('s') == Some(own.as_str())
                || (word.len() >= 4 && (own.starts_with(word) || own.ends_with(word)))
        })
    }
}

/// What a spoken target resolved to.
#[derive(Debug, PartialEq)]
pub(crate) enum Resolution<'a> {
    /// Exactly one entity.
    One(&'a Entity),
    /// Several fit equally well.
    Ambiguous(Vec<&'a Entity>),
    /// None fits.
    Nothing,
}

/// Resolves `target` among `entities`. Every identifying word must belong to the entity; a
/// kind word ("light", "lampe", "licht") restricts the domain unless the entity's own name
/// carries it. Ties go to the entity in the asking satellite's area (a satellite named after
/// its room).
pub(crate) fn resolve<'a>(
    target: &str,
    entities: &'a [Entity],
    satellite: Option<&str>,
) -> Resolution<'a> {
    let normalised = normalize_phrase(target);
    let mut kinds: Vec<&str> = Vec::new();
    let mut content: Vec<&str> = Vec::new();
    for word in normalised.split(' ').filter(|word| !word.is_empty()) {
        if STOPWORDS.contains(&word) {
            continue;
        }
        match KIND_WORDS.iter().find(|(kind, _)| *kind == word) {
            Some((kind, _)) => kinds.push(kind),
            None => content.push(word),
        }
    }
    let kind_domains: Vec<&str> = kinds
        .iter()
        .filter_map(|kind| KIND_WORDS.iter().find(|(word, _)| word == kind))
        .map(|(_, domain)| *domain)
        .collect();
    if kinds.is_empty() && content.is_empty() {
        return Resolution::Nothing;
    }
    let fits = |entity: &Entity| {
        let kind_fits = kinds
            .iter()
            .zip(&kind_domains)
            .all(|(kind, domain)| entity.domain == *domain || entity.has_word(kind));
        kind_fits && content.iter().all(|word| entity.has_word(word))
    };
    let mut found: Vec<&Entity> = entities.iter().filter(|entity| fits(entity)).collect();
    if found.len() > 1 {
        // The fewest unexplained words first: "kitchen light" is `Kitchen light`, not
        // `Kitchen light strip`.
        let extra = |entity: &Entity| {
            normalize_phrase(&entity.name)
                .split(' ')
                .filter(|word| !content.contains(word) && !kinds.contains(word))
                .count()
        };
        let least = found.iter().map(|entity| extra(entity)).min().unwrap_or(0);
        found.retain(|entity| extra(entity) == least);
    }
    if found.len() > 1
        && let Some(room) = satellite
    {
        let here: Vec<&Entity> = found.iter().copied().filter(|e| e.in_area(room)).collect();
        if here.len() == 1 {
            found = here;
        }
    }
    match found.len() {
        0 => Resolution::Nothing,
        1 => Resolution::One(found[0]),
        _ => Resolution::Ambiguous(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn house() -> Vec<Entity> {
        vec![
            Entity::new("light.kitchen", "Kitchen light", Some("Kitchen")).unwrap(),
            Entity::new(
                "light.kitchen_strip",
                "Kitchen light strip",
                Some("Kitchen"),
            )
            .unwrap(),
            Entity::new("light.living_room", "Ceiling", Some("Living room")).unwrap(),
            Entity::new("switch.coffee", "Coffee machine", Some("Kitchen")).unwrap(),
            Entity::new("light.keukenlamp", "Keukenlamp", Some("Keuken")).unwrap(),
            Entity::new("light.cuisine", "Plafonnier", Some("Cuisine")).unwrap(),
            Entity::new("light.bedroom", "Bedside lamp", Some("Bedroom")).unwrap(),
            Entity::new("light.office", "Desk lamp", Some("Office")).unwrap(),
        ]
    }

    #[test]
    fn resolves_spoken_targets() {
        let house = house();
        let cases = [
            ("kitchen light", None, Some("light.kitchen")),
            ("light in the kitchen", None, Some("light.kitchen")),
            ("Kitchen Light Strip", None, Some("light.kitchen_strip")),
            ("living room light", None, Some("light.living_room")),
            ("ceiling", None, Some("light.living_room")),
            ("coffee machine", None, Some("switch.coffee")),
            ("lumière de la cuisine", None, Some("light.cuisine")),
            ("licht in de keuken", None, Some("light.keukenlamp")),
            ("keukenlamp", None, Some("light.keukenlamp")),
            ("bedside lamp", None, Some("light.bedroom")),
            ("bedroom lights", None, Some("light.bedroom")),
            ("garage light", None, None),
            ("the", None, None),
        ];
        for (target, satellite, expected) in cases {
            let found = match resolve(target, &house, satellite) {
                Resolution::One(entity) => Some(entity.id.as_str()),
                Resolution::Nothing => None,
                Resolution::Ambiguous(all) => panic!("{target}: ambiguous {all:?}"),
            };
            assert_eq!(found, expected, "{target}");
        }
    }

    #[test]
    fn lamps_are_ambiguous_unless_the_satellite_is_in_one_of_their_areas() {
        let house = house();
        assert!(matches!(
            resolve("lamp", &house, None),
            Resolution::Ambiguous(_)
        ));
        let Resolution::One(lamp) = resolve("lamp", &house, Some("office")) else {
            panic!("the office satellite means the office lamp");
        };
        assert_eq!(lamp.id, "light.office");
    }
}
