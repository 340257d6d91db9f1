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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The default policy of every preset (REGIONS.md), in business time.
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
}
