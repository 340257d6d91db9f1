//! The ids of the service's records: one type per kind of record, so that a unit's id cannot
//! be passed where a user's is meant. Each is the UUID v7 text it is stored and sent as.

/// Declares id types that are their text in JSON and in the database (`db/columns.rs`).
macro_rules! id_types {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        // Reading an id as text is always safe; only making one from text is explicit.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, text: &str) -> bool {
                self.0 == text
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, text: &&str) -> bool {
                self.0 == *text
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, id: &$name) -> bool {
                *self == id.0
            }
        }

        // Ids are given out in lower case; a client's spelling is read case-blind, as the
        // UUID it names.
        impl From<String> for $name {
            fn from(mut text: String) -> Self {
                text.make_ascii_lowercase();
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_ascii_lowercase())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id.to_string())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                // No `format: uuid`: request bodies name records by text (some by code as
                // well), and a client generated from the contract must be able to send back
                // an id it was given.
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some("A record's id: UUID v7 text"))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

id_types! {
    /// A ticket's id (not its number).
    TicketId;
    /// A PD's or the Dinas's id.
    UnitId;
    /// A person's or an integration account's id.
    UserId;
    /// An ICT service's id.
    ServiceId;
    /// A business calendar's id.
    CalendarId;
    /// An SLA policy's id.
    SlaPolicyId;
    /// An integration token's id (its `jti`).
    TokenId;
    /// A mail's id in the outbox.
    NotificationId;
    /// An outage's id.
    OutageId;
    /// A ticket event's id.
    EventId;
    /// A comment's id.
    CommentId;
    /// A received alert's id.
    AlertId;
}
