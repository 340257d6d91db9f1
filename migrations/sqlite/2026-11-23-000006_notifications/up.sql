-- The mail outbox (docs/architecture.md "The outbox"): each mail is rendered and queued in
-- the transaction of the change that causes it, and sent afterwards by the dispatcher.
-- A pending row is due at `next_attempt_at`; a dispatcher claims it by moving that instant a
-- lease ahead and writing its name into `lease_owner`, so a dispatcher that dies mid-send
-- leaves the row to be sent again once the lease has passed. `thread_id` is the Message-ID of
-- the ticket's first mail, for In-Reply-To and References.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    ticket_id TEXT REFERENCES tickets (id),
    event_id TEXT,
    kind TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL,
    thread_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_status ON notifications (status, created_at, id);
CREATE INDEX notifications_ticket ON notifications (ticket_id, created_at);
