//! Business calendars: the working windows and holidays SLA clocks count on.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{CalendarRow, HolidayRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::calendar::WorkingHours;
use crate::domain::ids::CalendarId;
use crate::domain::zone::Zone;
use crate::service::audit::Actor;
use crate::service::page::{Page, PageRequest};
use crate::service::{
    Desk, ErrorCode, FieldError, ServiceError, audit, fields, new_id, permit, sla, staff_only,
};

/// A closed local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"date": "2027-02-06", "name": "Tahun Baru Imlek 2578 Kongzili"})))]
pub struct HolidayInput {
    /// The local date, `YYYY-MM-DD`, in the years 2000 to 2100.
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "fields::calendar_date")]
    pub date: NaiveDate,
    /// Its name, e.g. "Hari Raya Idul Fitri".
    pub name: String,
}

/// `POST /calendars` and `PUT /calendars/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
// 24×7 rather than office hours: the spec is YAML, and a YAML 1.1 reader (PyYAML, hence
// schemathesis) takes an unquoted `16:00` for the number 960, so a window with a time from 10:00
// on would reach the server as a number.
#[schema(examples(json!({
    "name": "Layanan 24 jam RSUD",
    "timezone": "Asia/Makassar",
    "always_open": true,
    "working_hours": {},
    "holidays": []
})))]
pub struct CalendarInput {
    /// Name (up to 200 characters).
    pub name: String,
    /// IANA timezone: `Asia/Jakarta` (WIB), `Asia/Makassar` (WITA), `Asia/Jayapura` (WIT).
    pub timezone: String,
    /// 24×7: every hour counts; default `false`.
    #[serde(default)]
    pub always_open: bool,
    /// Windows per weekday, e.g. `{"mon": [["07:30", "16:00"]], "sat": []}`; none given: closed
    /// every day (only sensible with `always_open`).
    #[serde(default)]
    pub working_hours: WorkingHours,
    /// Whole local days closed.
    #[serde(default)]
    pub holidays: Vec<HolidayInput>,
}

/// A calendar as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// Calendar id.
    pub id: CalendarId,
    /// Name.
    pub name: String,
    /// IANA timezone.
    pub timezone: Zone,
    /// 24×7.
    pub always_open: bool,
    /// Windows per weekday.
    pub working_hours: WorkingHours,
    /// Closed local days, by date.
    pub holidays: Vec<HolidayInput>,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// Checks a calendar and returns its normalised name and windows.
fn checked(input: &CalendarInput) -> Result<(String, Zone, WorkingHours), ServiceError> {
    let mut errors = Vec::new();
    let name = fields::text(&mut errors, "name", &input.name, 200);
    let timezone = fields::zone(&mut errors, "timezone", &input.timezone);
    let hours = input
        .working_hours
        .clone()
        .validated()
        .map_err(|e| errors.push(FieldError::new("working_hours", e.to_string())))
        .unwrap_or_default();
    let mut days = BTreeSet::new();
    for (i, holiday) in input.holidays.iter().enumerate() {
        fields::text(
            &mut errors,
            &format!("holidays[{i}].name"),
            &holiday.name,
            200,
        );
        fields::holiday_date(&mut errors, &format!("holidays[{i}].date"), holiday.date);
        if !days.insert(holiday.date) {
            errors.push(FieldError::new(
                format!("holidays[{i}].date"),
                "appears more than once",
            ));
        }
    }
    ServiceError::check(errors)?;
    Ok((name, timezone, hours))
}

fn holiday_row(calendar_id: &str, holiday: &HolidayInput) -> HolidayRow {
    HolidayRow {
        calendar_id: CalendarId::from(calendar_id),
        day: holiday.date.to_string(),
        name: holiday.name.trim().to_owned(),
    }
}

fn load_view(conn: &mut DbConn, row: CalendarRow) -> Result<CalendarView, ServiceError> {
    let holidays = db::calendars::holidays(conn, &row.id)?
        .into_iter()
        .map(|h| {
            h.day
                .parse()
                .map(|date| HolidayInput { date, name: h.name })
                .map_err(|_| ServiceError::Internal(format!("stored holiday {:?}", h.day)))
        })
        .collect::<Result<_, _>>()?;
    Ok(CalendarView {
        working_hours: serde_json::from_str(&row.working_hours)
            .map_err(|e| ServiceError::Internal(format!("stored working hours: {e}")))?,
        id: row.id,
        name: row.name,
        timezone: row.timezone,
        always_open: row.always_open,
        holidays,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

impl Desk {
    /// Adds a calendar (supervisor or admin).
    pub fn create_calendar(
        &self,
        caller: &Caller,
        input: CalendarInput,
    ) -> Result<CalendarView, ServiceError> {
        permit(caller, Operation::ManageCalendars)?;
        let (name, timezone, hours) = checked(&input)?;
        let now = self.now();
        let row = CalendarRow {
            id: new_id(),
            name,
            timezone,
            always_open: input.always_open,
            working_hours: serde_json::to_string(&hours)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            created_at: now.into(),
            updated_at: now.into(),
        };
        let holidays: Vec<HolidayRow> = input
            .holidays
            .iter()
            .map(|h| holiday_row(&row.id, h))
            .collect();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            db::calendars::insert(conn, &row, &holidays)?;
            let data = serde_json::json!({"name": row.name, "timezone": row.timezone});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "calendar_created", ("calendar", &row.id), data)?;
            load_view(conn, row)
        })
    }

    /// Calendars in creation order (any signed-in caller but integrations).
    pub fn list_calendars(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<CalendarView>, ServiceError> {
        staff_only(caller)?;
        let mut conn = self.conn()?;
        let rows = db::calendars::list(&mut conn, page.after_id()?, page.fetch())?;
        page.finish(
            rows,
            |row| row.id.to_string(),
            |row| load_view(&mut conn, row),
        )
    }

    /// One calendar.
    pub fn calendar(&self, caller: &Caller, id: &CalendarId) -> Result<CalendarView, ServiceError> {
        staff_only(caller)?;
        let mut conn = self.conn()?;
        let row = db::calendars::find(&mut conn, id)?.ok_or(ServiceError::NotFound)?;
        load_view(&mut conn, row)
    }

    /// Replaces a calendar's settings and holidays (supervisor or admin).
    pub fn update_calendar(
        &self,
        caller: &Caller,
        id: &CalendarId,
        input: CalendarInput,
    ) -> Result<CalendarView, ServiceError> {
        permit(caller, Operation::ManageCalendars)?;
        let (name, timezone, hours) = checked(&input)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = db::calendars::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let old = sla::load_calendar(conn, id)?;
            row.name = name;
            row.timezone = timezone;
            row.always_open = input.always_open;
            row.working_hours =
                serde_json::to_string(&hours).map_err(|e| ServiceError::Internal(e.to_string()))?;
            row.updated_at = now.into();
            let holidays: Vec<HolidayRow> = input
                .holidays
                .iter()
                .map(|h| holiday_row(&row.id, h))
                .collect();
            db::calendars::replace(conn, &row, &holidays)?;
            let recomputed = sla::recompute_calendar(conn, id, &old, now)?;
            let data = serde_json::json!({"name": row.name, "timezone": row.timezone,
                                   "holidays": holidays.len(), "open_tickets_recomputed": recomputed});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "calendar_updated", ("calendar", &row.id), data)?;
            load_view(conn, row)
        })
        .inspect(|_| {
            self.calendars.forget(id);
            self.sla_bell.ring(None);
        })
    }

    /// Adds a holiday to a calendar (supervisor or admin), e.g. this year's Idul Fitri.
    pub fn add_holiday(
        &self,
        caller: &Caller,
        id: &CalendarId,
        holiday: HolidayInput,
    ) -> Result<CalendarView, ServiceError> {
        permit(caller, Operation::ManageCalendars)?;
        let mut errors = Vec::new();
        fields::text(&mut errors, "name", &holiday.name, 200);
        fields::holiday_date(&mut errors, "date", holiday.date);
        ServiceError::check(errors)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let row = db::calendars::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let day = holiday.date.to_string();
            if db::calendars::holidays(conn, id)?
                .iter()
                .any(|h| h.day == day)
            {
                return Err(ServiceError::rule(
                    ErrorCode::HolidayExists,
                    "date",
                    "is already a holiday of this calendar",
                ));
            }
            let old = sla::load_calendar(conn, id)?;
            db::calendars::add_holiday(conn, &holiday_row(id, &holiday))?;
            let recomputed = sla::recompute_calendar(conn, id, &old, now)?;
            let data = serde_json::json!({"date": day, "name": holiday.name,
                                   "open_tickets_recomputed": recomputed});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "holiday_added", ("calendar", id), data)?;
            load_view(conn, row)
        })
        .inspect(|_| {
            self.calendars.forget(id);
            self.sla_bell.ring(None);
        })
    }
}
