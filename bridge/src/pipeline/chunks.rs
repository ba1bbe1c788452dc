//! Ordering of a stream's audio chunks: gaps and late arrivals are counted, never fatal.

/// What happened to a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkFate {
    /// Next in line: use it.
    InOrder,
    /// Ahead of the expected one: use it; `missing` chunks before it never came.
    AfterGap { missing: u32 },
    /// Older than one already used (a duplicate or a straggler): drop it.
    Late,
}

/// Tracks sequence numbers of one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChunkTracker {
    next: u32,
    pub(crate) received: u64,
    pub(crate) lost: u64,
    pub(crate) late: u64,
}

impl ChunkTracker {
    pub(crate) fn accept(&mut self, seq: u32) -> ChunkFate {
        if seq < self.next {
            self.late += 1;
            return ChunkFate::Late;
        }
        self.received += 1;
        let missing = seq - self.next;
        self.next = seq.saturating_add(1);
        if missing == 0 {
            ChunkFate::InOrder
        } else {
            self.lost += u64::from(missing);
            ChunkFate::AfterGap { missing }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_classified() {
        type Case<'a> = (&'a [u32], &'a [ChunkFate], (u64, u64, u64));
        let cases: &[Case] = &[
            (&[0, 1, 2], &[ChunkFate::InOrder; 3], (3, 0, 0)),
            (
                &[0, 3, 4],
                &[
                    ChunkFate::InOrder,
                    ChunkFate::AfterGap { missing: 2 },
                    ChunkFate::InOrder,
                ],
                (3, 2, 0),
            ),
            (
                &[0, 2, 1],
                &[
                    ChunkFate::InOrder,
                    ChunkFate::AfterGap { missing: 1 },
                    ChunkFate::Late,
                ],
                (2, 1, 1),
            ),
            (&[0, 0], &[ChunkFate::InOrder, ChunkFate::Late], (1, 0, 1)),
            (&[5], &[ChunkFate::AfterGap { missing: 5 }], (1, 5, 0)),
            (
                &[u32::MAX, u32::MAX],
                &[
                    ChunkFate::AfterGap { missing: u32::MAX },
                    ChunkFate::InOrder,
                ],
                (2, u32::MAX as u64, 0),
            ),
        ];
        for (seqs, fates, (received, lost, late)) in cases {
            let mut tracker = ChunkTracker::default();
            let got: Vec<_> = seqs.iter().map(|&seq| tracker.accept(seq)).collect();
            assert_eq!(&got, fates, "{seqs:?}");
            assert_eq!(
                (tracker.received, tracker.lost, tracker.late),
                (*received, *lost, *late),
                "{seqs:?}"
            );
        }
    }
}
