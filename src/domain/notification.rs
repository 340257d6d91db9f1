//! Who is told what (docs/sla.md "Who is told"), and the official-domain rule:
//! only addresses inside the region's official domains receive mail (Perwali Palangka Raya
//! 23/2020 Pasal 38; Perbup Tojo Una-Una 17/2024 Pasal 30 (2)).

use super::email::{EmailAddress, OfficialDomains};
use super::text_enum::text_enum;
use super::ticket::Tier;

text_enum! {
    /// What a mail is about.
    pub enum Notice {
        /// A ticket was recorded.
        Created = "created",
        /// A ticket went to Tier 2, by hand or by the SLA engine.
        Escalated = "escalated",
        /// Tier 2 handed a ticket back to Tier 1.
        Returned = "returned",
        /// A clock used up its warning share.
        SlaWarning = "sla_warning",
        /// A clock ran out.
        SlaBreached = "sla_breached",
        /// A ticket was resolved.
        Resolved = "resolved",
        /// A service's month went over its downtime budget.
        AvailabilityBreached = "availability_breached",
        /// The weekly list of PDs without an appointed Tier 1.
        Tier1Compliance = "tier1_compliance",
    }
}

text_enum! {
    /// Where a mail stands in the outbox.
    pub enum MailStatus {
        /// Waiting for its next attempt.
        Pending = "pending",
        /// The mail server accepted it.
        Sent = "sent",
        /// Given up after the last attempt, or refused for good.
        Failed = "failed",
    }
}

/// The people and mailboxes around one notice, as the service found them.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    /// The PD's unit mailbox.
    pub pd_mailbox: Option<String>,
    /// The Dinas (Tier 2) unit mailbox.
    pub dinas_mailbox: Option<String>,
    /// Active Tier 1 technicians of the PD.
    pub tier1: Vec<String>,
    /// Active Tier 2 staff.
    pub tier2: Vec<String>,
    /// Active Dinas supervisors.
    pub supervisors: Vec<String>,
    /// The ticket's assignee.
    pub assignee: Option<String>,
    /// The reporter's address, whatever its domain.
    pub reporter: Option<String>,
}

/// The addresses of one mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
}

/// Who receives a notice about a ticket at `tier`.
pub fn recipients(notice: Notice, tier: Tier, parties: &Parties) -> Recipients {
    let Parties {
        pd_mailbox,
        dinas_mailbox,
        tier1,
        tier2,
        supervisors,
        assignee,
        reporter,
    } = parties;
    let tier_mailbox = match tier {
        Tier::One => pd_mailbox,
        Tier::Two => dinas_mailbox,
    };
    let one = |address: &Option<String>| address.iter().cloned().collect::<Vec<_>>();
    let (to, cc): (Vec<String>, Vec<String>) = match notice {
        Notice::Created => ([one(pd_mailbox), tier1.clone()].concat(), Vec::new()),
        Notice::Escalated => (
            [one(dinas_mailbox), tier2.clone()].concat(),
            one(pd_mailbox),
        ),
        Notice::Returned => ([one(pd_mailbox), one(assignee)].concat(), Vec::new()),
        Notice::SlaWarning => (
            if assignee.is_some() {
                one(assignee)
            } else {
                one(tier_mailbox)
            },
            Vec::new(),
        ),
        Notice::SlaBreached => {
            let mut to = [one(assignee), one(tier_mailbox)].concat();
            if tier == Tier::Two {
                to.extend(supervisors.iter().cloned());
            }
            (to, Vec::new())
        }
        Notice::Resolved => ([one(reporter), one(pd_mailbox)].concat(), Vec::new()),
        Notice::AvailabilityBreached => (
            [one(pd_mailbox), one(dinas_mailbox), tier2.clone()].concat(),
            Vec::new(),
        ),
        Notice::Tier1Compliance => (supervisors.clone(), one(dinas_mailbox)),
    };
    let to = distinct(to, &[]);
    let cc = distinct(cc, &to);
    Recipients { to, cc }
}

/// Lower-cased, each once, without those already in `taken`.
fn distinct(addresses: Vec<String>, taken: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::with_capacity(addresses.len());
    for address in addresses {
        let address = address.trim().to_lowercase();
        if !address.is_empty() && !kept.contains(&address) && !taken.contains(&address) {
            kept.push(address);
        }
    }
    kept
}

/// An address that gets no mail, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The address as it was.
    pub address: String,
    /// `not_official_domain` or `invalid_address`.
    pub reason: &'static str,
}

/// Keeps the recipients inside the official domains; the rest are returned as skipped.
pub fn official_only(
    recipients: Recipients,
    domains: &OfficialDomains,
) -> (Recipients, Vec<Skipped>) {
    let mut skipped = Vec::new();
    let mut keep = |addresses: Vec<String>| -> Vec<String> {
        addresses
            .into_iter()
            .filter(|address| match EmailAddress::parse(address) {
                Ok(parsed) if domains.contains(&parsed) => true,
                Ok(_) => {
                    skipped.push(Skipped {
                        address: address.clone(),
                        reason: "not_official_domain",
                    });
                    false
                }
                Err(_) => {
                    skipped.push(Skipped {
                        address: address.clone(),
                        reason: "invalid_address",
                    });
                    false
                }
            })
            .collect()
    };
    let to = keep(recipients.to);
    let cc = keep(recipients.cc);
    (Recipients { to, cc }, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parties() -> Parties {
        Parties {
            pd_mailbox: Some("dinkes@kab.go.id".into()),
            dinas_mailbox: Some("diskominfo@kab.go.id".into()),
            tier1: vec!["budi@kab.go.id".into(), "Dinkes@kab.go.id".into()],
            tier2: vec!["ani@kab.go.id".into()],
            supervisors: vec!["kabid@kab.go.id".into()],
            assignee: None,
            reporter: Some("warga@gmail.com".into()),
        }
    }

    #[test]
    fn created_goes_to_the_pd_and_its_tier1_once_each() {
        let r = recipients(Notice::Created, Tier::One, &parties());
        assert_eq!(r.to, ["dinkes@kab.go.id", "budi@kab.go.id"]);
        assert!(r.cc.is_empty());
    }

    #[test]
    fn escalation_goes_to_tier2_with_the_pd_in_copy() {
        let r = recipients(Notice::Escalated, Tier::Two, &parties());
        assert_eq!(r.to, ["diskominfo@kab.go.id", "ani@kab.go.id"]);
        assert_eq!(r.cc, ["dinkes@kab.go.id"]);
    }

    #[test]
    fn a_warning_goes_to_the_assignee_else_the_tier_mailbox() {
        let mut p = parties();
        assert_eq!(
            recipients(Notice::SlaWarning, Tier::Two, &p).to,
            ["diskominfo@kab.go.id"]
        );
        p.assignee = Some("ani@kab.go.id".into());
        assert_eq!(
            recipients(Notice::SlaWarning, Tier::Two, &p).to,
            ["ani@kab.go.id"]
        );
    }

    #[test]
    fn a_breach_at_tier2_reaches_the_supervisors() {
        let p = parties();
        assert_eq!(
            recipients(Notice::SlaBreached, Tier::Two, &p).to,
            ["diskominfo@kab.go.id", "kabid@kab.go.id"]
        );
        assert_eq!(
            recipients(Notice::SlaBreached, Tier::One, &p).to,
            ["dinkes@kab.go.id"]
        );
    }

    #[test]
    fn a_citizen_reporter_is_skipped_with_a_reason() {
        let domains = OfficialDomains::parse(&["kab.go.id".to_owned()]).expect("domains");
        let r = recipients(Notice::Resolved, Tier::One, &parties());
        let (kept, skipped) = official_only(r, &domains);
        assert_eq!(kept.to, ["dinkes@kab.go.id"]);
        assert_eq!(
            skipped,
            [Skipped {
                address: "warga@gmail.com".into(),
                reason: "not_official_domain"
            }]
        );
    }
}
