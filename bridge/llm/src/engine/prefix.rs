//! Prompt-prefix reuse. The bridge sends the same system prompt and tools every turn, and
//! each turn's prompt extends the last; the KV cache already holds those tokens, so only the
//! new tail needs evaluating.

/// Length of the longest common prefix.
pub(crate) fn common_prefix_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// How many of `prompt`'s tokens can be kept from `cached`. At least one prompt token is
/// always evaluated again, because sampling needs the logits of the prompt's last token and
/// the cache keeps keys and values, not logits.
pub(crate) fn reusable_prefix<T: PartialEq>(cached: &[T], prompt: &[T]) -> usize {
    common_prefix_len(cached, prompt).min(prompt.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_lengths() {
        let cases: [(&[i32], &[i32], usize); 6] = [
            (&[], &[], 0),
            (&[1, 2, 3], &[], 0),
            (&[1, 2, 3], &[1, 2, 3, 4], 3),
            (&[1, 2, 3, 4], &[1, 2, 3], 3),
            (&[1, 2, 9, 4], &[1, 2, 3, 4], 2),
            (&[7], &[1], 0),
        ];
        for (a, b, expected) in cases {
            assert_eq!(common_prefix_len(a, b), expected, "{a:?} {b:?}");
        }
    }

    #[test]
    fn reuse_leaves_the_last_prompt_token_to_evaluate() {
        // Same prompt again: all but the last token.
        assert_eq!(reusable_prefix(&[1, 2, 3], &[1, 2, 3]), 2);
        // Previous answer in the cache, next turn extends it.
        assert_eq!(reusable_prefix(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5, 6, 7]), 5);
        // Diverges after the system prompt.
        assert_eq!(reusable_prefix(&[1, 2, 3, 8], &[1, 2, 3, 4, 5]), 3);
        assert_eq!(reusable_prefix::<i32>(&[], &[1]), 0);
        assert_eq!(reusable_prefix::<i32>(&[1], &[]), 0);
    }
}
