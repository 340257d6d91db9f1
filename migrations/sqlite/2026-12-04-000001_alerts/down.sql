DROP TABLE alerts;
ALTER TABLE outages DROP COLUMN source;
ALTER TABLE services DROP COLUMN auto_resolve;
ALTER TABLE services DROP COLUMN alert_tier;
ALTER TABLE region_settings DROP COLUMN alert_priorities;
ALTER TABLE region_settings DROP COLUMN alert_service_label;
