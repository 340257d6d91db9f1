DROP TRIGGER trail_links_not_truncated ON trail_links;
DROP TRIGGER trail_links_append_only ON trail_links;
DROP TABLE trail_head;
DROP TABLE trail_links;
