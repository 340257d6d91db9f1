//! After each step: the ticket, its trail and its mail held against the model.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use servicedesk::clock::Clock;

use super::super::model::{self, Actor, Calendar};
use super::{Harness, ok};

#[derive(diesel::QueryableByName)]
struct MailOf {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    event_id: Option<String>,
}

impl Harness {
    pub(super) fn check(&self, id: &str, model: &model::Ticket, calendar: &Calendar, what: &str) {
        let now = self.clock.now();
        self.check_view(id, model, calendar, what, now);
        let events = serde_json::to_value(ok(self.desk.ticket_events(&self.tier2, id), "events"))
            .expect("json");
        let events = events.as_array().expect("events");
        check_trail(events, model, what, now);
        self.check_mail(id, events, model, what);
    }

    /// The ticket's status, tier, priority, assignee and clocks, and each technician's moves.
    fn check_view(
        &self,
        id: &str,
        model: &model::Ticket,
        calendar: &Calendar,
        what: &str,
        now: DateTime<Utc>,
    ) {
        let view =
            serde_json::to_value(ok(self.desk.ticket(&self.tier2, id), "read")).expect("json");
        let sla = &view["sla"];
        let mut seen = json!({
            "status": view["status"], "tier": view["tier"], "priority": view["priority"],
            "paused": sla["paused"],
        });
        let mut expected = model.expected_view(now, calendar);
        seen["assignee_id"] = view["assignee_id"].clone();
        expected["assignee_id"] = json!(model.assignee.map(|a| &self.caller(a).user_id));
        for clock in model::CLOCKS {
            let mut shown = json!({});
            for field in [
                "target_seconds",
                "elapsed_seconds",
                "remaining_seconds",
                "due_at",
                "met_at",
                "breached",
            ] {
                shown[field] = sla[clock][field].clone();
            }
            seen[clock] = shown;
        }
        assert_eq!(seen, expected, "{what}: the ticket at {now}");
        // What each technician may do next is what the model lets them, as each reads it.
        for actor in [Actor::Tier1, Actor::Tier2] {
            let read = ok(self.desk.ticket(self.caller(actor), id), "read");
            let allowed: Vec<&str> = read.allowed_actions.iter().map(|a| a.as_str()).collect();
            assert_eq!(
                allowed,
                model.possible_moves(actor),
                "{what}: allowed_actions of {actor:?} at {now}"
            );
        }
    }

    /// Every event that owes mail has its mail in the outbox, or a recorded reason why not.
    fn check_mail(&self, id: &str, events: &[Value], model: &model::Ticket, what: &str) {
        let mailed: HashSet<String> = diesel::sql_query(format!(
            "SELECT event_id FROM notifications WHERE ticket_id = '{id}'"
        ))
        .load::<MailOf>(&mut *self.conn.borrow_mut())
        .expect("outbox")
        .into_iter()
        .filter_map(|m| m.event_id)
        .collect();
        let skipped: HashSet<&str> = events
            .iter()
            .filter(|e| e["type"] == "notification_skipped")
            .filter_map(|e| e["data"]["event_id"].as_str())
            .collect();
        let owing: Vec<&Value> = events
            .iter()
            .filter(|e| {
                matches!(
                    e["type"].as_str(),
                    Some(
                        "created"
                            | "escalated"
                            | "returned"
                            | "resolved"
                            | "sla_warning"
                            | "sla_breached"
                    )
                )
            })
            .collect();
        assert_eq!(owing.len(), model.mail_events, "{what}: events owing mail");
        for event in owing {
            let event_id = event["id"].as_str().expect("id");
            assert!(
                mailed.contains(event_id) || skipped.contains(event_id),
                "{what}: no mail for {event}"
            );
        }
    }
}

/// The alerts and escalations of the trail are those the model recorded.
fn check_trail(events: &[Value], model: &model::Ticket, what: &str, now: DateTime<Utc>) {
    let mut recorded: Vec<model::Recorded> = events
        .iter()
        .filter_map(|e| {
            let kind = e["type"].as_str()?;
            let detail = match kind {
                "sla_warning" | "sla_breached" => e["data"]["clock"].as_str()?.to_owned(),
                "escalated" if e["data"]["automatic"] == true => "automatic".into(),
                "escalated" => "manual".into(),
                _ => return None,
            };
            Some((kind.to_owned(), detail, e["at"].as_str()?.to_owned()))
        })
        .collect();
    let mut owed = model.recorded.clone();
    recorded.sort();
    owed.sort();
    assert_eq!(recorded, owed, "{what}: alerts and escalations at {now}");
}
