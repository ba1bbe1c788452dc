//! Filler words: greetings, politeness and hedges that carry no intent. An extra filler costs
//! a match almost nothing, so "hey, what time is it now please?" still matches "what time is
//! it" closely, while an extra content word ("…in Paris") costs a full word.

use crate::matcher::normalize::Token;

/// Filler phrases, normalised (see `normalize`), longest first within a shared start.
const FILLERS: &[&[&str]] = &[
    // English.
    &["hey"],
    &["hi"],
    &["hello"],
    &["ok"],
    &["okay"],
    &["please"],
    &["now"],
    &["so"],
    &["um"],
    &["uh"],
    &["er"],
    &["hmm"],
    &["well"],
    &["hive"],
    &["just"],
    &["actually"],
    &["currently"],
    &["exactly"],
    &["oh"],
    &["thanks"],
    &["thank", "you"],
    &["right", "now"],
    &["at", "the", "moment"],
    &["can", "you", "tell", "me"],
    &["could", "you", "tell", "me"],
    &["can", "you"],
    &["could", "you"],
    &["would", "you"],
    &["will", "you"],
    &["do", "you", "know"],
    &["tell", "me"],
    &["for", "me"],
    &["i", "would", "like", "to", "know"],
    &["i", "want", "to", "know"],
    // French.
    &["he"],
    &["eh"],
    &["euh"],
    &["hum"],
    &["bon"],
    &["alors"],
    &["dis"],
    &["dites"],
    &["maintenant"],
    &["donc"],
    &["actuellement"],
    &["exactement"],
    &["stp"],
    &["svp"],
    &["merci"],
    &["salut"],
    &["bonjour"],
    &["si", "il", "te", "plait"],
    &["si", "il", "vous", "plait"],
    &["dis", "moi"],
    &["dites", "moi"],
    &["est", "ce", "que", "tu", "peux", "me", "dire"],
    &["est", "ce", "que", "tu", "peux"],
    &["tu", "peux", "me", "dire"],
    &["peux", "tu", "me", "dire"],
    &["pourrais", "tu", "me", "dire"],
    &["me", "dire"],
    &["tu", "peux"],
    &["peux", "tu"],
    &["pourrais", "tu"],
    &["tu", "sais"],
    &["sais", "tu"],
    &["en", "ce", "moment"],
    // Dutch.
    &["hee"],
    &["hoi"],
    &["hallo"],
    &["nou"],
    &["ehm"],
    &["even"],
    &["eens"],
    &["nu"],
    &["alsjeblieft"],
    &["alstublieft"],
    &["graag"],
    &["bedankt"],
    &["dank", "je", "wel"],
    &["dank", "je"],
    &["kun", "je", "me", "vertellen"],
    &["kan", "je", "me", "vertellen"],
    &["kun", "je", "me", "zeggen"],
    &["kan", "je", "me", "zeggen"],
    &["kun", "je"],
    &["kan", "je"],
    &["wil", "je"],
    &["zeg", "eens"],
    &["weet", "je"],
    &["vertel", "me"],
    &["momenteel"],
    &["op", "dit", "moment"],
];

/// Flags the tokens that belong to a filler phrase, preferring the longest phrase at each
/// position.
pub(crate) fn mark(tokens: &mut [Token]) {
    let mut index = 0;
    while index < tokens.len() {
        let longest = FILLERS
            .iter()
            .filter(|phrase| {
                phrase.len() <= tokens.len() - index
                    && phrase
                        .iter()
                        .zip(&tokens[index..])
                        .all(|(word, token)| token.norm == *word)
            })
            .map(|phrase| phrase.len())
            .max();
        match longest {
            Some(length) => {
                for token in &mut tokens[index..index + length] {
                    token.filler = true;
                }
                index += length;
            }
            None => index += 1,
        }
    }
}
