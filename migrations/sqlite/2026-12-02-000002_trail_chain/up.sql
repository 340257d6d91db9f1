-- The trail's entries (ticket events and audit entries) form one hash chain: link `seq` holds
-- the SHA-256 of the entry's canonical content and of link `seq - 1`, so that a changed,
-- removed or slipped-in entry breaks every link after it. Links are added at commit, while
-- the transaction holds SQLite's single write lock.
CREATE TABLE trail_links (
    seq BIGINT PRIMARY KEY,
    entry TEXT NOT NULL CHECK (entry IN ('ticket_event', 'audit')),
    entry_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (entry, entry_id)
);

CREATE TABLE trail_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO trail_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER trail_links_no_update BEFORE UPDATE ON trail_links
BEGIN
    SELECT RAISE(ABORT, 'trail_links is append-only: its entries are never changed or removed');
END;
CREATE TRIGGER trail_links_no_delete BEFORE DELETE ON trail_links
BEGIN
    SELECT RAISE(ABORT, 'trail_links is append-only: its entries are never changed or removed');
END;

-- The head moves with every link but is never removed, except the genesis head of an empty
-- desk, which a restore replaces with its archive's.
CREATE TRIGGER trail_head_kept BEFORE DELETE ON trail_head WHEN OLD.seq <> 0
BEGIN
    SELECT RAISE(ABORT, 'trail_head is never removed');
END;
