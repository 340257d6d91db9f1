//! Time as the service sees it: injectable, so that tests can move it; and the one way
//! timestamps are written in JSON.

use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// Now, in UTC, to the microsecond (what both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        to_micros(Utc::now())
    }
}

/// A clock that moves only when told to; for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(to_micros(start)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl ManualClock {
    /// Moves the clock forward to `at`; an earlier `at` leaves it where it is, so that time
    /// never runs backwards for the use cases reading it.
    pub fn advance_to(&self, at: DateTime<Utc>) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now = (*now).max(to_micros(at));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}

/// Serde for API timestamps: RFC 3339 in UTC with `Z`, whole seconds
/// (`2026-11-23T03:15:00Z`).
pub mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::Serializer;

    /// Writes an instant.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    /// The same for optional instants (`null` when absent).
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::Serializer;

        /// Writes an optional instant.
        pub fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, s),
                None => s.serialize_none(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_in_utc_with_z() {
        #[derive(serde::Serialize)]
        struct At(#[serde(with = "rfc3339")] DateTime<Utc>);
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:15:00.5+07:00").expect("valid");
        let json = serde_json::to_string(&At(at.with_timezone(&Utc))).expect("json");
        assert_eq!(json, "\"2026-11-23T03:15:00Z\"");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Utc::now());
        let before = clock.now();
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now() - before, Duration::seconds(90));
        clock.advance_to(before);
        assert_eq!(
            clock.now() - before,
            Duration::seconds(90),
            "never backwards"
        );
        clock.advance_to(before + Duration::hours(1));
        assert_eq!(clock.now() - before, Duration::hours(1));
    }
}
