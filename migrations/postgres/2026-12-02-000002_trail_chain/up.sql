-- The trail's entries (ticket events and audit entries) form one hash chain: link `seq` holds
-- the SHA-256 of the entry's canonical content and of link `seq - 1`, so that a changed,
-- removed or slipped-in entry breaks every link after it. Links are added at commit under a
-- lock on the head row, which is also what every process on this database serialises on.
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

CREATE TRIGGER trail_links_append_only BEFORE UPDATE OR DELETE ON trail_links
    FOR EACH ROW EXECUTE FUNCTION refuse_trail_change();
CREATE TRIGGER trail_links_not_truncated BEFORE TRUNCATE ON trail_links
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_trail_change();

-- The head moves with every link but is never removed, except the genesis head of an empty
-- desk, which a restore replaces with its archive's.
CREATE FUNCTION refuse_head_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq = 0 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'trail_head is never removed';
END;
$$;
CREATE TRIGGER trail_head_kept BEFORE DELETE ON trail_head
    FOR EACH ROW EXECUTE FUNCTION refuse_head_removal();
CREATE TRIGGER trail_head_not_truncated BEFORE TRUNCATE ON trail_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_head_removal();
