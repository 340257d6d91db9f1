//! Login attempt limits (API.md "login limits"): more than 30 login requests a minute from one
//! address, or 5 failed logins for one account within 15 minutes, answer `429`.
//!
//! Counted in this process's memory: with several processes each keeps its own count, which
//! still bounds guessing to a small multiple of the limit.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

const REQUESTS_PER_MINUTE_PER_IP: u32 = 30;
const FAILURES_PER_ACCOUNT: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Beyond this many tracked keys, stale entries are swept before adding another.
const SWEEP_ABOVE: usize = 10_000;

/// A refusal, with how long the caller should wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds until a new attempt may succeed (at least 1).
    pub retry_after_secs: u64,
}

/// Both limits, shared by every worker of the process.
pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    failures: Mutex<FailureLog>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(REQUESTS_PER_MINUTE_PER_IP).unwrap_or(NonZeroU32::MIN);
        Self {
            per_ip: RateLimiter::keyed(Quota::per_minute(per_minute)),
            failures: Mutex::new(FailureLog::default()),
        }
    }
}

impl LoginLimiter {
    /// Counts one login request from `ip`.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), RateLimited> {
        if self.per_ip.len() > SWEEP_ABOVE {
            self.per_ip.retain_recent();
        }
        self.per_ip.check_key(&ip).map_err(|not_until| RateLimited {
            retry_after_secs: whole_secs(not_until.wait_time_from(DefaultClock::default().now())),
        })
    }

    /// Refuses an account that has failed too often lately, before its password is checked.
    pub fn check_account(&self, email: &str) -> Result<(), RateLimited> {
        self.log().check(email, Instant::now())
    }

    /// Records a failed login for `email`.
    pub fn record_failure(&self, email: &str) {
        self.log().record(email, Instant::now());
    }

    /// A successful login clears the account's failures.
    pub fn record_success(&self, email: &str) {
        self.log().attempts.remove(email);
    }

    fn log(&self) -> std::sync::MutexGuard<'_, FailureLog> {
        // A poisoned lock only means another request panicked mid-update; the counts stay usable.
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Failed attempts per account within the sliding window.
#[derive(Default)]
struct FailureLog {
    attempts: HashMap<String, VecDeque<Instant>>,
}

impl FailureLog {
    fn check(&mut self, email: &str, now: Instant) -> Result<(), RateLimited> {
        let Some(times) = self.attempts.get_mut(email) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= FAILURE_WINDOW)
        {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= FAILURES_PER_ACCOUNT => Err(RateLimited {
                retry_after_secs: whole_secs(FAILURE_WINDOW - now.duration_since(*oldest)),
            }),
            _ => Ok(()),
        }
    }

    fn record(&mut self, email: &str, now: Instant) {
        if self.attempts.len() > SWEEP_ABOVE {
            self.attempts.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < FAILURE_WINDOW)
            });
        }
        let times = self.attempts.entry(email.to_owned()).or_default();
        times.push_back(now);
        if times.len() > FAILURES_PER_ACCOUNT {
            times.pop_front();
        }
    }
}

fn whole_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_the_rest_of_the_window() {
        let mut log = FailureLog::default();
        let start = Instant::now();
        for i in 0..5 {
            assert!(log.check("a@x.go.id", start).is_ok(), "attempt {i}");
            log.record("a@x.go.id", start + Duration::from_secs(i));
        }
        let refused = log
            .check("a@x.go.id", start + Duration::from_secs(60))
            .expect_err("locked");
        assert_eq!(refused.retry_after_secs, 15 * 60 - 60);
        assert!(
            log.check("b@x.go.id", start).is_ok(),
            "other accounts are unaffected"
        );
        assert!(
            log.check("a@x.go.id", start + FAILURE_WINDOW + Duration::from_secs(1))
                .is_ok(),
            "the oldest failure has left the window"
        );
    }

    #[test]
    fn thirty_one_requests_a_minute_from_one_address_are_refused() {
        let limiter = LoginLimiter::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..30 {
            assert!(limiter.check_ip(ip).is_ok());
        }
        let refused = limiter.check_ip(ip).expect_err("limited");
        assert!(refused.retry_after_secs >= 1);
        assert!(limiter.check_ip([10, 0, 0, 2].into()).is_ok());
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_secs(Duration::from_millis(1)), 1);
        assert_eq!(whole_secs(Duration::from_millis(1500)), 2);
        assert_eq!(whole_secs(Duration::from_secs(3)), 3);
    }
}
