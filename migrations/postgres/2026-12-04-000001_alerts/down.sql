DROP TABLE alerts;
ALTER TABLE outages DROP COLUMN source;
ALTER TABLE services DROP COLUMN auto_resolve;
ALTER TABLE services DROP COLUMN alert_tier;
ALTER TABLE region_settings DROP COLUMN alert_priorities;
ALTER TABLE region_settings DROP COLUMN alert_service_label;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('tier1', 'tier2', 'supervisor', 'auditor', 'integration', 'admin'));
