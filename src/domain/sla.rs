//! SLA targets: one per priority, with the rules that keep them coherent.

use super::text_enum::text_enum;

text_enum! {
    /// Ticket priority, from impact × urgency (ITIL matrix).
    pub enum Priority {
        /// Highest.
        Critical = "critical",
        /// Second.
        High = "high",
        /// Third.
        Medium = "medium",
        /// Lowest.
        Low = "low",
    }
}

/// The SLA a policy sets for one priority, in business seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlaTarget {
    /// The priority this target is for.
    pub priority: Priority,
    /// Time to first response.
    pub response_seconds: i64,
    /// Tier 1's window before automatic escalation; `None` never escalates by itself.
    pub tier1_seconds: Option<i64>,
    /// Time to resolution.
    pub resolution_seconds: i64,
    /// When a warning is raised, as a percentage of each target.
    pub warn_at_percent: i32,
}

/// The longest target: a year of business time (365 days of seconds). A longer one is no
/// promise a service desk keeps, and it would take business-time arithmetic past any calendar.
pub const MAX_TARGET_SECONDS: i64 = 365 * 86_400;

/// What is wrong with a set of targets, by target index and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    /// Index in the submitted list, or `None` for the list as a whole.
    pub index: Option<usize>,
    /// The field at fault.
    pub field: &'static str,
    /// A sentence for the caller.
    pub message: String,
}

/// Checks a policy's targets: one per priority, positive and at most `MAX_TARGET_SECONDS`,
/// `response <= resolution`, `tier1 <= resolution`, warning between 1 and 99 percent.
pub fn validate_targets(targets: &[SlaTarget]) -> Vec<TargetError> {
    let mut errors = Vec::new();
    let mut at = |index, field, message: String| {
        errors.push(TargetError {
            index,
            field,
            message,
        })
    };
    for (i, target) in targets.iter().enumerate() {
        for (field, value) in [
            ("response_seconds", Some(target.response_seconds)),
            ("tier1_seconds", target.tier1_seconds),
            ("resolution_seconds", Some(target.resolution_seconds)),
        ] {
            if value.is_some_and(|v| v <= 0) {
                at(
                    Some(i),
                    field,
                    "must be a positive number of seconds".into(),
                );
            } else if value.is_some_and(|v| v > MAX_TARGET_SECONDS) {
                at(
                    Some(i),
                    field,
                    format!("must be at most {MAX_TARGET_SECONDS} seconds (365 days)"),
                );
            }
        }
        if target.response_seconds > target.resolution_seconds {
            at(
                Some(i),
                "response_seconds",
                "must not exceed resolution_seconds".into(),
            );
        }
        if target
            .tier1_seconds
            .is_some_and(|t| t > target.resolution_seconds)
        {
            at(
                Some(i),
                "tier1_seconds",
                "must not exceed resolution_seconds".into(),
            );
        }
        if !(1..=99).contains(&target.warn_at_percent) {
            at(
                Some(i),
                "warn_at_percent",
                "must be between 1 and 99".into(),
            );
        }
        if targets[..i].iter().any(|t| t.priority == target.priority) {
            at(
                Some(i),
                "priority",
                format!("{} appears more than once", target.priority),
            );
        }
    }
    for priority in Priority::ALL {
        if !targets.iter().any(|t| t.priority == *priority) {
            at(
                None,
                "targets",
                format!("a target for {priority} is missing"),
            );
        }
    }
    errors
}

/// The default policy of every preset (docs/presets.md), in business time.
pub fn default_targets() -> Vec<SlaTarget> {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 3600;
    let target = |priority, response, tier1, resolution| SlaTarget {
        priority,
        response_seconds: response,
        tier1_seconds: Some(tier1),
        resolution_seconds: resolution,
        warn_at_percent: 75,
    };
    vec![
        target(Priority::Critical, 15 * MINUTE, HOUR, 4 * HOUR),
        target(Priority::High, 30 * MINUTE, 2 * HOUR, 8 * HOUR),
        target(Priority::Medium, 2 * HOUR, 8 * HOUR, 24 * HOUR),
        target(Priority::Low, 4 * HOUR, 16 * HOUR, 40 * HOUR),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_targets_cover_every_priority_once_and_escalate_before_resolution() {
        let targets = default_targets();
        for priority in Priority::ALL {
            assert_eq!(
                targets.iter().filter(|t| t.priority == *priority).count(),
                1
            );
        }
        for t in &targets {
            assert!(t.response_seconds <= t.resolution_seconds);
            assert!(t.tier1_seconds.is_some_and(|w| w <= t.resolution_seconds));
        }
    }
    #[test]
    fn default_targets_are_valid() {
        assert_eq!(validate_targets(&default_targets()), vec![]);
    }

    #[test]
    fn response_longer_than_resolution_is_refused() {
        let mut targets = default_targets();
        targets[0].response_seconds = targets[0].resolution_seconds + 1;
        targets[1].tier1_seconds = Some(targets[1].resolution_seconds + 1);
        let errors = validate_targets(&targets);
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.index, e.field))
                .collect::<Vec<_>>(),
            vec![(Some(0), "response_seconds"), (Some(1), "tier1_seconds")]
        );
    }

    #[test]
    fn every_priority_needs_exactly_one_target() {
        let mut targets = default_targets();
        targets[3].priority = Priority::Critical;
        let fields: Vec<_> = validate_targets(&targets)
            .into_iter()
            .map(|e| (e.index, e.field))
            .collect();
        assert_eq!(fields, vec![(Some(3), "priority"), (None, "targets")]);
    }

    #[test]
    fn targets_longer_than_a_year_are_refused() {
        let mut targets = default_targets();
        targets[0].resolution_seconds = 100_000_000_000_000_000;
        targets[1].tier1_seconds = Some(MAX_TARGET_SECONDS + 1);
        targets[2].resolution_seconds = MAX_TARGET_SECONDS;
        let fields: Vec<_> = validate_targets(&targets)
            .into_iter()
            .map(|e| (e.index, e.field))
            .collect();
        assert_eq!(
            fields,
            vec![
                (Some(0), "resolution_seconds"),
                (Some(1), "tier1_seconds"),
                (Some(1), "tier1_seconds"),
            ],
            "too long, and longer than the resolution target"
        );
    }

    #[test]
    fn a_null_tier1_window_is_allowed() {
        let mut targets = default_targets();
        targets[2].tier1_seconds = None;
        assert!(validate_targets(&targets).is_empty());
    }
}
