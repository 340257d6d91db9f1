//! Who a user is in the service desk, and which unit each role belongs to.

use super::text_enum::text_enum;

text_enum! {
    /// A user's role (docs/api.md "Roles").
    pub enum Role {
        /// Service Desk Tier 1: the technician in a PD, its single point of contact
        /// (Perbup Tojo Una-Una 17/2024 Pasal 46 (7)).
        Tier1 = "tier1",
        /// Service Desk Tier 2 staff at the Dinas (Pasal 46 (9)).
        Tier2 = "tier2",
        /// Tier 2 plus the service catalogue, calendars and SLA policies.
        Supervisor = "supervisor",
        /// Reads everything, changes nothing (Inspektorat, internal evaluators).
        Auditor = "auditor",
        /// A dashboard or other system, through a long-lived token; read-only.
        Integration = "integration",
        /// A monitor (Alertmanager, Zabbix, a script), through a long-lived token: posts alerts
        /// and nothing else.
        Monitoring = "monitoring",
        /// Manages region settings, units, users and tokens.
        Admin = "admin",
    }
}

text_enum! {
    /// What kind of organisational unit a unit is.
    pub enum UnitKind {
        /// Perangkat Daerah: a department with its own Tier 1.
        Pd = "pd",
        /// The Dinas for communications and informatics: home of Tier 2.
        Dinas = "dinas",
    }
}

/// Where a role may sit, checked when a user is created or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitRequirement {
    /// Must belong to a unit of this kind.
    Kind(UnitKind),
    /// May belong to any unit, or none.
    Any,
    /// Must belong to no unit.
    None,
}

impl Role {
    /// The unit a user with this role needs.
    pub fn unit_requirement(self) -> UnitRequirement {
        match self {
            Role::Tier1 => UnitRequirement::Kind(UnitKind::Pd),
            Role::Tier2 | Role::Supervisor => UnitRequirement::Kind(UnitKind::Dinas),
            Role::Auditor | Role::Admin => UnitRequirement::Any,
            Role::Integration | Role::Monitoring => UnitRequirement::None,
        }
    }

    /// Whether the role is a system that holds long-lived tokens rather than a person.
    pub fn is_system(self) -> bool {
        matches!(self, Role::Integration | Role::Monitoring)
    }

    /// Whether the role's email must be inside an official domain. Systems are not officials,
    /// so they are exempt.
    pub fn needs_official_email(self) -> bool {
        !self.is_system()
    }

    /// Whether the role signs in with a password (systems use tokens).
    pub fn signs_in_with_password(self) -> bool {
        !self.is_system()
    }

    /// Whether the role is a person working the desk. Staff see people: reporters' names and
    /// contacts, who was mailed, units' mailboxes, internal comments. Integration accounts feed
    /// dashboards and other systems, which get names of units and services and opaque ids only.
    pub fn is_staff(self) -> bool {
        !self.is_system()
    }

    /// Whether the role may read every ticket and record in the region.
    pub fn reads_everything(self) -> bool {
        matches!(
            self,
            Role::Tier2 | Role::Supervisor | Role::Auditor | Role::Admin
        )
    }
}

/// Checks that a role may sit in a unit of `unit_kind` (`None` when no unit is given).
pub fn role_fits_unit(role: Role, unit_kind: Option<UnitKind>) -> bool {
    match (role.unit_requirement(), unit_kind) {
        (UnitRequirement::Kind(needed), Some(kind)) => needed == kind,
        (UnitRequirement::Kind(_), None) => false,
        (UnitRequirement::Any, _) => true,
        (UnitRequirement::None, unit) => unit.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier1_belongs_to_a_pd_and_tier2_to_the_dinas() {
        assert!(role_fits_unit(Role::Tier1, Some(UnitKind::Pd)));
        assert!(!role_fits_unit(Role::Tier1, Some(UnitKind::Dinas)));
        assert!(!role_fits_unit(Role::Tier1, None));
        assert!(role_fits_unit(Role::Tier2, Some(UnitKind::Dinas)));
        assert!(!role_fits_unit(Role::Supervisor, Some(UnitKind::Pd)));
        assert!(role_fits_unit(Role::Auditor, None));
        assert!(role_fits_unit(Role::Admin, Some(UnitKind::Pd)));
        assert!(!role_fits_unit(Role::Integration, Some(UnitKind::Pd)));
        assert!(role_fits_unit(Role::Integration, None));
        assert!(!role_fits_unit(Role::Monitoring, Some(UnitKind::Dinas)));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
