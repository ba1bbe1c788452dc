//! Session ids: random, non-zero, 32-bit.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// A fresh random non-zero session id. `RandomState` is seeded from the OS per instance,
/// which is all the randomness a session id needs.
pub(crate) fn new_session() -> u32 {
    loop {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(std::process::id().into());
        let id = hasher.finish() as u32;
        if id != 0 {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sessions_are_non_zero_and_vary() {
        let ids: std::collections::BTreeSet<u32> = (0..100).map(|_| super::new_session()).collect();
        assert!(!ids.contains(&0));
        assert!(ids.len() > 90);
    }
}
