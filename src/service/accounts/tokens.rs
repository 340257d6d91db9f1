//! Long-lived, revocable tokens for integration accounts (the Dinas Tier 2 dashboard).

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::jwt::INTEGRATION_MAX_DAYS;
use crate::auth::{Caller, Holder, TokenKind};
use crate::clock::UtcTime;
use crate::db::models::TokenRow;
use crate::db::{self, write_tx};
use crate::domain::access::Operation;
use crate::domain::ids::{TokenId, UserId};
use crate::service::audit::Actor;
use crate::service::{Desk, ErrorCode, ServiceError, audit, fields, new_id, permit};

const DEFAULT_DAYS: i64 = 90;

/// `POST /users/{id}/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"name": "Dasbor Tier 2", "expires_in_days": 90})))]
pub struct NewToken {
    /// What the token is for, e.g. "Dasbor Tier 2".
    pub name: String,
    /// Lifetime in days, 1 to 730; default 90.
    pub expires_in_days: Option<i64>,
}

/// The answer to token creation: the only time the token itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Token id, for revocation.
    pub id: TokenId,
    /// The bearer token. Store it now: it is not shown again.
    pub token: String,
    /// When it stops working.
    pub expires_at: UtcTime,
}

/// A token as listed (without the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Token id.
    pub id: TokenId,
    /// The integration account.
    pub user_id: UserId,
    /// What it is for.
    pub name: String,
    /// When it stops working.
    pub expires_at: UtcTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<UtcTime>,
    /// Creation time.
    pub created_at: UtcTime,
}

impl From<TokenRow> for TokenView {
    fn from(row: TokenRow) -> Self {
        TokenView {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}

impl Desk {
    /// Issues a token for an active integration account (admin).
    pub fn create_token(
        &self,
        caller: &Caller,
        user_id: &str,
        input: NewToken,
    ) -> Result<CreatedToken, ServiceError> {
        permit(caller, Operation::ManageTokens)?;
        let mut errors = Vec::new();
        let name = fields::text(&mut errors, "name", &input.name, 100);
        let days = input.expires_in_days.unwrap_or(DEFAULT_DAYS);
        if !(1..=INTEGRATION_MAX_DAYS).contains(&days) {
            errors.push(crate::service::FieldError::new(
                "expires_in_days",
                format!("must be between 1 and {INTEGRATION_MAX_DAYS}"),
            ));
        }
        ServiceError::check(errors)?;
        let now = self.now();
        let expires_at = now + Duration::days(days);
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            // Locked, so that a deactivation or role change committing meanwhile either
            // comes first (and this token is refused) or waits (and revokes this token too).
            let user = db::users::lock(conn, &[user_id])?
                .pop()
                .ok_or(ServiceError::NotFound)?;
            if !user.role.is_system() || !user.active {
                let why = if user.role.is_system() {
                    "this account is deactivated; tokens go to active ones only"
                } else {
                    "tokens are issued to integration and monitoring accounts only"
                };
                // The account is the path's `id`.
                return Err(ServiceError::rule(
                    ErrorCode::NotAnIntegrationAccount,
                    "id",
                    why,
                ));
            }
            let row = TokenRow {
                id: new_id(),
                user_id: user.id.clone(),
                name,
                expires_at: expires_at.into(),
                revoked_at: None,
                created_by: Some(caller.user_id.clone()),
                created_at: now.into(),
            };
            db::tokens::insert(conn, &row)?;
            let data = serde_json::json!({"user_id": row.user_id, "name": row.name, "expires_at": row.expires_at});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "token_created", ("token", &row.id), data)?;
            let token = self
                .jwt
                .issue(
                    Holder {
                        user_id: &user.id,
                        role: user.role.as_str(),
                        generation: user.credential_generation,
                    },
                    &row.id,
                    TokenKind::Integration,
                    now,
                    expires_at,
                )
                .map_err(|e| ServiceError::Internal(format!("signing: {e}")))?;
            Ok(CreatedToken {
                id: row.id,
                token,
                expires_at: expires_at.into(),
            })
        })
    }

    /// An account's tokens, newest first (admin).
    pub fn list_tokens(
        &self,
        caller: &Caller,
        user_id: &UserId,
    ) -> Result<Vec<TokenView>, ServiceError> {
        permit(caller, Operation::ManageTokens)?;
        let mut conn = self.conn()?;
        db::users::find(&mut conn, user_id)?.ok_or(ServiceError::NotFound)?;
        Ok(db::tokens::list_for_user(&mut conn, user_id)?
            .into_iter()
            .map(TokenView::from)
            .collect())
    }

    /// Revokes a token: it is refused from the next request on (admin). Revoking twice is
    /// harmless.
    pub fn revoke_token(&self, caller: &Caller, token_id: &TokenId) -> Result<(), ServiceError> {
        permit(caller, Operation::ManageTokens)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let row = db::tokens::find(conn, token_id)?.ok_or(ServiceError::NotFound)?;
            if row.revoked_at.is_none() {
                db::tokens::revoke(conn, token_id, now.into())?;
                let data = serde_json::json!({"user_id": row.user_id});
                let by = Actor::person(caller, now);
                audit::record(conn, by, "token_revoked", ("token", token_id), data)?;
            }
            Ok(())
        })
    }
}
