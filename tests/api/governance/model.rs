//! A service's criticality and closure as a property: random sequences of steps, closures,
//! repairs and ticket records by the owning PD, another PD, Tier 2 and a supervisor, through
//! the real server, held against a small model after every step: who is refused, which step
//! does not follow, where the service stands and whether it takes tickets.

use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use super::service_of;
use crate::support::{Backend, Cast, TestApp, incident};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    OwnTier1,
    OtherTier1,
    Tier2,
    Supervisor,
}

#[derive(Debug, Clone, Copy)]
enum Act {
    Step(&'static str),
    Close,
    Repair,
    Record,
}

/// What the model holds of one service.
#[derive(Debug, Default)]
struct Model {
    /// `ordinary`, `proposed` or `critical`.
    state: &'static str,
    closed: bool,
    steps: usize,
}

impl Model {
    /// The answer the service owes `who` doing `act`, and the model after it.
    fn answer(&mut self, who: Who, act: Act) -> StatusCode {
        use StatusCode as S;
        match act {
            Act::Step(step) => {
                let dinas = step != "proposed";
                let allowed = match who {
                    Who::Supervisor => true,
                    Who::OwnTier1 => !dinas,
                    Who::OtherTier1 | Who::Tier2 => false,
                };
                if !allowed {
                    return S::FORBIDDEN;
                }
                let next = match (self.state, step) {
                    ("ordinary", "proposed") => "proposed",
                    ("proposed", "designated") => "critical",
                    ("proposed", "declined") | ("critical", "revoked") => "ordinary",
                    _ => return S::CONFLICT,
                };
                self.state = next;
                self.steps += 1;
                S::OK
            }
            Act::Close => match (who, self.closed) {
                (Who::Supervisor, false) => {
                    self.closed = true;
                    S::CREATED
                }
                (Who::Supervisor, true) => S::CONFLICT,
                _ => S::FORBIDDEN,
            },
            Act::Repair => match (who, self.closed) {
                (Who::OtherTier1, _) => S::FORBIDDEN,
                (_, true) => {
                    self.closed = false;
                    S::OK
                }
                (_, false) => S::CONFLICT,
            },
            // Only the PD's own Tier 1 records here: the others would be a test of tickets.
            Act::Record if self.closed => S::UNPROCESSABLE_ENTITY,
            Act::Record => S::CREATED,
        }
    }
}

fn acts() -> impl Strategy<Value = Vec<(Who, Act)>> {
    let who = prop_oneof![
        Just(Who::OwnTier1),
        Just(Who::OtherTier1),
        Just(Who::Tier2),
        Just(Who::Supervisor)
    ];
    let act = prop_oneof![
        Just(Act::Step("proposed")),
        Just(Act::Step("designated")),
        Just(Act::Step("declined")),
        Just(Act::Step("revoked")),
        Just(Act::Close),
        Just(Act::Repair),
        Just(Act::Record),
    ];
    prop::collection::vec((who, act), 1..14)
}

fn token(cast: &Cast, who: Who) -> &str {
    match who {
        Who::OwnTier1 => &cast.tier1.token,
        Who::OtherTier1 => &cast.tier1_other_pd.token,
        Who::Tier2 => &cast.tier2.token,
        Who::Supervisor => &cast.supervisor.token,
    }
}

async fn play(app: &TestApp, cast: &Cast, service: &str, acts: &[(Who, Act)]) {
    let mut model = Model {
        state: "ordinary",
        ..Model::default()
    };
    for (n, &(who, act)) in acts.iter().enumerate() {
        let token = token(cast, who);
        let (status, answer) = match act {
            Act::Step(step) => {
                let decree = matches!(step, "designated" | "revoked");
                let mut body = json!({"step": step, "note": "Langkah uji."});
                if decree {
                    body["decree_number"] = json!(format!("SK-{n}"));
                    body["decree_date"] = json!("2026-01-05");
                }
                app.post(
                    &format!("/api/v1/services/{service}/criticality"),
                    token,
                    body,
                )
                .await
            }
            Act::Close => {
                let body = json!({"reason": "Ditutup sementara untuk uji."});
                app.post(&format!("/api/v1/services/{service}/closure"), token, body)
                    .await
            }
            Act::Repair => {
                let body = json!({"note": "Diperbaiki."});
                app.post(&format!("/api/v1/services/{service}/repair"), token, body)
                    .await
            }
            Act::Record => {
                let token = &cast.tier1.token;
                let body = incident(json!({"service_id": service}));
                app.post("/api/v1/tickets", token, body).await
            }
        };
        let who = if matches!(act, Act::Record) {
            Who::OwnTier1
        } else {
            who
        };
        let expected = model.answer(who, act);
        assert_eq!(
            status, expected,
            "step {n} {who:?} {act:?} in {acts:?}: {answer}"
        );
        let (_, standing) = app
            .get(
                &format!("/api/v1/services/{service}/criticality"),
                &cast.auditor.token,
            )
            .await;
        assert_eq!(standing["state"], model.state, "after step {n} of {acts:?}");
        assert_eq!(
            standing["steps"].as_array().map(Vec::len),
            Some(model.steps)
        );
        let (_, shown) = app
            .get(&format!("/api/v1/services/{service}"), &cast.auditor.token)
            .await;
        assert_eq!(shown["critical"], model.state == "critical", "{shown}");
        assert_eq!(shown["closure"].is_object(), model.closed, "{shown}");
    }
}

fn governance_follows_the_model(backend: Backend) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (app, cast) = runtime.block_on(TestApp::spawn_cast(backend));
    let config = ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let services = std::sync::atomic::AtomicUsize::new(0);
    proptest!(config, |(acts in acts())| {
        let n = services.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        runtime.block_on(async {
            let code = format!("SVC{n}");
            let service = service_of(&app, &cast.supervisor.token, &code, &cast.dinkes).await;
            play(&app, &cast, &service, &acts).await;
        });
    });
}

#[test]
fn governance_follows_the_model_on_sqlite() {
    governance_follows_the_model(Backend::Sqlite);
}

#[test]
fn governance_follows_the_model_on_postgres() {
    governance_follows_the_model(Backend::Postgres);
}
