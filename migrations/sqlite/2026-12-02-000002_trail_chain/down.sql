DROP TRIGGER trail_head_kept;
DROP TRIGGER trail_links_no_delete;
DROP TRIGGER trail_links_no_update;
DROP TABLE trail_head;
DROP TABLE trail_links;
