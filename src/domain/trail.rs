//! The trail's hash chain. Every ticket event and audit entry gets one link, in the order they
//! were committed; link `n` is the SHA-256 of link `n - 1` and of the entry's canonical content.
//! Changing an entry breaks its link, removing one leaves its link without an entry, and one
//! slipped in beside the code has no link at all; whoever recomputes every later link and the
//! head as well is caught by a head recorded earlier (a backup's audit entry, an evidence file).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::text_enum::text_enum;

/// The link before the first: the head of an empty trail.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

text_enum! {
    /// Which table an entry of the trail lives in.
    pub enum Entry {
        /// `ticket_events`.
        TicketEvent = "ticket_event",
        /// `audit_log`.
        Audit = "audit",
    }
}

/// The link that follows `previous` for an entry with `content`.
pub fn link(previous: &str, content: &str) -> String {
    super::digest::sha256_hex(format!("{previous}\n{content}").as_bytes())
}

/// What is hashed of an entry: its table and every column, in a fixed order, as one JSON array.
/// Instants are written to the microsecond both databases keep, so that a desk moved from one
/// backend to the other still verifies.
pub fn content(entry: Entry, id: &str, at: DateTime<Utc>, columns: &[Option<&str>]) -> String {
    let mut fields = vec![
        serde_json::Value::from(entry.as_str()),
        id.into(),
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string().into(),
    ];
    fields.extend(columns.iter().map(|column| match column {
        Some(text) => serde_json::Value::from(*text),
        None => serde_json::Value::Null,
    }));
    serde_json::Value::Array(fields).to_string()
}

/// Why the trail does not verify at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The entry's content is not what was linked: it was changed.
    Changed,
    /// The link names an entry that is gone, or a link is missing from the sequence.
    Missing,
    /// An entry has no link: it was added beside the service.
    Unlinked,
    /// The links verify but end elsewhere than the recorded head: links were cut off the end.
    HeadDiffers,
}

/// One link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// The entry's table.
    pub entry: Entry,
    /// The entry's id.
    pub entry_id: String,
    /// The stored hash.
    pub hash: String,
}

/// The first link that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The link's place; for an unlinked entry, the place it would have taken.
    pub seq: i64,
    /// The entry's table and id; `None` when the fault is the head itself.
    pub entry: Option<(Entry, String)>,
    /// What is wrong.
    pub fault: Fault,
}

/// Walks the chain link by link from the genesis, remembering the first fault.
#[derive(Debug)]
pub struct Walk {
    seq: i64,
    hash: String,
    broken: Option<Broken>,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            seq: 0,
            hash: GENESIS.to_owned(),
            broken: None,
        }
    }
}

impl Walk {
    /// Takes the next link with the content of its entry as stored now (`None`: gone).
    pub fn step(&mut self, link: &Link, content: Option<&str>) {
        let fault = if link.seq != self.seq + 1 {
            Some(Fault::Missing)
        } else {
            match content {
                None => Some(Fault::Missing),
                Some(content) if self::link(&self.hash, content) != link.hash => {
                    Some(Fault::Changed)
                }
                Some(_) => None,
            }
        };
        if let Some(fault) = fault {
            self.fail(
                link.seq.min(self.seq + 1),
                link.entry,
                &link.entry_id,
                fault,
            );
        }
        self.seq = link.seq;
        self.hash.clone_from(&link.hash);
    }

    /// Records an entry without a link.
    pub fn unlinked(&mut self, entry: Entry, entry_id: &str) {
        self.fail(self.seq + 1, entry, entry_id, Fault::Unlinked);
    }

    /// Ends the walk against the head the database holds: the count of links walked, and the
    /// first fault if any.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> (i64, Option<Broken>) {
        if self.broken.is_none() && (head_seq != self.seq || head_hash != self.hash) {
            self.broken = Some(Broken {
                seq: head_seq,
                entry: None,
                fault: Fault::HeadDiffers,
            });
        }
        (self.seq, self.broken)
    }

    fn fail(&mut self, seq: i64, entry: Entry, entry_id: &str, fault: Fault) {
        self.broken.get_or_insert_with(|| Broken {
            seq,
            entry: Some((entry, entry_id.to_owned())),
            fault,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(contents: &[&str]) -> Vec<Link> {
        let mut previous = GENESIS.to_owned();
        contents
            .iter()
            .zip(1..)
            .map(|(content, seq)| {
                previous = link(&previous, content);
                Link {
                    seq,
                    entry: Entry::Audit,
                    entry_id: format!("e{seq}"),
                    hash: previous.clone(),
                }
            })
            .collect()
    }

    fn walk(links: &[Link], contents: &[Option<&str>]) -> (i64, Option<Broken>) {
        let mut walk = Walk::default();
        for (link, content) in links.iter().zip(contents) {
            walk.step(link, *content);
        }
        let head = chain(&["a", "b", "c"]);
        walk.finish(3, &head[2].hash)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let links = chain(&["a", "b", "c"]);
        assert_eq!(walk(&links, &[Some("a"), Some("b"), Some("c")]), (3, None));
    }

    #[test]
    fn the_first_changed_or_missing_entry_is_named() {
        let links = chain(&["a", "b", "c"]);
        let (_, broken) = walk(&links, &[Some("a"), Some("B"), None]);
        let broken = broken.expect("a fault");
        assert_eq!((broken.seq, broken.fault), (2, Fault::Changed));
        assert_eq!(broken.entry, Some((Entry::Audit, "e2".to_owned())));

        let (_, broken) = walk(&links, &[Some("a"), None, Some("c")]);
        assert_eq!(broken.map(|b| b.fault), Some(Fault::Missing));
    }

    #[test]
    fn a_gap_in_the_links_or_a_cut_tail_is_found() {
        let links = chain(&["a", "b", "c"]);
        let (_, broken) = walk(
            &[links[0].clone(), links[2].clone()],
            &[Some("a"), Some("c")],
        );
        let broken = broken.expect("a gap");
        assert_eq!((broken.seq, broken.fault), (2, Fault::Missing));

        let (count, broken) = walk(&links[..2], &[Some("a"), Some("b")]);
        assert_eq!(count, 2);
        assert_eq!(broken.map(|b| b.fault), Some(Fault::HeadDiffers));
    }

    #[test]
    fn content_is_the_same_whatever_the_instant_carries_below_a_microsecond() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T03:15:00.123456Z")
            .expect("instant")
            .to_utc();
        let later = at + chrono::Duration::nanoseconds(700);
        assert_eq!(
            content(Entry::Audit, "x", at, &[None, Some("y")]),
            content(Entry::Audit, "x", later, &[None, Some("y")])
        );
        assert_eq!(
            content(Entry::Audit, "x", at, &[None, Some("y")]),
            r#"["audit","x","2026-11-23T03:15:00.123456Z",null,"y"]"#
        );
    }
}
