//! Signing in, and turning a bearer token back into a caller.

use std::net::IpAddr;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Holder, RateLimited, TokenKind, password};
use crate::db;
use crate::domain::access::Operation;
use crate::domain::ids::{TokenId, UnitId, UserId};
use crate::domain::role::Role;
use crate::service::accounts::users::UserView;
use crate::service::{Desk, ServiceError, new_id, permit};

/// `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "email": "rahmat.hidayat@tojounaunakab.go.id",
    "password": "sandi-Awal-2026!"
})))]
pub struct LoginInput {
    /// The account's address.
    pub email: String,
    /// The account's password.
    #[schema(format = Password)]
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTljMjEzYS02MTAwLTcxYzQtOGI4Zi1hYjE3MDBhOGRiYTEiLCJyb2xlIjoidGllcjEiLCJleHAiOjE3OTYwMDU2ODAsImlhdCI6MTc5NjAwMjA4MCwiaXNzIjoic3BiZS1zZXJ2aWNlZGVzayIsImF1ZCI6InNwYmUtc2VydmljZWRlc2stYXBpIiwianRpIjoiMDFhMjJhMTAtN2E0MC03YjJlLTlmNGMtMmQ4ZTZhMWIzYzU3IiwidHlwIjoiYWNjZXNzIn0.n5ZzhTzpA5BWFNREcAEC01eoyUcCdAt6KXchZwJJy1U",
    "token_type": "Bearer",
    "expires_in": 3600,
    "user": {
        "id": "019c213a-6100-71c4-8b8f-ab1700a8dba1",
        "email": "rahmat.hidayat@tojounaunakab.go.id",
        "name": "Rahmat Hidayat",
        "role": "tier1",
        "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
        "active": true,
        "created_at": "2026-02-03T02:00:00Z",
        "updated_at": "2026-02-03T02:00:00Z"
    }
})))]
pub struct LoginOutput {
    /// The bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The signed-in user.
    pub user: UserView,
}

/// The unit an account belongs to, named.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitName {
    /// Unit id.
    pub id: UnitId,
    /// Short code, e.g. `DINKES`.
    pub code: String,
    /// Full name.
    pub name: String,
}

/// The caller's own account, with its unit named.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "id": "019c213a-6100-71c4-8b8f-ab1700a8dba1",
    "email": "rahmat.hidayat@tojounaunakab.go.id",
    "name": "Rahmat Hidayat",
    "role": "tier1",
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "unit": {"id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8", "code": "DINKES",
             "name": "Dinas Kesehatan"},
    "active": true,
    "created_at": "2026-02-03T02:00:00Z",
    "updated_at": "2026-02-03T02:00:00Z"
})))]
pub struct MeView {
    /// The account.
    #[serde(flatten)]
    pub user: UserView,
    /// Its unit; `null` for a role without one.
    pub unit: Option<UnitName>,
}

impl From<RateLimited> for ServiceError {
    fn from(limit: RateLimited) -> Self {
        Self::RateLimited {
            retry_after_secs: limit.retry_after_secs,
        }
    }
}

impl Desk {
    /// Checks a password and issues an access token. Unknown email, wrong password, a
    /// deactivated account and an integration account all get the same answer, and count as
    /// as a failure of that account from `ip` (see `LoginLimiter`).
    pub fn login(
        &self,
        input: LoginInput,
        ip: Option<IpAddr>,
    ) -> Result<LoginOutput, ServiceError> {
        let email = input.email.trim().to_ascii_lowercase();
        self.login_limits.begin(&email, ip, self.now())?;
        let user = db::users::find_by_email(&mut *self.conn()?, &email)?;
        let password_ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(hash) => password::verify(&input.password, hash),
            None => {
                password::verify_against_nothing(&input.password);
                false
            }
        };
        let (user, generation) = match user {
            Some(user) if password_ok && user.active => {
                let generation = user.credential_generation;
                (UserView::from(user), generation)
            }
            _ => return Err(ServiceError::InvalidCredentials),
        };
        if !user.role.signs_in_with_password() {
            return Err(ServiceError::InvalidCredentials);
        }
        self.login_limits.succeeded(&email, ip);
        let now = self.now();
        let access_token = self
            .jwt
            .issue(
                Holder {
                    user_id: &user.id,
                    role: user.role.as_str(),
                    generation,
                },
                &new_id::<String>(),
                TokenKind::Access,
                now,
                now + Duration::seconds(self.access_token_ttl_secs),
            )
            .map_err(|e| ServiceError::Internal(format!("signing: {e}")))?;
        Ok(LoginOutput {
            access_token,
            token_type: "Bearer",
            expires_in: self.access_token_ttl_secs,
            user,
        })
    }

    /// Resolves a bearer token to the caller it speaks for, re-reading the account (and, for
    /// integration tokens, the token row) so that deactivation and revocation act at once. A
    /// token issued before the account's last role change, deactivation or password change
    /// (an older credential generation), or for another role than the stored one, is refused.
    /// A monitor's token opens no read: only the posting of alerts ([`Desk::authenticate_for`]).
    pub fn authenticate(&self, token: &str) -> Result<Caller, ServiceError> {
        let caller = self.caller_of(token)?;
        if caller.role == Role::Monitoring {
            return Err(ServiceError::Denied(
                Operation::PostAlerts.refusal(Role::Monitoring),
            ));
        }
        Ok(caller)
    }

    /// Resolves the token of a request that will do `operation`, refusing a role that may
    /// never do it: a monitor's token opens the posting of alerts and nothing else.
    pub fn authenticate_for(
        &self,
        token: &str,
        operation: Operation,
    ) -> Result<Caller, ServiceError> {
        let caller = self.caller_of(token)?;
        permit(&caller, operation)?;
        Ok(caller)
    }

    fn caller_of(&self, token: &str) -> Result<Caller, ServiceError> {
        let now = self.now();
        let claims = self.jwt.verify(token, now).map_err(|error| {
            tracing::debug!(%error, "token refused");
            ServiceError::Unauthenticated
        })?;
        let mut conn = self.conn()?;
        let user = db::users::find(&mut conn, &UserId::from(claims.sub.as_str()))?
            .filter(|user| {
                user.active
                    && user.credential_generation == claims.generation
                    && user.role.as_str() == claims.role
            })
            .ok_or(ServiceError::Unauthenticated)?;
        if claims.typ == TokenKind::Integration {
            let live = db::tokens::find(&mut conn, &TokenId::from(claims.jti.as_str()))?
                .is_some_and(|row| {
                    row.user_id == user.id
                        && row.revoked_at.is_none()
                        && row.expires_at > now.into()
                });
            if !live {
                return Err(ServiceError::Unauthenticated);
            }
        }
        Ok(Caller {
            role: user.role,
            user_id: user.id,
            unit_id: user.unit_id,
        })
    }

    /// The caller's own account, with its unit's code and name.
    pub fn me(&self, caller: &Caller) -> Result<MeView, ServiceError> {
        let mut conn = self.conn()?;
        let user = db::users::find(&mut conn, &caller.user_id)?
            .ok_or(ServiceError::NotFound)
            .map(UserView::from)?;
        let unit = match &user.unit_id {
            Some(id) => db::units::find(&mut conn, id)?.map(|unit| UnitName {
                id: unit.id,
                code: unit.code,
                name: unit.name,
            }),
            None => None,
        };
        Ok(MeView { user, unit })
    }
}
