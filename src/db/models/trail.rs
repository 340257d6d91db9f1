//! The trail's hash chain.

use diesel::prelude::*;

use crate::db::schema::trail_links;
use crate::domain::trail::{Entry, Link};

/// One link of the chain.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = trail_links)]
pub struct LinkRow {
    /// Its place, from 1.
    pub seq: i64,
    /// The entry's table.
    pub entry: Entry,
    /// The entry's id.
    pub entry_id: String,
    /// SHA-256 of the previous link and the entry's content, hex.
    pub hash: String,
}

impl From<LinkRow> for Link {
    fn from(row: LinkRow) -> Self {
        Link {
            seq: row.seq,
            entry: row.entry,
            entry_id: row.entry_id,
            hash: row.hash,
        }
    }
}
