//! The IANA timezone a region or a business calendar keeps its local time in.

use chrono_tz::Tz;

/// An IANA timezone such as `Asia/Makassar`, stored and shown by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub Tz);

impl Zone {
    /// The IANA name.
    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }
}

impl std::str::FromStr for Zone {
    type Err = chrono_tz::ParseError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        name.parse().map(Zone)
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl utoipa::PartialSchema for Zone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("An IANA timezone"))
            .examples(["Asia/Makassar"])
            .into()
    }
}

impl utoipa::ToSchema for Zone {}
