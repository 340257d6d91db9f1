//! Which roles may ever do which change. A caller outside an operation's roles is refused
//! before anything of its input is looked at; whether an allowed role may do it to one
//! particular record (its own PD's ticket, the ticket's tier) is decided later, on the record.

use super::role::Role;

/// A change a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Region settings: official domains, timezone.
    ConfigureRegion,
    /// Create or change units.
    ManageUnits,
    /// Create or change accounts.
    ManageUsers,
    /// Issue, list and revoke integration tokens.
    ManageTokens,
    /// Business calendars and their holidays.
    ManageCalendars,
    /// SLA policies.
    ManageSlaPolicies,
    /// The service catalogue.
    ManageCatalogue,
    /// Record and end outages: the Dinas, which runs Tier 2 and the data centre.
    RecordOutages,
    /// Record tickets.
    RecordTickets,
    /// Edit, move and comment on tickets.
    WorkTickets,
}

impl Operation {
    /// The roles that may ever do it.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Operation::ConfigureRegion
            | Operation::ManageUnits
            | Operation::ManageUsers
            | Operation::ManageTokens => &[Role::Admin],
            Operation::ManageCalendars
            | Operation::ManageSlaPolicies
            | Operation::ManageCatalogue => &[Role::Supervisor, Role::Admin],
            Operation::RecordOutages => &[Role::Tier2, Role::Supervisor, Role::Admin],
            Operation::RecordTickets | Operation::WorkTickets => {
                &[Role::Tier1, Role::Tier2, Role::Supervisor]
            }
        }
    }

    /// Whether `role` may ever do it.
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_never_change_tickets_and_only_admins_manage_accounts() {
        for role in [Role::Auditor, Role::Integration, Role::Admin] {
            assert!(!Operation::WorkTickets.allows(role), "{role}");
        }
        for role in Role::ALL {
            assert_eq!(Operation::ManageUsers.allows(*role), *role == Role::Admin);
        }
    }
}
