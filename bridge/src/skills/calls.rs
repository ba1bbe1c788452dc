//! Requests to external skills in flight: publish a request with a fresh id, wait (bounded)
//! for the response with that id on the skill's response topic, which the router hands over.
//!
//! A skill that crashed, hangs, or answers something unreadable (the protocol parser refuses
//! it, so it never gets here) produces no usable response: the wait ends at the timeout and
//! the turn goes on with an apology.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hive_topics::{SkillName, SkillRequest, SkillResponse};
use tokio::sync::oneshot;

use crate::pipeline::Shared;

/// Requests waiting for an answer, across every skill. Each holds a turn, so a burst beyond
/// this is refused at once rather than queued.
const MAX_PENDING: usize = 256;

/// Why an external skill gave no usable answer. Each has a stable code for the error event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CallError {
    /// Nothing usable came back in time (the skill is down, hangs, or answered garbage).
    #[error("skill `{skill}` gave no usable answer within {timeout_ms} ms")]
    Timeout { skill: SkillName, timeout_ms: u64 },
    /// The skill answered with an error.
    #[error("skill `{skill}` failed: {reason}")]
    Failed { skill: SkillName, reason: String },
    /// Too many requests are waiting already.
    #[error("too many skill requests in flight")]
    Busy,
    /// The request could not be published (the bridge is stopping).
    #[error("the request to skill `{0}` could not be published")]
    Unpublished(SkillName),
}

impl CallError {
    /// The stable code of the error event.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            CallError::Timeout { .. } => "skill_timeout",
            CallError::Failed { .. } => "skill_failed",
            CallError::Busy => "skill_busy",
            CallError::Unpublished(_) => "skill_unavailable",
        }
    }
}

struct Pending {
    skill: SkillName,
    answer: oneshot::Sender<SkillResponse>,
}

/// The table of requests in flight.
#[derive(Default)]
pub(crate) struct SkillCalls {
    pending: Mutex<HashMap<String, Pending>>,
    next: AtomicU64,
}

impl std::fmt::Debug for SkillCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillCalls").finish_non_exhaustive()
    }
}

impl SkillCalls {
    /// Sends `request` (its `id` is set here) to `skill` and waits up to `timeout` for the
    /// answer.
    ///
    /// # Errors
    /// See [`CallError`].
    pub(crate) async fn call(
        &self,
        shared: &Shared,
        skill: &SkillName,
        mut request: SkillRequest,
        timeout: Duration,
    ) -> Result<SkillResponse, CallError> {
        let id = format!(
            "r{:x}-{}",
            crate::pipeline::now_ms(),
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        request.id = id.clone();
        let (answer, response) = oneshot::channel();
        {
            let mut pending = self.lock();
            if pending.len() >= MAX_PENDING {
                return Err(CallError::Busy);
            }
            pending.insert(
                id.clone(),
                Pending {
                    skill: skill.clone(),
                    answer,
                },
            );
        }
        let out = shared.topics.encode_skill_request(skill, &request);
        if shared.publisher.publish(out).await.is_err() {
            self.lock().remove(&id);
            return Err(CallError::Unpublished(skill.clone()));
        }
        let outcome = tokio::time::timeout(timeout, response).await;
        // Whatever happened, the request is no longer waited for.
        self.lock().remove(&id);
        let response = match outcome {
            Ok(Ok(response)) => response,
            Ok(Err(_)) | Err(_) => {
                return Err(CallError::Timeout {
                    skill: skill.clone(),
                    timeout_ms: timeout.as_millis() as u64,
                });
            }
        };
        match response.error {
            Some(reason) => Err(CallError::Failed {
                skill: skill.clone(),
                reason,
            }),
            None => Ok(response),
        }
    }

    /// Hands a response to the request waiting for it. A response to no pending request (late,
    /// duplicated, or from another skill than the one asked) is dropped.
    pub(crate) fn on_response(&self, skill: &SkillName, response: SkillResponse) {
        let mut pending = self.lock();
        match pending.get(&response.id) {
            Some(waiting) if &waiting.skill == skill => {
                if let Some(waiting) = pending.remove(&response.id) {
                    let _ = waiting.answer.send(response);
                }
            }
            Some(_) => {
                tracing::warn!(skill = %skill, id = %response.id, "Response from another skill than the one asked; dropped.");
            }
            None => {
                tracing::debug!(skill = %skill, id = %response.id, "Response to no pending request; dropped.");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while holding this lock cannot leave the map inconsistent (single inserts and
        // removes), so a poisoned lock is still usable.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
