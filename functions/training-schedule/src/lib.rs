//! The daily training run: for every training starting in `reminder_days` days, a reminder
//! e-mail to each enrolled person (through the outbox); for every training under its minimum
//! inside its go/no-go window, a task for its owner. Both are keyed by what they are about, so
//! a replayed or repeated run creates nothing twice.

use chrono::{Duration, NaiveDate, Utc};
use ewokiss_adapters::dynamo::registry as store;
use ewokiss_adapters::dynamo::trainings;
use ewokiss_adapters::dynamo::{StoreError, Table};
use ewokiss_domain::enrolment::EnrolmentStatus;
use ewokiss_domain::history::{ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::TaskId;
use ewokiss_domain::notification::{Notification, NotificationKind};
use ewokiss_domain::task::{Task, TaskStatus};
use ewokiss_domain::time;
use ewokiss_domain::training::Phase;
use serde::{Deserialize, Serialize};

/// The scheduler's input; `today` replays a given day (default: today in Warsaw).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInput {
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub today: Option<NaiveDate>,
    pub reminders_created: u32,
    pub reminders_already_there: u32,
    pub tasks_created: u32,
    pub tasks_already_there: u32,
}

pub struct Schedule {
    pub table: Table,
    pub reminder_days: i64,
}

fn system() -> UserRef {
    UserRef { id: "system".into(), name: "e-WOKiSS (automatycznie)".into() }
}

impl Schedule {
    pub async fn run(&self, input: RunInput) -> Result<RunReport, StoreError> {
        let today = input.today.unwrap_or_else(time::today);
        let mut report = RunReport { today: Some(today), ..Default::default() };
        let reminder_day = today + Duration::days(self.reminder_days);
        for phase in [Phase::Planned, Phase::Recruiting, Phase::Running] {
            let mut cursor: Option<String> = None;
            loop {
                let page = trainings::trainings_in_phase(&self.table, phase, 100, cursor.as_deref()).await?;
                for training in &page.items {
                    let Some(start) = training.starts_on() else { continue };
                    if start < today {
                        continue;
                    }
                    let enrolments = trainings::enrolments_of_training(&self.table, training.id).await?;
                    let enrolled: Vec<_> =
                        enrolments.iter().filter(|e| e.status == EnrolmentStatus::Enrolled).collect();
                    if start == reminder_day && phase != Phase::Planned {
                        for enrolment in &enrolled {
                            // Revision 0: one reminder per enrolment, whatever its later changes.
                            let reminder = Notification::new(
                                NotificationKind::Reminder,
                                training.id,
                                enrolment.id,
                                enrolment.person_id,
                                0,
                                system(),
                                Utc::now(),
                            );
                            match trainings::add_notification(&self.table, &reminder).await {
                                Ok(()) => report.reminders_created += 1,
                                Err(StoreError::ConditionFailed { .. }) => report.reminders_already_there += 1,
                                Err(other) => return Err(other),
                            }
                        }
                    }
                    if training.needs_go_no_go(today, enrolled.len() as u32) {
                        let now = Utc::now();
                        let task = Task {
                            id: TaskId::derived("go-no-go", &training.id.to_string()),
                            title: format!(
                                "Decyzja: czy szkolenie „{}” ({}) się odbędzie? Zapisanych {} przy minimum {}.",
                                training.title,
                                start.format("%d.%m.%Y"),
                                enrolled.len(),
                                training.min_participants
                            ),
                            description: Some("Szkolenie ma mniej zapisanych niż minimum. Zdecyduj: odbywa się, czy je odwołujemy (faza „anulowane” powiadomi zapisanych).".into()),
                            due_on: Some(start - Duration::days(1)),
                            assignee: Some(training.owner.clone()),
                            status: TaskStatus::Open,
                            shared_with_unit: false,
                            links: vec![ObjectRef { kind: ObjectKind::Training, id: training.id.to_string(), label: Some(training.title.clone()) }],
                            created_at: now,
                            created_by: system(),
                            updated_at: now,
                            version: 1,
                        };
                        match store::create_task(&self.table, &task).await {
                            Ok(()) => report.tasks_created += 1,
                            Err(StoreError::ConditionFailed { .. }) => report.tasks_already_there += 1,
                            Err(other) => return Err(other),
                        }
                    }
                }
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        Ok(report)
    }
}
