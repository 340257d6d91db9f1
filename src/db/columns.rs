//! How the code's own types are written to and read from a column, on both backends.
//!
//! The domain stays free of diesel: each type is given its diesel traits here, through a
//! proxy (`foreign_derive`: the derives write their impls for the wrapped type, and the
//! proxy itself is never built), and one `ToSql`/`FromSql` pair for every backend that goes
//! through the value's spelling (the tier through its number, an instant through its naive
//! UTC time). A stored value the type does not know is a deserialization error, which
//! surfaces as an internal error: only the service writes these columns.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::clock::UtcTime;
use crate::domain::alert::{AlertSource, OutageSource};
use crate::domain::governance::{CriticalityStep, LetterKind};
use crate::domain::ids::{
    AlertId, CalendarId, CommentId, EventId, NotificationId, OutageId, ServiceId, SlaPolicyId,
    TicketId, TokenId, UnitId, UserId,
};
use crate::domain::notification::{MailStatus, Notice};
use crate::domain::role::{Role, UnitKind};
use crate::domain::sla::Priority;
use crate::domain::ticket::{Classification, Kind, Level, Status, Tier};
use crate::domain::trail::Entry;
use crate::domain::zone::Zone;

/// Gives each type a text column on every backend: written as its `as_str()`, read back
/// with `FromStr`.
macro_rules! text_column {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code)]
            struct Proxy($ty);

            impl<DB: Backend> ToSql<Text, DB> for $ty
            where
                str: ToSql<Text, DB>,
            {
                fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                    self.as_str().to_sql(out)
                }
            }

            impl<DB: Backend> FromSql<Text, DB> for $ty
            where
                String: FromSql<Text, DB>,
            {
                fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                    Ok(String::from_sql(bytes)?.parse()?)
                }
            }
        };
    )+};
}

text_column!(
    Kind,
    Status,
    Priority,
    Level,
    Classification,
    Role,
    UnitKind,
    Notice,
    MailStatus,
    Zone,
    Entry,
    CriticalityStep,
    LetterKind,
    OutageSource,
    AlertSource,
);

text_column!(
    TicketId,
    UnitId,
    UserId,
    ServiceId,
    CalendarId,
    SlaPolicyId,
    TokenId,
    NotificationId,
    OutageId,
    EventId,
    CommentId,
    AlertId,
);

const _: () = {
    #[derive(diesel::AsExpression, diesel::FromSqlRow)]
    #[diesel(foreign_derive, sql_type = Timestamp)]
    #[allow(dead_code)]
    struct Proxy(UtcTime);

    impl<DB: Backend> ToSql<Timestamp, DB> for UtcTime
    where
        NaiveDateTime: ToSql<Timestamp, DB>,
    {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
            self.naive().to_sql(out)
        }
    }

    impl<DB: Backend> FromSql<Timestamp, DB> for UtcTime
    where
        NaiveDateTime: FromSql<Timestamp, DB>,
    {
        fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
            Ok(UtcTime::from_naive(NaiveDateTime::from_sql(bytes)?))
        }
    }
};

const _: () = {
    #[derive(diesel::AsExpression, diesel::FromSqlRow)]
    #[diesel(foreign_derive, sql_type = Integer)]
    #[allow(dead_code)]
    struct Proxy(Tier);

    impl<DB: Backend> ToSql<Integer, DB> for Tier
    where
        i32: ToSql<Integer, DB>,
    {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
            match self {
                Tier::One => &1,
                Tier::Two => &2,
            }
            .to_sql(out)
        }
    }

    impl<DB: Backend> FromSql<Integer, DB> for Tier
    where
        i32: FromSql<Integer, DB>,
    {
        fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
            let number = i32::from_sql(bytes)?;
            Tier::from_number(number).ok_or_else(|| format!("no tier {number}").into())
        }
    }
};
