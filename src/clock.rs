//! Time as the service sees it: injectable, so that tests can move it; and the one way
//! timestamps are written in JSON.

use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, SecondsFormat, Utc};

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

/// An instant as the service keeps it: in a `Timestamp` column, read as UTC (both databases
/// store it without a zone), and in JSON as RFC 3339 in UTC with `Z` and whole seconds
/// (`2026-11-23T03:15:00Z`). Rules compute with `DateTime<Utc>`; rows and views carry this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime(NaiveDateTime);

impl UtcTime {
    /// The instant, for computing with.
    pub fn get(self) -> DateTime<Utc> {
        self.0.and_utc()
    }

    /// The stored form: UTC without a zone. Only `db/` needs it.
    pub fn naive(&self) -> &NaiveDateTime {
        &self.0
    }

    /// The instant from its stored form.
    pub fn from_naive(at: NaiveDateTime) -> Self {
        Self(at)
    }

    /// RFC 3339 in UTC with `Z`, whole seconds, as JSON and the CSV reports write it.
    pub fn to_rfc3339(self) -> String {
        self.get().to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

impl From<DateTime<Utc>> for UtcTime {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at.naive_utc())
    }
}

impl From<UtcTime> for DateTime<Utc> {
    fn from(at: UtcTime) -> Self {
        at.get()
    }
}

impl serde::Serialize for UtcTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl utoipa::PartialSchema for UtcTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("An instant, RFC 3339 in UTC with `Z`, whole seconds"))
            .into()
    }
}

impl utoipa::ToSchema for UtcTime {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_in_utc_with_z() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:15:00.5+07:00").expect("valid");
        let json = serde_json::to_string(&UtcTime::from(at.with_timezone(&Utc))).expect("json");
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
