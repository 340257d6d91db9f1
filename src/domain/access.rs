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
    /// Propose a service critical: its PD's Tier 1, or a supervisor on the PD's behalf.
    ProposeCriticality,
    /// Designate, decline or revoke criticality; record the Komite's letters; close services
    /// and record supervisions: the Dinas's decisions.
    GovernServices,
    /// Record the repair of a closed service: its PD, or the Dinas on its behalf.
    RecordRepairs,
    /// Post monitoring alerts: monitors, and nobody else.
    PostAlerts,
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
            Operation::RecordTickets | Operation::WorkTickets | Operation::RecordRepairs => {
                &[Role::Tier1, Role::Tier2, Role::Supervisor]
            }
            Operation::ProposeCriticality => &[Role::Tier1, Role::Supervisor],
            Operation::GovernServices => &[Role::Supervisor],
            Operation::PostAlerts => &[Role::Monitoring],
        }
    }

    /// Whether `role` may ever do it.
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Why `role` may not do it, in words that say who may.
    pub fn refusal(self, role: Role) -> String {
        match role {
            Role::Integration => "integration tokens may only read".to_owned(),
            Role::Monitoring => "monitoring tokens may only post alerts".to_owned(),
            Role::Auditor => "auditors may only read".to_owned(),
            _ => {
                let mut who: Vec<&str> = self.roles().iter().map(|r| plural(*r)).collect();
                let last = who.pop().unwrap_or_default();
                let who = if who.is_empty() {
                    last.to_owned()
                } else {
                    format!("{} and {last}", who.join(", "))
                };
                format!("only {who} may {}", self.what())
            }
        }
    }

    fn what(self) -> &'static str {
        match self {
            Operation::ConfigureRegion => "configure the region",
            Operation::ManageUnits => "manage units",
            Operation::ManageUsers => "manage accounts",
            Operation::ManageTokens => "manage integration tokens",
            Operation::ManageCalendars => "manage business calendars",
            Operation::ManageSlaPolicies => "manage SLA policies",
            Operation::ManageCatalogue => "manage the service catalogue",
            Operation::RecordOutages => "record outages",
            Operation::RecordTickets => "record tickets",
            Operation::WorkTickets => "work tickets",
            Operation::ProposeCriticality => "propose a service critical",
            Operation::GovernServices => "take the Dinas's governance decisions",
            Operation::RecordRepairs => "record repairs",
            Operation::PostAlerts => "post alerts",
        }
    }
}

fn plural(role: Role) -> &'static str {
    match role {
        Role::Tier1 => "Tier 1 technicians",
        Role::Tier2 => "Tier 2 staff",
        Role::Supervisor => "supervisors",
        Role::Auditor => "auditors",
        Role::Integration => "integration tokens",
        Role::Monitoring => "monitoring tokens",
        Role::Admin => "admins",
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

    #[test]
    fn a_refusal_says_who_may() {
        assert_eq!(
            Operation::WorkTickets.refusal(Role::Integration),
            "integration tokens may only read"
        );
        assert_eq!(
            Operation::WorkTickets.refusal(Role::Admin),
            "only Tier 1 technicians, Tier 2 staff and supervisors may work tickets"
        );
        assert_eq!(
            Operation::ManageUsers.refusal(Role::Tier2),
            "only admins may manage accounts"
        );
    }
}
