DROP INDEX ticket_events_type_at;
