use super::*;

#[test]
fn the_itil_matrix() {
    use Level::{High as H, Low as L, Medium as M};
    let cases = [
        (H, H, Priority::Critical),
        (H, M, Priority::High),
        (M, H, Priority::High),
        (H, L, Priority::Medium),
        (L, H, Priority::Medium),
        (M, M, Priority::Medium),
        (M, L, Priority::Low),
        (L, M, Priority::Low),
        (L, L, Priority::Low),
    ];
    for (impact, urgency, expected) in cases {
        assert_eq!(
            priority(impact, urgency, false),
            expected,
            "{impact}/{urgency}"
        );
    }
}

#[test]
fn a_security_incident_is_at_least_high() {
    assert_eq!(priority(Level::Low, Level::Low, true), Priority::High);
    assert_eq!(priority(Level::High, Level::High, true), Priority::Critical);
}

/// The whole action table: every action from every status at every tier, by each kind of
/// worker, against an independent statement of the rules.
#[test]
fn every_move_of_the_action_table() {
    use Status::*;
    let expected = |action: Action, status: Status, tier: Tier| -> Option<(Status, Tier)> {
        let open = status.is_open();
        match action {
            Action::Acknowledge if status == New => Some((InProgress, tier)),
            Action::Assign if open => Some((status, tier)),
            Action::Pend if matches!(status, New | InProgress) => Some((Pending, tier)),
            Action::Resume if status == Pending => Some((InProgress, tier)),
            Action::Escalate if status == Pending && tier == Tier::One => {
                Some((InProgress, Tier::Two))
            }
            Action::Escalate if open && tier == Tier::One => Some((status, Tier::Two)),
            Action::Return if open && tier == Tier::Two => Some((InProgress, Tier::One)),
            Action::Resolve if matches!(status, New | InProgress | Pending) => {
                Some((Resolved, tier))
            }
            Action::Reopen if status == Resolved => Some((InProgress, tier)),
            Action::Close if status == Resolved => Some((Closed, tier)),
            Action::Cancel if open => Some((Cancelled, tier)),
            _ => None,
        }
    };
    for action in Action::ALL {
        for status in Status::ALL {
            for tier in [Tier::One, Tier::Two] {
                for worker in [Worker::Tier1OfThePd, Worker::Tier2, Worker::Reader] {
                    let got = decide(*action, *status, tier, worker);
                    let may_try = match action {
                        Action::Return => worker == Worker::Tier2,
                        Action::Escalate => worker != Worker::Reader,
                        _ => worker.works(tier),
                    };
                    match (may_try, expected(*action, *status, tier)) {
                        (false, _)
                            if worker == Worker::Tier1OfThePd && *action == Action::Escalate =>
                        {
                            assert!(matches!(got, Err(Refusal::InvalidTransition { .. })))
                        }
                        (false, _) => assert!(
                            matches!(got, Err(Refusal::Forbidden(_))),
                            "{action} {status} {tier:?} {worker:?}"
                        ),
                        (true, Some((to, to_tier))) => assert_eq!(
                            got,
                            Ok(Move {
                                status: to,
                                tier: to_tier
                            }),
                            "{action} {status} {tier:?} {worker:?}"
                        ),
                        (true, None) => assert!(
                            matches!(got, Err(Refusal::InvalidTransition { .. })),
                            "{action} {status} {tier:?} {worker:?}: {got:?}"
                        ),
                    }
                }
            }
        }
    }
}

#[test]
fn tier1_cannot_resolve_an_escalated_ticket_but_tier2_can() {
    let refused = decide(
        Action::Resolve,
        Status::InProgress,
        Tier::Two,
        Worker::Tier1OfThePd,
    );
    assert_eq!(refused, Err(Refusal::Forbidden(Forbidden::AtTierTwo)));
    let allowed = decide(
        Action::Resolve,
        Status::InProgress,
        Tier::Two,
        Worker::Tier2,
    );
    assert_eq!(allowed.map(|m| m.status), Ok(Status::Resolved));
}

#[test]
fn tier2_takes_over_a_tier1_ticket_and_hands_it_back() {
    let taken = decide(Action::Escalate, Status::New, Tier::One, Worker::Tier2).expect("take over");
    assert_eq!((taken.status, taken.tier), (Status::New, Tier::Two));
    let back = decide(Action::Return, Status::New, Tier::Two, Worker::Tier2).expect("return");
    assert_eq!((back.status, back.tier), (Status::InProgress, Tier::One));
    assert_eq!(
        decide(
            Action::Return,
            Status::InProgress,
            Tier::Two,
            Worker::Tier1OfThePd
        ),
        Err(Refusal::Forbidden(Forbidden::OnlyTierTwoReturns))
    );
}

#[test]
fn readers_change_nothing() {
    for action in Action::ALL {
        assert_eq!(
            decide(*action, Status::New, Tier::One, Worker::Reader),
            Err(Refusal::Forbidden(Forbidden::NotAWorker))
        );
    }
}

#[test]
fn the_possible_moves_are_those_decide_allows() {
    use Action::*;
    let moves = |status, tier, worker| possible_moves(status, tier, worker);
    assert_eq!(
        moves(Status::Resolved, Tier::One, Worker::Tier1OfThePd),
        [Reopen, Close]
    );
    assert_eq!(
        moves(Status::New, Tier::One, Worker::Tier2),
        [Escalate],
        "Tier 2 takes a tier-1 ticket over before working it"
    );
    assert_eq!(
        moves(Status::Pending, Tier::Two, Worker::Tier2),
        [Assign, Resume, Return, Resolve, Cancel]
    );
    assert!(moves(Status::InProgress, Tier::Two, Worker::Tier1OfThePd).is_empty());
    assert!(moves(Status::New, Tier::One, Worker::Reader).is_empty());
    assert!(moves(Status::Closed, Tier::One, Worker::Tier1OfThePd).is_empty());
}

#[test]
fn a_tier1_user_of_another_pd_is_a_reader() {
    assert_eq!(Worker::of(Role::Tier1, Some("a"), "b"), Worker::Reader);
    assert_eq!(
        Worker::of(Role::Tier1, Some("a"), "a"),
        Worker::Tier1OfThePd
    );
    assert_eq!(Worker::of(Role::Supervisor, None, "a"), Worker::Tier2);
    assert_eq!(Worker::of(Role::Auditor, None, "a"), Worker::Reader);
}
