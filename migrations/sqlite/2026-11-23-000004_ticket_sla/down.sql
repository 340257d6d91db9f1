DROP TABLE ticket_sla;
