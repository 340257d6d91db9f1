//! Cursor pagination shared by every list (docs/api.md "Tickets").

use std::borrow::Cow;

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};

use super::ServiceError;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// A page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

// By hand, not derived: utoipa's derive copies a generic item's whole schema into every
// page (the schemas it is handed), and a client generated from the contract then gets a second
// type for each item. A page refers to its item's own schema instead. `ComposeSchema` is the
// trait utoipa's path macro asks of a generic body.
impl<T: ToSchema> utoipa::__dev::ComposeSchema for Page<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("A page of a list."))
            .property(
                "items",
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(T::name()))
                    .description(Some("The records of this page.")),
            )
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "Pass as `cursor` for the next page; `null` on the last one.",
                    )),
            )
            .into()
    }
}

impl<T: ToSchema> ToSchema for Page<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Page")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// Where a page starts and how long it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Records per page, 1 to 200.
    pub limit: i64,
    /// Opaque position after which the page starts.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Checks `limit` (default 50, at most 200).
    pub fn new(limit: Option<i64>, cursor: Option<String>) -> Result<Self, ServiceError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        Ok(Self {
            limit,
            cursor: cursor.filter(|c| !c.is_empty()),
        })
    }

    /// The cursor of a list in id order: the id of the last record of the previous page, and
    /// nothing else (ids are UUID v7, so id order is creation order).
    pub fn after_id(&self) -> Result<Option<&str>, ServiceError> {
        match self.cursor.as_deref() {
            None => Ok(None),
            Some(cursor) if is_issued_id(cursor) => Ok(Some(cursor)),
            Some(_) => Err(not_issued()),
        }
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the fetched rows to the page and derives the next cursor from the last one kept.
    pub fn finish<R, T>(
        &self,
        mut rows: Vec<R>,
        cursor_of: impl Fn(&R) -> String,
        view: impl FnMut(R) -> Result<T, ServiceError>,
    ) -> Result<Page<T>, ServiceError> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(&cursor_of)
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
            next_cursor,
        })
    }
}

/// Whether `text` is an id as this service gives them out: a UUID in its lower-case hyphenated
/// spelling.
pub(super) fn is_issued_id(text: &str) -> bool {
    uuid::Uuid::try_parse(text).is_ok_and(|id| id.hyphenated().to_string() == text)
}

/// The refusal of a cursor no list gave out.
pub(in crate::service) fn not_issued() -> ServiceError {
    ServiceError::field("cursor", "is not a cursor this list gave out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_bounded() {
        assert_eq!(PageRequest::new(None, None).expect("default").limit, 50);
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(201), None).is_err());
    }

    #[test]
    fn an_id_cursor_is_an_id() {
        let id = "01890a5d-ac96-774b-bcce-b302099a8057";
        let after = |cursor: &str| {
            PageRequest::new(None, Some(cursor.to_owned()))
                .expect("valid")
                .after_id()
                .map(|c| c.map(str::to_owned))
        };
        assert_eq!(after(id).expect("issued"), Some(id.to_owned()));
        for garbage in [
            "garbage",
            "01890A5D-AC96-774B-BCCE-B302099A8057",
            "zz",
            "' OR 1=1",
        ] {
            assert!(after(garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let request = PageRequest::new(Some(2), None).expect("valid");
        let ok = |n: i32| Ok::<_, ServiceError>(n);
        let page = request
            .finish(vec![1, 2, 3], |n| n.to_string(), ok)
            .expect("page");
        assert_eq!(
            (page.items, page.next_cursor),
            (vec![1, 2], Some("2".into()))
        );
        let page = request
            .finish(vec![1, 2], |n| n.to_string(), ok)
            .expect("page");
        assert_eq!((page.items, page.next_cursor), (vec![1, 2], None));
    }
}
