//! Cursor pagination shared by every list (API.md "Lists").

use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceError;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
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
