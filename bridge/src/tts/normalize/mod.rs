//! Text normalisation: numbers, times, units, money and abbreviations rewritten as words in
//! the reply's language before synthesis.

mod en;
mod fr;
mod nl;
mod speller;
mod text;

pub use text::normalize;
