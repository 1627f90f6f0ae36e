//! Pacing sends to a maximum rate, and backing off when SES throttles. Pure arithmetic over
//! elapsed time, so the sender sleeps as told and tests need no clock.

use std::time::Duration;

/// Evenly spaced send slots at `rate` per second: a send may happen no earlier than its slot.
/// Slots left unused while the sender was busy with other work (reading, skipping recipients
/// already sent) may be caught up, but never more than `burst` worth of them: over any window
/// the sends stay within the rate plus that burst.
#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    next_slot: Duration,
    burst: Duration,
}

impl Pacer {
    /// `per_second` sends per second (at least 0.01), evenly spaced, no catching up.
    pub fn new(per_second: f64) -> Self {
        Self::with_burst(per_second, Duration::ZERO)
    }

    /// Also catches up on slots missed within the last `burst`.
    pub fn with_burst(per_second: f64, burst: Duration) -> Self {
        let per_second = per_second.max(0.01);
        Self { interval: Duration::from_secs_f64(1.0 / per_second), next_slot: Duration::ZERO, burst }
    }

    /// Given the time elapsed since the pacer started, how long to wait before the next send.
    pub fn wait_before_next(&mut self, elapsed: Duration) -> Duration {
        let slot = self.next_slot.max(elapsed.saturating_sub(self.burst));
        self.next_slot = slot + self.interval;
        slot.saturating_sub(elapsed)
    }
}

/// The wait before retry `attempt` (1, 2, …) after throttling: exponential from 200 ms, capped
/// at 10 s; `jitter` in [0, 1) spreads concurrent senders (full jitter would be `jitter * cap`).
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = Duration::from_millis(200).saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
    let capped = base.min(Duration::from_secs(10));
    capped.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
}
