//! The weekly Tier 1 compliance mail to the Dinas supervisors (Pasal 46 (7)).

use chrono::{DateTime, Utc};

use super::mailing::Mailing;
use super::outbox::notification_row;
use crate::db::{self, DbConn};
use crate::domain::notification::{Notice, Parties, official_only, recipients};
use crate::domain::role::Role;
use crate::domain::ticket::Tier;
use crate::mail::wording;
use crate::mail::{ComplianceMail, PdStanding, render_compliance};
use crate::service::ServiceError;
use crate::service::audit::{self, Actor};

/// Queues the week's compliance mail listing `lacking` of `pd_count` active PDs; answers
/// whether anyone official was left to receive it.
pub(in crate::service) fn enqueue_compliance_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    week: &str,
    (pd_count, lacking): (usize, Vec<PdStanding>),
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let parties = Parties {
        dinas_mailbox: db::units::dinas(conn)?.and_then(|u| u.email),
        supervisors: db::users::active_emails(conn, Role::Supervisor, None)?,
        ..Parties::default()
    };
    let notice = Notice::Tier1Compliance;
    let (kept, skipped) = official_only(recipients(notice, Tier::Two, &parties), &mailing.domains);
    for skip in &skipped {
        let data =
            serde_json::json!({"address": skip.address, "reason": skip.reason, "notice": notice});
        audit::record(
            conn,
            Actor::system(now),
            "notification_skipped",
            ("region", "1"),
            data,
        )?;
    }
    if kept.to.is_empty() && kept.cc.is_empty() {
        return Ok(false);
    }
    let labels = mailing.labels();
    let rendered = render_compliance(&ComplianceMail {
        region: mailing.region.clone(),
        headline: wording::headline(notice, true, None, labels),
        week: week.to_owned(),
        tier1_label: labels.tier1.to_owned(),
        pd_count,
        lacking,
    })
    .map_err(ServiceError::Internal)?;
    let mail = notification_row(mailing, (None, None), notice, &kept, rendered, None, now);
    db::notifications::insert_many(conn, &[mail])?;
    Ok(true)
}
