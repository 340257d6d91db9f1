//! One unit of work for every change of an existing ticket: a move, an edit, a comment, the
//! SLA engine's alerts. It opens on the ticket as it stands once the alerts already due are
//! recorded, and closes with one new version, the row and its clocks saved.

use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::TicketRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::ids::EventId;
use crate::domain::sla::Priority;
use crate::domain::ticket_handling::{Handling, automatic_escalation};
use crate::domain::ticket_sla::Position;
use crate::service::events::record::record_event;
use crate::service::sla::{self, Held, SlaView};
use crate::service::tickets::checks::load_visible;
use crate::service::tickets::view::{TicketView, one_ticket_for, ticket_view};
use crate::service::{Desk, ServiceError};

/// A ticket being changed, locked, with its SLA held.
pub(in crate::service) struct TicketChange {
    row: TicketRow,
    /// As read: the row is written back only if it differs.
    loaded: TicketRow,
    /// After the alerts already due: what the change itself made differ.
    settled: TicketRow,
    held: Option<Held>,
    /// The change recorded an event of its own.
    recorded: bool,
    now: DateTime<Utc>,
}

/// A committed change: the ticket and its clocks as they now stand.
pub(in crate::service) struct Committed {
    /// The ticket as written.
    pub row: TicketRow,
    /// Its clocks as saved; `None` for a ticket opened without a policy.
    pub sla: Option<SlaView>,
    /// The instant of the change.
    pub at: DateTime<Utc>,
}

impl Committed {
    /// The ticket as `caller` may see it.
    pub(in crate::service) fn view_for(
        self,
        conn: &mut DbConn,
        caller: &Caller,
    ) -> Result<TicketView, ServiceError> {
        one_ticket_for(conn, caller, ticket_view(self.row, self.sla))
    }
}

impl TicketChange {
    /// Begins a change of a ticket the caller may see. The alerts already due are recorded
    /// first, as the engine would have: the change is then decided on the ticket as it
    /// stands (perhaps just escalated).
    fn begin(
        desk: &Desk,
        conn: &mut DbConn,
        caller: &Caller,
        id_or_number: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, ServiceError> {
        let row = load_visible(conn, caller, id_or_number, true)?;
        let held = desk.hold_sla(conn, &row)?;
        Self::claimed(desk, conn, row, held, now)
    }

    /// Begins the change the SLA engine makes to a ticket it claimed with its clocks.
    pub(in crate::service) fn claimed(
        desk: &Desk,
        conn: &mut DbConn,
        row: TicketRow,
        held: Option<Held>,
        now: DateTime<Utc>,
    ) -> Result<Self, ServiceError> {
        let mut change = Self {
            loaded: row.clone(),
            settled: row.clone(),
            row,
            held,
            recorded: false,
            now,
        };
        change.settle(desk, conn)?;
        change.settled = change.row.clone();
        Ok(change)
    }

    /// The ticket as the change has it so far.
    pub(in crate::service) fn row(&self) -> &TicketRow {
        &self.row
    }

    /// The ticket's own fields, for an edit; its position goes through [`Self::go`] and its
    /// handling through [`Self::handle`], so that the clocks follow.
    pub(in crate::service) fn fields(&mut self) -> &mut TicketRow {
        &mut self.row
    }

    /// The instant of the change.
    pub(in crate::service) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Where the ticket stands.
    pub(in crate::service) fn position(&self) -> Result<Position, ServiceError> {
        sla::position(&self.row)
    }

    /// Moves the ticket to `to`, its clocks following.
    pub(in crate::service) fn go(&mut self, to: Position) -> Result<(), ServiceError> {
        let from = self.position()?;
        if let Some(held) = self.held.as_mut() {
            let escalated_before = self.row.escalated_at.is_some();
            held.sla
                .follow(from, to, escalated_before, self.now, &held.calendar);
        }
        self.row.status = to.status;
        self.row.tier = to.tier;
        Ok(())
    }

    /// Changes who works the ticket and the stages of its handling.
    pub(in crate::service) fn handle<T>(&mut self, change: impl FnOnce(&mut Handling) -> T) -> T {
        let mut handling = handling_of(&self.row);
        let outcome = change(&mut handling);
        set_handling(&mut self.row, handling);
        outcome
    }

    /// An answer to the reporter: the first one stops the response clock.
    pub(in crate::service) fn respond(&mut self) {
        let now = self.now;
        if self.handle(|handling| handling.respond(now))
            && let Some(held) = self.held.as_mut()
        {
            held.sla.first_response(now, &held.calendar);
        }
    }

    /// A new priority: the clocks take its targets, and a paused clock already past its new
    /// target owes its alerts now.
    pub(in crate::service) fn retarget(
        &mut self,
        desk: &Desk,
        conn: &mut DbConn,
        priority: Priority,
    ) -> Result<(), ServiceError> {
        if let Some(held) = self.held.as_mut() {
            held.sla.retarget(priority);
        }
        self.settle(desk, conn)
    }

    /// Records the change's own event, by `actor`; returns its id.
    pub(in crate::service) fn record(
        &mut self,
        conn: &mut DbConn,
        event_type: &str,
        actor: &str,
        data: serde_json::Value,
    ) -> Result<EventId, ServiceError> {
        self.recorded = true;
        record_event(conn, &self.row.id, event_type, Some(actor), self.now, data)
    }

    /// Whether the change made the ticket differ from how it stood when it began.
    pub(in crate::service) fn changed(&self) -> bool {
        self.row != self.settled
    }

    /// Records the alerts due by now and, when they say tier 1's window has run out,
    /// escalates the ticket to tier 2: a version of its own, as the engine makes it.
    fn settle(&mut self, desk: &Desk, conn: &mut DbConn) -> Result<(), ServiceError> {
        let Some(held) = self.held.as_mut() else {
            return Ok(());
        };
        if !desk.record_due_alerts(conn, &self.row, held, self.now)? {
            return Ok(());
        }
        let from = self.position()?;
        let Some(to) = automatic_escalation(from) else {
            return Ok(());
        };
        self.go(to)?;
        let now = self.now;
        self.handle(|handling| handling.escalate_automatically(now));
        self.next_version();
        if let Some(held) = self.held.as_ref() {
            desk.record_automatic_escalation(conn, &self.row, held, (from, to), now)?;
        }
        Ok(())
    }

    fn next_version(&mut self) {
        self.row.updated_at = self.now.into();
        self.row.version += 1;
    }

    /// Ends the change: a new version if it changed or recorded anything, the row written if
    /// it differs from what was read, the clocks saved.
    pub(in crate::service) fn commit(
        mut self,
        conn: &mut DbConn,
    ) -> Result<Committed, ServiceError> {
        if self.recorded || self.changed() {
            self.next_version();
        }
        if self.row != self.loaded {
            db::tickets::update(conn, &self.row)?;
        }
        let status = self.row.status;
        let now = self.now;
        let sla = self
            .held
            .map(|held| held.save(conn))
            .transpose()?
            .map(|held| held.view(status, now));
        Ok(Committed {
            row: self.row,
            sla,
            at: now,
        })
    }
}

fn handling_of(row: &TicketRow) -> Handling {
    Handling {
        assignee_id: row.assignee_id.clone(),
        tier1_assignee_id: row.tier1_assignee_id.clone(),
        escalated_at: row.escalated_at.map(UtcTime::get),
        escalation_reason: row.escalation_reason.clone(),
        resolved_at: row.resolved_at.map(UtcTime::get),
        resolution: row.resolution.clone(),
        closed_at: row.closed_at.map(UtcTime::get),
        first_response_at: row.first_response_at.map(UtcTime::get),
    }
}

fn set_handling(row: &mut TicketRow, handling: Handling) {
    let naive = |at: Option<DateTime<Utc>>| at.map(|at| at.into());
    row.assignee_id = handling.assignee_id;
    row.tier1_assignee_id = handling.tier1_assignee_id;
    row.escalated_at = naive(handling.escalated_at);
    row.escalation_reason = handling.escalation_reason;
    row.resolved_at = naive(handling.resolved_at);
    row.resolution = handling.resolution;
    row.closed_at = naive(handling.closed_at);
    row.first_response_at = naive(handling.first_response_at);
}

impl Desk {
    /// Runs a use case's change of a ticket the caller may see, in one transaction: `work`
    /// makes the change, `answer` turns the committed ticket into what the caller gets. The
    /// engine is woken afterwards, as the change may have moved the ticket's next SLA instant.
    pub(in crate::service) fn change_ticket<T, R>(
        &self,
        caller: &Caller,
        id_or_number: &str,
        work: impl FnOnce(&mut DbConn, &mut TicketChange) -> Result<T, ServiceError>,
        answer: impl FnOnce(&mut DbConn, Committed, T) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut change = TicketChange::begin(self, conn, caller, id_or_number, now)?;
            let made = work(conn, &mut change)?;
            let committed = change.commit(conn)?;
            answer(conn, committed, made)
        })
        .inspect(|_| self.sla_bell.ring(None))
    }
}
