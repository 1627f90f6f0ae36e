//! Staff tasks (zadania): planned work with a due date and an assignee, linked to any objects.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::history::{ObjectRef, UserRef, BODY_MAX, SUBJECT_MAX};
use crate::ids::TaskId;
use crate::values::ValueError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Open, Self::Done, Self::Cancelled].into_iter().find(|s| s.code() == raw.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<UserRef>,
    pub status: TaskStatus,
    #[serde(default)]
    pub links: Vec<ObjectRef>,
    /// Also shown to the administrators of the linked unit in the extranet (e.g. "the address
    /// of X bounced — please correct it"); staff-only otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared_with_unit: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: UserRef,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `YYYY-MM-DD`; empty string clears it.
    pub due_on: Option<String>,
    /// Cognito subject of a staff user, or `me`; empty string unassigns.
    pub assignee_id: Option<String>,
    pub status: Option<String>,
    /// Objects the task is about (only on create).
    pub links: Option<Vec<ObjectRef>>,
    pub version: Option<u64>,
}

fn parse_due(raw: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ValueError::InvalidDate)
}

/// Resolves an assignee id to a user the caller knows (staff directory); `None` = unknown.
pub type AssigneeLookup<'a> = &'a dyn Fn(&str) -> Option<UserRef>;

impl TaskInput {
    pub fn create(
        self,
        author: UserRef,
        now: DateTime<Utc>,
        assignee: AssigneeLookup,
    ) -> Result<Task, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.required("title", self.title.as_deref(), |s| bounded_text(s, SUBJECT_MAX));
        let description = errors.optional("description", self.description.as_deref(), |s| bounded_text(s, BODY_MAX));
        let due_on = errors.optional("dueOn", self.due_on.as_deref(), parse_due);
        let assignee = resolve_assignee(&mut errors, self.assignee_id.as_deref(), &author, assignee);
        let links = self.links.unwrap_or_default();
        if self.status.is_some() {
            errors.push(FieldError::new(
                "status",
                "not_on_create",
                "Nowe zadanie jest zawsze otwarte.",
                "A new task is always open.",
            ));
        }
        match title {
            Some(title) if errors.is_empty() => Ok(Task {
                id: TaskId::generate(),
                title,
                description,
                due_on,
                assignee: assignee.flatten(),
                status: TaskStatus::Open,
                links,
                shared_with_unit: false,
                created_at: now,
                created_by: author,
                updated_at: now,
                version: 1,
            }),
            _ => Err(errors),
        }
    }

    pub fn update(
        self,
        current: &Task,
        actor: &UserRef,
        now: DateTime<Utc>,
        assignee: AssigneeLookup,
    ) -> Result<Task, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.version.is_none() {
            errors.push(FieldError::required("version"));
        }
        if self.links.is_some() {
            errors.push(FieldError::new(
                "links",
                "not_editable",
                "Powiązań zadania nie można zmieniać.",
                "A task's links cannot be changed.",
            ));
        }
        let mut next = current.clone();
        if let Some(raw) = self.title.as_deref() {
            if let Some(title) = errors.required("title", Some(raw), |s| bounded_text(s, SUBJECT_MAX)) {
                next.title = title;
            }
        }
        if let Some(raw) = self.description.as_deref() {
            next.description = errors.optional("description", Some(raw), |s| bounded_text(s, BODY_MAX));
        }
        if let Some(raw) = self.due_on.as_deref() {
            next.due_on = errors.optional("dueOn", Some(raw), parse_due);
        }
        if let Some(resolved) = resolve_assignee(&mut errors, self.assignee_id.as_deref(), actor, assignee) {
            next.assignee = resolved;
        }
        if let Some(raw) = self.status.as_deref() {
            match TaskStatus::parse(raw) {
                Some(status) => next.status = status,
                None => errors.push(FieldError::new(
                    "status",
                    "unknown_status",
                    "Status musi być jednym z: open, done, cancelled.",
                    "Status must be one of: open, done, cancelled.",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        next.version = current.version + 1;
        next.updated_at = now;
        Ok(next)
    }
}

/// `None` = field absent; `Some(None)` = unassign; `Some(Some(user))` = assign.
fn resolve_assignee(
    errors: &mut ValidationErrors,
    raw: Option<&str>,
    actor: &UserRef,
    lookup: AssigneeLookup,
) -> Option<Option<UserRef>> {
    match raw.map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some("me") => Some(Some(actor.clone())),
        Some(id) if id == actor.id => Some(Some(actor.clone())),
        Some(id) => match lookup(id) {
            Some(user) => Some(Some(user)),
            None => {
                errors.push(FieldError::new(
                    "assigneeId",
                    "unknown_user",
                    "Nie ma takiego pracownika.",
                    "No such staff member.",
                ));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> UserRef {
        UserRef { id: "me-sub".into(), name: "Ewa".into() }
    }

    fn nobody(_: &str) -> Option<UserRef> {
        None
    }

    #[test]
    fn create_assigns_me_and_validates() {
        let task = TaskInput {
            title: Some("Zadzwonić do gminy".into()),
            due_on: Some("2026-12-01".into()),
            assignee_id: Some("me".into()),
            ..Default::default()
        }
        .create(me(), Utc::now(), &nobody)
        .unwrap();
        assert_eq!(task.assignee, Some(me()));
        assert_eq!(task.status, TaskStatus::Open);
        let errors =
            TaskInput { due_on: Some("1.12.2026".into()), assignee_id: Some("ghost".into()), ..Default::default() }
                .create(me(), Utc::now(), &nobody)
                .unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "dueOn", "assigneeId"]);
    }

    #[test]
    fn update_changes_status_and_bumps_version() {
        let task =
            TaskInput { title: Some("T".into()), ..Default::default() }.create(me(), Utc::now(), &nobody).unwrap();
        let done = TaskInput { status: Some("done".into()), version: Some(1), ..Default::default() }
            .update(&task, &me(), Utc::now(), &nobody)
            .unwrap();
        assert_eq!(done.status, TaskStatus::Done);
        assert_eq!(done.version, 2);
        assert!(TaskInput { status: Some("finished".into()), version: Some(1), ..Default::default() }
            .update(&task, &me(), Utc::now(), &nobody)
            .is_err());
    }
}
