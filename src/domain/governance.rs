//! Each region's governance rules (docs/governance.md): a service's criticality steps, the
//! Komite's letters, a PD's Tier 1 standing, when a PD's supervision falls due and which week
//! a weekly mail belongs to.

use chrono::{Datelike, NaiveDate, TimeDelta};

use super::text_enum::text_enum;

/// What a region's preset turns on; every value stays editable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Governance {
    /// A service becomes critical only by the Dinas's designation of its PD's proposal, with a
    /// decree (Palangka Raya Pasal 28 (2)).
    pub critical_designation: bool,
    /// The Dinas supervisors get a weekly mail of PDs without an active Tier 1 (Tojo Una-Una
    /// and Kupang Pasal 46 (7)).
    pub tier1_compliance_mail: bool,
    /// Days between two supervisions of a PD's Administrator (Ambon Pasal 36 (9)).
    pub supervision_interval_days: Option<u16>,
}

/// The longest supervision interval a region may set: ten years.
pub const MAX_SUPERVISION_INTERVAL_DAYS: u16 = 3660;

text_enum! {
    /// A step of a service's criticality.
    pub enum CriticalityStep {
        /// The owning PD proposes the service as critical.
        Proposed = "proposed",
        /// The Dinas designates it, by decree.
        Designated = "designated",
        /// The Dinas declines the proposal.
        Declined = "declined",
        /// The Dinas ends a designation, by decree.
        Revoked = "revoked",
    }
}

impl CriticalityStep {
    /// Whether the step is the Dinas's (designate, decline, revoke) rather than the PD's.
    pub fn is_dinas_decision(self) -> bool {
        self != CriticalityStep::Proposed
    }

    /// Whether the step must name its decree (SK).
    pub fn needs_decree(self) -> bool {
        matches!(self, CriticalityStep::Designated | CriticalityStep::Revoked)
    }
}

text_enum! {
    /// Where a service's criticality stands.
    pub enum Criticality {
        /// Not critical, nothing proposed.
        Ordinary = "ordinary",
        /// Proposed by its PD, awaiting the Dinas.
        Proposed = "proposed",
        /// Critical.
        Critical = "critical",
    }
}

impl Criticality {
    /// The standing of a service flagged `critical` whose last step was `last`.
    pub fn of(critical: bool, last: Option<CriticalityStep>) -> Self {
        match (critical, last) {
            (true, _) => Criticality::Critical,
            (false, Some(CriticalityStep::Proposed)) => Criticality::Proposed,
            (false, _) => Criticality::Ordinary,
        }
    }

    /// The standing after `step`, or why the step does not apply now.
    pub fn after(self, step: CriticalityStep) -> Result<Self, &'static str> {
        use CriticalityStep as S;
        match (self, step) {
            (Criticality::Ordinary, S::Proposed) => Ok(Criticality::Proposed),
            (Criticality::Proposed, S::Designated) => Ok(Criticality::Critical),
            (Criticality::Proposed, S::Declined) | (Criticality::Critical, S::Revoked) => {
                Ok(Criticality::Ordinary)
            }
            (Criticality::Critical, _) => Err("the service is critical already"),
            (Criticality::Proposed, _) => Err("a proposal is awaiting the Dinas's decision"),
            (Criticality::Ordinary, _) => Err("no proposal is awaiting a decision"),
        }
    }
}

text_enum! {
    /// A letter of the Komite Pengarah TIK to the Dinas (Palangka Raya Pasal 28 (5)).
    pub enum LetterKind {
        /// Surat peringatan.
        Warning = "warning",
        /// Surat teguran.
        Reprimand = "reprimand",
    }
}

text_enum! {
    /// A PD's Tier 1 standing (Pasal 46 (7) huruf a).
    pub enum Tier1Standing {
        /// No active Tier 1 technician.
        NoTier1 = "no_tier1",
        /// Active Tier 1, but none with its appointment decree recorded.
        NoAppointment = "no_appointment",
        /// At least one active Tier 1 with its decree.
        Compliant = "compliant",
    }
}

impl Tier1Standing {
    /// The standing of a PD whose active Tier 1 technicians have (`true`) or lack a decree.
    pub fn of(appointed: impl IntoIterator<Item = bool>) -> Self {
        let mut standing = Tier1Standing::NoTier1;
        for has_decree in appointed {
            if has_decree {
                return Tier1Standing::Compliant;
            }
            standing = Tier1Standing::NoAppointment;
        }
        standing
    }
}

/// The day a PD's next supervision is due: `interval_days` after the last, or `today` for a
/// PD never supervised.
pub fn supervision_due(last: Option<NaiveDate>, interval_days: u16, today: NaiveDate) -> NaiveDate {
    last.and_then(|day| day.checked_add_signed(TimeDelta::days(i64::from(interval_days))))
        .unwrap_or(today)
}

/// The ISO week of a local date, `2026-W49`: the period of a weekly mail.
pub fn iso_week(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CriticalityStep as S;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    #[test]
    fn criticality_moves_from_proposal_to_decision() {
        let proposed = Criticality::Ordinary.after(S::Proposed);
        assert_eq!(proposed, Ok(Criticality::Proposed));
        assert_eq!(
            Criticality::Proposed.after(S::Designated),
            Ok(Criticality::Critical)
        );
        assert_eq!(
            Criticality::Proposed.after(S::Declined),
            Ok(Criticality::Ordinary)
        );
        assert_eq!(
            Criticality::Critical.after(S::Revoked),
            Ok(Criticality::Ordinary)
        );
        assert!(Criticality::Ordinary.after(S::Designated).is_err());
        assert!(Criticality::Proposed.after(S::Proposed).is_err());
        assert!(Criticality::Critical.after(S::Proposed).is_err());
        assert!(Criticality::Ordinary.after(S::Revoked).is_err());
    }

    #[test]
    fn a_critical_flag_outweighs_a_pending_step() {
        assert_eq!(
            Criticality::of(true, Some(S::Proposed)),
            Criticality::Critical
        );
        assert_eq!(
            Criticality::of(false, Some(S::Proposed)),
            Criticality::Proposed
        );
        assert_eq!(
            Criticality::of(false, Some(S::Revoked)),
            Criticality::Ordinary
        );
        assert_eq!(Criticality::of(false, None), Criticality::Ordinary);
    }

    #[test]
    fn one_appointed_technician_makes_a_pd_compliant() {
        assert_eq!(Tier1Standing::of([]), Tier1Standing::NoTier1);
        assert_eq!(Tier1Standing::of([false]), Tier1Standing::NoAppointment);
        assert_eq!(Tier1Standing::of([false, true]), Tier1Standing::Compliant);
    }

    #[test]
    fn supervision_falls_due_an_interval_after_the_last() {
        let today = day("2026-12-02");
        assert_eq!(supervision_due(None, 90, today), today);
        assert_eq!(
            supervision_due(Some(day("2026-09-01")), 90, today),
            day("2026-11-30")
        );
    }

    #[test]
    fn weeks_are_iso_weeks() {
        assert_eq!(iso_week(day("2026-11-30")), "2026-W49");
        assert_eq!(iso_week(day("2027-01-01")), "2026-W53");
    }
}
