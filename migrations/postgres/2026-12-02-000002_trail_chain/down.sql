DROP TRIGGER trail_head_not_truncated ON trail_head;
DROP TRIGGER trail_head_kept ON trail_head;
DROP FUNCTION refuse_head_removal();
DROP TRIGGER trail_links_not_truncated ON trail_links;
DROP TRIGGER trail_links_append_only ON trail_links;
DROP TABLE trail_head;
DROP TABLE trail_links;
