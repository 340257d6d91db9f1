//! Login attempt limits (README "Login limits"). Failures are counted per account *and*
//! client address, so that someone guessing from another address never locks the owner out:
//! the first three failures in a row of one address for one account cost nothing, then each
//! further failure doubles the wait before the next attempt (1 s, 2 s, 4 s, … up to 15
//! minutes). A success clears that account and address. Against password spraying, 30 failures
//! within 15 minutes from one address, whatever the accounts, make that address wait until
//! the oldest of them is 15 minutes old. Successful logins never count.
//!
//! An attempt is counted as a failure when it starts and taken back when it succeeds, so
//! that many attempts sent at once cannot all slip past the check while the passwords are
//! being hashed. While a wait lasts even the right password is refused: answering it would
//! tell a guesser which password was right.
//!
//! Counted in this process's memory: with several processes each keeps its own count, which
//! still bounds guessing to a small multiple of the limit.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Failures in a row of one address for one account before any wait.
const FREE_FAILURES: u32 = 3;
/// The first wait; each further failure doubles it.
const FIRST_WAIT: Duration = Duration::seconds(1);
/// The longest wait.
const LONGEST_WAIT: Duration = Duration::minutes(15);
/// An account and address without a failure for this long start afresh.
const FORGET_AFTER: Duration = Duration::hours(1);
/// Failures from one address, across accounts, allowed within [`ADDRESS_WINDOW`].
const FAILURES_PER_ADDRESS: usize = 30;
const ADDRESS_WINDOW: Duration = Duration::minutes(15);
/// Beyond this many tracked keys, stale entries are swept before adding another.
const SWEEP_ABOVE: usize = 10_000;

/// A refusal, with how long the caller should wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds until a new attempt may succeed (at least 1).
    pub retry_after_secs: u64,
}

/// The client address a login came from; `None` when the connection has none (tests that
/// call the service directly).
type Address = Option<IpAddr>;

/// Both limits, shared by every worker of the process.
#[derive(Default)]
pub struct LoginLimiter {
    log: Mutex<FailureLog>,
}

impl LoginLimiter {
    /// Refuses an attempt of `ip` for `email` that must wait; otherwise counts it as a
    /// failure until [`LoginLimiter::succeeded`] says otherwise.
    pub fn begin(&self, email: &str, ip: Address, now: DateTime<Utc>) -> Result<(), RateLimited> {
        let mut log = self.log();
        log.check(email, ip, now)?;
        log.record_failure(email, ip, now);
        Ok(())
    }

    /// The attempt begun for `email` from `ip` signed in: it does not count, and the
    /// account's failures from that address are forgotten.
    pub fn succeeded(&self, email: &str, ip: Address) {
        self.log().forget(email, ip);
    }

    fn log(&self) -> std::sync::MutexGuard<'_, FailureLog> {
        // A poisoned lock only means another request panicked mid-update; the counts stay usable.
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Failures in a row of one address for one account.
struct Streak {
    failures: u32,
    last: DateTime<Utc>,
    wait_until: DateTime<Utc>,
}

#[derive(Default)]
struct FailureLog {
    streaks: HashMap<(String, Address), Streak>,
    by_address: HashMap<Address, VecDeque<DateTime<Utc>>>,
}

impl FailureLog {
    fn check(&mut self, email: &str, ip: Address, now: DateTime<Utc>) -> Result<(), RateLimited> {
        if let Some(times) = self.by_address.get_mut(&ip) {
            while times.front().is_some_and(|t| now - *t >= ADDRESS_WINDOW) {
                times.pop_front();
            }
            if let Some(oldest) = times.front()
                && times.len() >= FAILURES_PER_ADDRESS
            {
                return Err(refusal(*oldest + ADDRESS_WINDOW - now));
            }
        }
        match self.streaks.get(&(email.to_owned(), ip)) {
            Some(streak) if streak.wait_until > now => Err(refusal(streak.wait_until - now)),
            _ => Ok(()),
        }
    }

    fn record_failure(&mut self, email: &str, ip: Address, now: DateTime<Utc>) {
        if self.streaks.len() > SWEEP_ABOVE || self.by_address.len() > SWEEP_ABOVE {
            self.sweep(now);
        }
        let streak = self
            .streaks
            .entry((email.to_owned(), ip))
            .or_insert(Streak {
                failures: 0,
                last: now,
                wait_until: now,
            });
        if now - streak.last >= FORGET_AFTER {
            streak.failures = 0;
        }
        streak.failures += 1;
        streak.last = now;
        streak.wait_until = now + wait_after(streak.failures);
        self.by_address.entry(ip).or_default().push_back(now);
    }

    fn forget(&mut self, email: &str, ip: Address) {
        self.streaks.remove(&(email.to_owned(), ip));
        if let Some(times) = self.by_address.get_mut(&ip) {
            // The attempt's own provisional failure, the latest of the address.
            times.pop_back();
        }
    }

    fn sweep(&mut self, now: DateTime<Utc>) {
        self.streaks
            .retain(|_, streak| now - streak.last < FORGET_AFTER || streak.wait_until > now);
        self.by_address
            .retain(|_, times| times.back().is_some_and(|t| now - *t < ADDRESS_WINDOW));
    }
}

/// The wait after the `failures`-th failure in a row.
fn wait_after(failures: u32) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::zero();
    }
    // 2^10 s already exceeds the longest wait; a larger shift could overflow.
    let doublings = (failures - FREE_FAILURES - 1).min(10);
    (FIRST_WAIT * (1 << doublings)).min(LONGEST_WAIT)
}

fn refusal(wait: Duration) -> RateLimited {
    let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
    RateLimited {
        retry_after_secs: millis.div_ceil(1000).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "a@x.go.id";

    fn ip(last: u8) -> Address {
        Some([10, 0, 0, last].into())
    }

    #[test]
    fn waits_double_after_three_failures_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=16).map(|n| wait_after(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900
            ]
        );
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT);
    }

    #[test]
    fn a_streak_waits_for_its_account_and_address_only() {
        let limiter = LoginLimiter::default();
        let start = Utc::now();
        for _ in 0..4 {
            assert!(limiter.begin(ACCOUNT, ip(2), start).is_ok());
        }
        assert_eq!(
            limiter.begin(ACCOUNT, ip(2), start),
            Err(RateLimited {
                retry_after_secs: 1
            })
        );
        assert!(
            limiter.begin(ACCOUNT, ip(1), start).is_ok(),
            "another address"
        );
        assert!(
            limiter.begin("b@x.go.id", ip(2), start).is_ok(),
            "another account"
        );
        assert!(
            limiter
                .begin(ACCOUNT, ip(2), start + Duration::seconds(1))
                .is_ok(),
            "the wait is over"
        );
    }

    #[test]
    fn a_success_clears_its_streak_and_does_not_count() {
        let limiter = LoginLimiter::default();
        let start = Utc::now();
        for _ in 0..100 {
            assert!(limiter.begin(ACCOUNT, ip(1), start).is_ok());
            limiter.succeeded(ACCOUNT, ip(1));
        }
        for _ in 0..4 {
            assert!(limiter.begin(ACCOUNT, ip(1), start).is_ok());
        }
        limiter.succeeded(ACCOUNT, ip(1));
        assert!(limiter.begin(ACCOUNT, ip(1), start).is_ok());
    }

    #[test]
    fn thirty_failures_from_one_address_make_it_wait_out_the_window() {
        let limiter = LoginLimiter::default();
        let start = Utc::now();
        for i in 0..30 {
            let at = start + Duration::seconds(i);
            assert!(limiter.begin(&format!("u{i}@x.go.id"), ip(2), at).is_ok());
        }
        let later = start + Duration::seconds(60);
        assert_eq!(
            limiter.begin("new@x.go.id", ip(2), later),
            Err(RateLimited {
                retry_after_secs: 15 * 60 - 60
            })
        );
        assert!(limiter.begin("new@x.go.id", ip(1), later).is_ok());
        assert!(
            limiter
                .begin("new@x.go.id", ip(2), start + ADDRESS_WINDOW)
                .is_ok(),
            "the oldest failure has left the window"
        );
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(refusal(Duration::milliseconds(1)).retry_after_secs, 1);
        assert_eq!(refusal(Duration::milliseconds(1500)).retry_after_secs, 2);
        assert_eq!(refusal(Duration::seconds(3)).retry_after_secs, 3);
    }
}
