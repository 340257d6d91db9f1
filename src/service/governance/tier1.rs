//! Tier 1 in every PD (Tojo Una-Una and Kupang Pasal 46 (7) huruf a): which PDs have an active
//! Tier 1 technician appointed by decree, and the weekly mail of those that do not.

use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::Serialize;
use utoipa::ToSchema;

use super::overseers_only;
use crate::auth::Caller;
use crate::db::models::DigestRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::governance::{Tier1Standing, iso_week};
use crate::domain::ids::{UnitId, UserId};
use crate::mail::PdStanding;
use crate::mail::wording;
use crate::service::{Desk, ServiceError, notify};

/// The weekly mail goes out from this local time on Monday.
const MAIL_TIME: NaiveTime = match NaiveTime::from_hms_opt(7, 0, 0) {
    Some(time) => time,
    None => panic!("a valid time"),
};

const DIGEST_KIND: &str = "tier1_compliance";

/// An active Tier 1 technician and the decree that appoints them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tier1Appointment {
    /// The account.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// The decree (SK) number; `null` when not recorded.
    pub appointment_number: Option<String>,
    /// The decree's date.
    #[schema(format = Date)]
    pub appointment_date: Option<String>,
}

/// One PD's Tier 1 standing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PdCompliance {
    /// The PD.
    pub unit_id: UnitId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// `no_tier1`, `no_appointment` (Tier 1 without a recorded decree) or `compliant`.
    pub standing: Tier1Standing,
    /// Its active Tier 1 technicians.
    pub tier1: Vec<Tier1Appointment>,
}

/// Every active PD's Tier 1 standing, the PDs lacking first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tier1Compliance {
    /// Active PDs.
    pub pd_count: usize,
    /// PDs without an active Tier 1.
    pub without_tier1: usize,
    /// PDs whose active Tier 1 has no recorded decree.
    pub without_appointment: usize,
    /// Each PD, those lacking first, then by code.
    pub pds: Vec<PdCompliance>,
}

/// Every active PD's standing.
pub(in crate::service) fn compliance(conn: &mut DbConn) -> Result<Tier1Compliance, ServiceError> {
    let technicians = db::governance::active_tier1(conn)?;
    let mut pds: Vec<PdCompliance> = db::units::active_pd_units(conn)?
        .into_iter()
        .map(|unit| {
            let tier1: Vec<Tier1Appointment> = technicians
                .iter()
                .filter(|t| t.0 == unit.id)
                .map(|(_, id, name, number, date)| Tier1Appointment {
                    user_id: UserId::from(id.clone()),
                    name: name.clone(),
                    appointment_number: number.clone(),
                    appointment_date: date.clone(),
                })
                .collect();
            PdCompliance {
                standing: Tier1Standing::of(tier1.iter().map(|t| t.appointment_number.is_some())),
                unit_id: unit.id,
                code: unit.code,
                name: unit.name,
                tier1,
            }
        })
        .collect();
    // Stable: within each standing the PDs stay in code order.
    pds.sort_by_key(|pd| pd.standing);
    let count = |standing| pds.iter().filter(|pd| pd.standing == standing).count();
    Ok(Tier1Compliance {
        pd_count: pds.len(),
        without_tier1: count(Tier1Standing::NoTier1),
        without_appointment: count(Tier1Standing::NoAppointment),
        pds,
    })
}

impl Desk {
    /// Every active PD's Tier 1 standing (Dinas staff, auditors, admins).
    pub fn tier1_compliance(&self, caller: &Caller) -> Result<Tier1Compliance, ServiceError> {
        overseers_only(caller)?;
        compliance(&mut *self.conn()?)
    }

    /// Queues this week's compliance mail to the Dinas supervisors once it is due (Monday
    /// 07:00 in the region) and the region asks for it; several processes send it once.
    /// Answers whether it queued one. The weekly-mail worker calls this.
    pub fn send_weekly_mail(&self) -> Result<bool, ServiceError> {
        // The demo's made-up past mails nobody, and neither does its weekly list.
        if self.demo_forbids_mail()? {
            return Ok(false);
        }
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            send_if_due(conn, self.mail_from.as_deref(), now)
        })
    }
}

fn send_if_due(
    conn: &mut DbConn,
    sender: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let region = crate::service::region::load(conn)?;
    if !region.row.tier1_compliance_mail {
        return Ok(false);
    }
    let local = now.with_timezone(&region.row.timezone.0);
    let monday = local.date_naive().week(Weekday::Mon).first_day();
    if local.date_naive() == monday && local.time() < MAIL_TIME {
        return Ok(false);
    }
    let week = iso_week(local.date_naive());
    let claimed = db::governance::claim_digest(
        conn,
        &DigestRow {
            kind: DIGEST_KIND.into(),
            period: week.clone(),
            sent_at: now.into(),
        },
    )?;
    if !claimed {
        return Ok(false);
    }
    let standing = compliance(conn)?;
    let mailing = notify::mailing(conn, sender)?;
    let label = region.row.tier1_label.clone();
    let lacking = standing
        .pds
        .into_iter()
        .filter(|pd| pd.standing != Tier1Standing::Compliant)
        .map(|pd| PdStanding {
            lacks: wording::tier1_lack(pd.standing, &label),
            code: pd.code,
            name: pd.name,
        })
        .collect();
    notify::enqueue_compliance_mail(conn, &mailing, &week, (standing.pd_count, lacking), now)
}
