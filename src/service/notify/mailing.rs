//! What every mail of a transaction needs to know about the region, and the sender.

use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::email::{EmailAddress, OfficialDomains};
use crate::mail::wording::TierLabels;
use crate::service::region;
use crate::service::{Desk, ServiceError};

/// What every mail of a transaction needs to know about the region.
pub(in crate::service) struct Mailing {
    /// The region's name.
    pub(super) region: String,
    /// The region's timezone, in which mails show times (and tickets are numbered per year).
    pub(in crate::service) timezone: Tz,
    /// Where mail may go.
    pub(super) domains: OfficialDomains,
    /// The `From` address.
    pub(super) sender: String,
    pub(super) tier1_label: String,
    pub(super) tier2_label: String,
}

impl Mailing {
    pub(super) fn labels(&self) -> TierLabels<'_> {
        TierLabels {
            tier1: &self.tier1_label,
            tier2: &self.tier2_label,
        }
    }
}

/// The region's mail settings; the sender is `SERVICEDESK_MAIL_FROM` when set.
pub(in crate::service) fn mailing(
    conn: &mut DbConn,
    configured: Option<&str>,
) -> Result<Mailing, ServiceError> {
    let region = region::load(conn)?;
    let sender = configured.map_or_else(|| region.row.mail_from.clone(), str::to_owned);
    Ok(Mailing {
        timezone: region.row.timezone.0,
        region: region.row.name,
        sender,
        tier1_label: region.row.tier1_label,
        tier2_label: region.row.tier2_label,
        domains: region.domains,
    })
}

impl Desk {
    /// Checks at startup that `SERVICEDESK_MAIL_FROM`, if set, is inside the official domains.
    pub fn check_mail_sender(&self) -> Result<(), ServiceError> {
        let Some(sender) = &self.mail_from else {
            return Ok(());
        };
        let domains = region::load(&mut *self.conn()?)?.domains;
        match EmailAddress::parse(sender) {
            Ok(address) if domains.contains(&address) => Ok(()),
            _ => Err(ServiceError::field(
                "SERVICEDESK_MAIL_FROM",
                format!(
                    "{sender} is not an address inside the official domains ({})",
                    domains.as_slice().join(", ")
                ),
            )),
        }
    }
}
