//! Registry use cases shared by the staff API and the extranet API. Each takes the caller,
//! checks what the caller may touch (rules in `ewokiss_domain::access`), calls the domain and
//! writes through the store. Handlers only parse the request and call one of these.

use chrono::Utc;
use ewokiss_domain::access::{Actor, Role};
use ewokiss_domain::errors::FieldError;
use ewokiss_domain::history::{AuditAction, AuditEntry, ContactEvent, NewContactEvent, ObjectKind, ObjectRef, UserRef};
use ewokiss_domain::ids::{PersonId, TaskId, UnitId};
use ewokiss_domain::person::{self, EditScope, Employment, NewPerson, Person, PersonEdit};
use ewokiss_domain::search;
use ewokiss_domain::task::{Task, TaskInput, TaskStatus};
use ewokiss_domain::time;
use ewokiss_domain::unit::{self, Unit, UnitInput, UnitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dynamo::registry::{self as store, ChildUnit, EmploymentChange, SearchEntry, UnitFilter};
use crate::dynamo::{Page, StoreError, Table};
use crate::http::{ApiError, Duplicate, Message};
use crate::keys::SearchKind;

/// A unit as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitView {
    #[serde(flatten)]
    pub unit: Unit,
    /// Member of the association today (Warsaw date).
    pub is_member: bool,
}

impl From<Unit> for UnitView {
    fn from(unit: Unit) -> Self {
        let is_member = unit.membership.is_member_on(time::today());
        Self { unit, is_member }
    }
}

/// A person as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    #[serde(flatten)]
    pub person: Person,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeaveInput {
    /// Last day of work (`YYYY-MM-DD`); today (Warsaw) when absent.
    pub on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveInput {
    pub unit_id: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub units: Vec<SearchEntry>,
    pub persons: Vec<SearchEntry>,
}

pub struct Registry {
    pub table: Table,
}

/// What every HTTP function holds from cold start on: the use cases and the token verifier.
pub struct HttpApp {
    pub registry: Registry,
    pub verifier: crate::auth::Verifier,
    pub links: crate::links::LinkSigner,
}

impl HttpApp {
    pub fn new(sdk: &aws_config::SdkConfig, config: crate::config::HttpConfig) -> Self {
        Self {
            registry: Registry::new(Table::new(sdk, &config.table_name)),
            links: crate::links::LinkSigner::new(config.link_secret.as_bytes()),
            verifier: crate::auth::Verifier::new(config.auth),
        }
    }

    /// Reads the configuration (failing fast with the missing variable's name) and builds the clients.
    pub async fn from_env() -> Result<Self, crate::config::MissingVariable> {
        let config = crate::config::HttpConfig::from_env()?;
        let sdk = crate::config::aws_sdk_config().await;
        Ok(Self::new(&sdk, config))
    }
}

fn not_found_unless<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or(ApiError::NotFound)
}

pub(crate) fn parse_id<T>(
    field: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, ewokiss_domain::values::ValueError>,
) -> Result<T, ApiError> {
    parse(raw).map_err(|error| ApiError::BadRequest(vec![FieldError::from_value(field, &error)]))
}

pub fn unit_id(raw: &str) -> Result<UnitId, ApiError> {
    parse_id("id", raw, UnitId::parse)
}

pub fn person_id(raw: &str) -> Result<PersonId, ApiError> {
    parse_id("id", raw, PersonId::parse)
}

pub fn task_id(raw: &str) -> Result<TaskId, ApiError> {
    parse_id("id", raw, TaskId::parse)
}

/// Refuses anyone but staff (for routes whose use case does not check it itself).
pub fn staff_check(actor: &Actor) -> Result<(), ApiError> {
    staff_only(actor)
}

pub(crate) fn staff_only(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

fn email_taken(existing: &Person, unit_name: Option<String>) -> ApiError {
    ApiError::Duplicate {
        message: Message {
            pl: "Ten adres e-mail ma już aktywna osoba.".into(),
            en: "An active person already has this e-mail address.".into(),
        },
        duplicates: vec![duplicate("email", existing, unit_name)],
    }
}

fn duplicate(kind: &str, person: &Person, unit_name: Option<String>) -> Duplicate {
    Duplicate {
        kind: kind.into(),
        person_id: Some(person.id.to_string()),
        first_name: Some(person.first_name.to_string()),
        last_name: Some(person.last_name.to_string()),
        unit_id: Some(person.unit_id.to_string()),
        unit_name,
        href: format!("/persons/{}", person.id),
    }
}

impl Registry {
    pub fn new(table: Table) -> Self {
        Self { table }
    }

    // ---- units ---------------------------------------------------------------------------

    /// A unit the caller may see: staff any, others only within their own unit's subtree.
    /// Outside the scope the answer is 404, so unit ids of other units do not leak.
    pub async fn unit(&self, actor: &Actor, id: UnitId) -> Result<Unit, ApiError> {
        let unit = not_found_unless(store::get_unit(&self.table, id).await?)?;
        let visible = match actor.role {
            Role::Staff => true,
            Role::UnitAdmin => actor.may_manage_unit(&unit.path()),
            Role::Participant => actor.unit_id == Some(unit.id),
        };
        if visible {
            Ok(unit)
        } else {
            Err(ApiError::NotFound)
        }
    }

    pub async fn list_units(
        &self,
        actor: &Actor,
        filter: &UnitFilter,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<UnitView>, ApiError> {
        staff_only(actor)?;
        Ok(store::list_units(&self.table, filter, limit, cursor).await?.map(UnitView::from))
    }

    async fn parent_for(&self, raw: Option<&str>) -> Result<Option<Unit>, ApiError> {
        let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else { return Ok(None) };
        let id = UnitId::parse(raw).map_err(|error| ApiError::field(FieldError::from_value("parentId", &error)))?;
        let parent = store::get_unit(&self.table, id).await?;
        parent.map(Some).ok_or_else(|| {
            ApiError::field(FieldError::new("parentId", "unknown_unit", "Nie ma takiej jednostki.", "No such unit."))
        })
    }

    pub async fn create_unit(&self, actor: &Actor, input: UnitInput) -> Result<UnitView, ApiError> {
        staff_only(actor)?;
        let parent = self.parent_for(input.parent_id.as_deref()).await?;
        let now = Utc::now();
        let unit = input.create(parent.as_ref(), now)?;
        let audit = AuditEntry::new(actor.as_user_ref(), now, AuditAction::Create, unit::creation_changes(&unit));
        match store::create_unit(&self.table, &unit, &audit).await {
            Err(StoreError::ConditionFailed { label: "teryt" }) => Err(self.teryt_taken(&unit).await),
            other => other.map_err(ApiError::from),
        }?;
        Ok(unit.into())
    }

    async fn teryt_taken(&self, unit: &Unit) -> ApiError {
        let code = unit.teryt.as_ref().map(|t| t.as_str().to_owned()).unwrap_or_default();
        let existing = store::unit_with_teryt(&self.table, &code).await.ok().flatten();
        ApiError::Duplicate {
            message: Message {
                pl: format!("Jednostka z kodem TERYT {code} już istnieje."),
                en: format!("A unit with TERYT code {code} already exists."),
            },
            duplicates: existing
                .map(|id| Duplicate {
                    kind: "teryt".into(),
                    person_id: None,
                    first_name: None,
                    last_name: None,
                    unit_id: Some(id.to_string()),
                    unit_name: None,
                    href: format!("/units/{id}"),
                })
                .into_iter()
                .collect(),
        }
    }

    pub async fn update_unit(&self, actor: &Actor, id: UnitId, input: UnitInput) -> Result<UnitView, ApiError> {
        staff_only(actor)?;
        let current = not_found_unless(store::get_unit(&self.table, id).await?)?;
        if input.version.is_some_and(|v| v != current.version) {
            return Err(ApiError::stale_version());
        }
        let parent_changes = input
            .parent_id
            .as_deref()
            .map(str::trim)
            .map(|raw| raw != current.parent_id.map(|p| p.to_string()).unwrap_or_default());
        let parent = match (&input.parent_id, current.parent_id) {
            (Some(raw), _) => self.parent_for(Some(raw)).await?,
            (None, Some(parent_id)) => store::get_unit(&self.table, parent_id).await?,
            (None, None) => None,
        };
        if parent_changes == Some(true) {
            self.ensure_leaf(&current).await?;
        }
        let (next, changes) = input.update(&current, parent.as_ref(), Utc::now())?;
        let audit = AuditEntry::new(actor.as_user_ref(), next.updated_at, AuditAction::Update, changes);
        match store::update_unit(&self.table, &current, &next, &audit).await {
            Err(StoreError::ConditionFailed { label: "teryt" }) => Err(self.teryt_taken(&next).await),
            other => other.map_err(ApiError::from),
        }?;
        Ok(next.into())
    }

    /// Persons and sub-units carry their unit path; a unit with either is not re-parented
    /// (that would need every path below rewritten) — move its sub-units and persons first.
    async fn ensure_leaf(&self, unit: &Unit) -> Result<(), ApiError> {
        let children = store::unit_children(&self.table, unit.id).await?;
        let persons = store::persons_of_unit(&self.table, &unit.path(), true, true, 1, None).await?;
        if children.is_empty() && persons.items.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Conflict {
                code: "unit_not_empty",
                message: Message {
                    pl: "Jednostki z jednostkami podległymi lub osobami nie można przenieść; najpierw przenieś je."
                        .into(),
                    en: "A unit with sub-units or persons cannot be moved; move them first.".into(),
                },
            })
        }
    }

    pub async fn children(&self, actor: &Actor, id: UnitId) -> Result<Vec<ChildUnit>, ApiError> {
        let unit = self.unit(actor, id).await?;
        self.children_of(&unit).await
    }

    /// Sub-units of a unit the caller has already been allowed to see.
    pub async fn children_of(&self, unit: &Unit) -> Result<Vec<ChildUnit>, ApiError> {
        Ok(store::unit_children(&self.table, unit.id).await?)
    }

    /// Persons of a unit: its own (`subtree` = false) or the whole subtree.
    pub async fn unit_persons(
        &self,
        actor: &Actor,
        unit: &Unit,
        subtree: bool,
        include_left: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<PersonView>, ApiError> {
        if !actor.may_manage_unit(&unit.path()) {
            return Err(ApiError::NotFound);
        }
        let page = store::persons_of_unit(&self.table, &unit.path(), subtree, include_left, limit, cursor).await?;
        let own_name = unit.name.clone();
        let own_id = unit.id;
        Ok(page.map(|person| {
            let unit_name = (person.unit_id == own_id).then(|| own_name.clone());
            PersonView { person, unit_name }
        }))
    }

    // ---- persons -------------------------------------------------------------------------

    /// A person the caller may read; outside the caller's scope: 404.
    pub async fn person(&self, actor: &Actor, id: PersonId) -> Result<Person, ApiError> {
        let person = not_found_unless(store::get_person(&self.table, id).await?)?;
        if actor.may_read_person(person.id, &person.unit_path) {
            Ok(person)
        } else {
            Err(ApiError::NotFound)
        }
    }

    pub async fn person_view(&self, actor: &Actor, id: PersonId) -> Result<PersonView, ApiError> {
        let person = self.person(actor, id).await?;
        let unit_name = store::get_unit(&self.table, person.unit_id).await?.map(|unit| unit.name);
        Ok(PersonView { person, unit_name })
    }

    pub async fn create_person(&self, actor: &Actor, input: NewPerson) -> Result<PersonView, ApiError> {
        let draft = input.parse()?;
        let unit_id = match (draft.unit_id, actor.role) {
            (Some(id), _) => id,
            (None, Role::UnitAdmin) => actor.unit_id.expect("an administrator has a unit claim"),
            (None, _) => return Err(ApiError::field(FieldError::required("unitId"))),
        };
        let unit = store::get_unit(&self.table, unit_id).await?;
        let unit = match unit {
            Some(unit) if actor.may_manage_unit(&unit.path()) => unit,
            Some(_) if actor.role == Role::Participant => return Err(ApiError::Forbidden),
            _ => {
                return Err(ApiError::field(FieldError::new(
                    "unitId",
                    "unknown_unit",
                    "Nie ma takiej jednostki.",
                    "No such unit.",
                )))
            }
        };
        if !draft.confirm_duplicate {
            let same_name = store::same_name_in_unit(&self.table, &unit.path(), &draft.sort_name()).await?;
            if !same_name.is_empty() {
                return Err(ApiError::Duplicate {
                    message: Message {
                        pl: "W tej jednostce pracuje już osoba o tym imieniu i nazwisku. Sprawdź, czy to nie ta sama osoba; jeśli nie — zapisz mimo to.".into(),
                        en: "A person with this name already works in this unit. Check it is not the same person; if not, save anyway.".into(),
                    },
                    duplicates: same_name.iter().map(|p| duplicate("name", p, Some(unit.name.clone()))).collect(),
                });
            }
        }
        let now = Utc::now();
        let (person, employment) = draft.into_person(&unit, now, time::warsaw_date(now));
        let audit = AuditEntry::new(
            actor.as_user_ref(),
            now,
            AuditAction::Create,
            person::creation_changes(&person, &unit.name),
        );
        match store::create_person(&self.table, &person, &employment, &audit).await {
            Err(StoreError::ConditionFailed { label: "email" }) => Err(self.email_conflict(&person).await),
            other => other.map_err(ApiError::from),
        }?;
        Ok(PersonView { person, unit_name: Some(unit.name) })
    }

    async fn email_conflict(&self, person: &Person) -> ApiError {
        let email = person.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default();
        let holder = match store::person_with_email(&self.table, &email).await {
            Ok(Some(id)) => store::get_person(&self.table, id).await.ok().flatten(),
            _ => None,
        };
        match holder {
            Some(holder) => {
                let unit_name = store::get_unit(&self.table, holder.unit_id).await.ok().flatten().map(|u| u.name);
                email_taken(&holder, unit_name)
            }
            None => ApiError::Conflict {
                code: "email_taken",
                message: Message {
                    pl: "Ten adres e-mail ma już aktywna osoba.".into(),
                    en: "An active person already has this e-mail address.".into(),
                },
            },
        }
    }

    pub async fn edit_person(&self, actor: &Actor, id: PersonId, input: PersonEdit) -> Result<PersonView, ApiError> {
        let current = self.person(actor, id).await?;
        if !actor.may_edit_person(current.id, &current.unit_path) {
            return Err(ApiError::NotFound);
        }
        if input.version.is_some_and(|v| v != current.version) {
            return Err(ApiError::stale_version());
        }
        let scope = if actor.role == Role::Participant { EditScope::SelfService } else { EditScope::Full };
        let (next, changes) = input.apply(&current, scope, Utc::now())?;
        let audit = AuditEntry::new(actor.as_user_ref(), next.updated_at, AuditAction::Update, changes);
        match store::update_person(&self.table, &current, &next, EmploymentChange::default(), &audit).await {
            Err(StoreError::ConditionFailed { label: "email" }) => Err(self.email_conflict(&next).await),
            other => other.map_err(ApiError::from),
        }?;
        self.person_view(actor, id).await.map(|view| PersonView { person: next, ..view })
    }

    async fn current_employment(&self, person: &Person) -> Result<Employment, ApiError> {
        store::get_employment(&self.table, person.id, person.employment_id)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("person {} has no current employment record", person.id)))
    }

    pub async fn leave(&self, actor: &Actor, id: PersonId, input: LeaveInput) -> Result<Person, ApiError> {
        let current = self.person(actor, id).await?;
        if !actor.may_manage_unit(&current.unit_path) {
            return Err(ApiError::NotFound);
        }
        let on = match input.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => time::today(),
            Some(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                ApiError::field(FieldError::new(
                    "on",
                    "invalid_date",
                    "Podaj datę w formacie RRRR-MM-DD.",
                    "Use the date format YYYY-MM-DD.",
                ))
            })?,
        };
        let employment = self.current_employment(&current).await?;
        let (next, changes) =
            current.leave(on, employment.from, Utc::now()).map_err(|rule| ApiError::field(rule.field_error()))?;
        let closed = Employment { until: Some(on), ..employment };
        let audit = AuditEntry::new(actor.as_user_ref(), next.updated_at, AuditAction::Leave, changes);
        store::update_person(
            &self.table,
            &current,
            &next,
            EmploymentChange { close: Some(&closed), open: None },
            &audit,
        )
        .await?;
        Ok(next)
    }

    pub async fn move_person(&self, actor: &Actor, id: PersonId, input: MoveInput) -> Result<PersonView, ApiError> {
        let current = self.person(actor, id).await?;
        if !actor.may_manage_unit(&current.unit_path) {
            return Err(ApiError::NotFound);
        }
        let raw_unit = input
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::field(FieldError::required("unitId")))?;
        let target_id = UnitId::parse(raw_unit).map_err(|e| ApiError::field(FieldError::from_value("unitId", &e)))?;
        let target = match store::get_unit(&self.table, target_id).await? {
            Some(unit) if actor.may_manage_unit(&unit.path()) => unit,
            _ => {
                return Err(ApiError::field(FieldError::new(
                    "unitId",
                    "unknown_unit",
                    "Nie ma takiej jednostki.",
                    "No such unit.",
                )))
            }
        };
        let position = match input.position.as_deref() {
            None => None,
            Some(raw) => Some(
                ewokiss_domain::errors::bounded_text(raw, person::POSITION_MAX)
                    .map_err(|e| ApiError::field(FieldError::from_value("position", &e)))?,
            ),
        };
        let employment = self.current_employment(&current).await?;
        let now = Utc::now();
        let today = time::warsaw_date(now);
        let (next, opened, changes) = current
            .move_to(&target, &employment.unit_name, position, today, now)
            .map_err(|rule| ApiError::field(rule.field_error()))?;
        let closed = Employment { until: Some(person::employment_end_for_move(employment.from, today)), ..employment };
        let audit = AuditEntry::new(actor.as_user_ref(), now, AuditAction::Move, changes);
        store::update_person(
            &self.table,
            &current,
            &next,
            EmploymentChange { close: Some(&closed), open: Some(&opened) },
            &audit,
        )
        .await?;
        Ok(PersonView { person: next, unit_name: Some(target.name) })
    }

    pub async fn employments(&self, actor: &Actor, id: PersonId) -> Result<Vec<Employment>, ApiError> {
        self.person(actor, id).await?;
        Ok(store::employments(&self.table, id).await?)
    }

    // ---- history, audit ------------------------------------------------------------------

    pub async fn history(
        &self,
        actor: &Actor,
        kind: ObjectKind,
        id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<ContactEvent>, ApiError> {
        staff_only(actor)?;
        Ok(store::history(&self.table, kind, id, limit, cursor).await?)
    }

    pub async fn audit(
        &self,
        actor: &Actor,
        kind: ObjectKind,
        id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<AuditEntry>, ApiError> {
        staff_only(actor)?;
        Ok(store::audit_trail(&self.table, kind, id, limit, cursor).await?)
    }

    /// A staff note/call/meeting on a unit (optionally naming persons of the unit) or on a
    /// person (then also in the person's unit's history).
    pub async fn add_event(
        &self,
        actor: &Actor,
        on: ObjectRef,
        input: NewContactEvent,
    ) -> Result<ContactEvent, ApiError> {
        staff_only(actor)?;
        let mut links = Vec::new();
        match on.kind {
            ObjectKind::Unit => {
                let unit = not_found_unless(store::get_unit(&self.table, unit_id(&on.id)?).await?)?;
                links.push(ObjectRef {
                    kind: ObjectKind::Unit,
                    id: unit.id.to_string(),
                    label: Some(unit.name.clone()),
                });
                for (index, raw) in input.person_ids.iter().enumerate() {
                    let field = format!("personIds[{index}]");
                    let id =
                        PersonId::parse(raw).map_err(|e| ApiError::field(FieldError::from_value(field.clone(), &e)))?;
                    match store::get_person(&self.table, id).await? {
                        Some(person) if person.unit_path.contains(&unit.id) => links.push(ObjectRef {
                            kind: ObjectKind::Person,
                            id: person.id.to_string(),
                            label: Some(person.full_name()),
                        }),
                        _ => {
                            return Err(ApiError::field(FieldError::new(
                                field,
                                "not_in_unit",
                                "Ta osoba nie należy do jednostki.",
                                "This person does not belong to the unit.",
                            )))
                        }
                    }
                }
            }
            ObjectKind::Person => {
                let person = not_found_unless(store::get_person(&self.table, person_id(&on.id)?).await?)?;
                if !input.person_ids.is_empty() {
                    return Err(ApiError::field(FieldError::new(
                        "personIds",
                        "not_allowed",
                        "Niedozwolone dla osoby.",
                        "Not allowed on a person.",
                    )));
                }
                let unit_name = store::get_unit(&self.table, person.unit_id).await?.map(|u| u.name);
                links.push(ObjectRef {
                    kind: ObjectKind::Person,
                    id: person.id.to_string(),
                    label: Some(person.full_name()),
                });
                links.push(ObjectRef { kind: ObjectKind::Unit, id: person.unit_id.to_string(), label: unit_name });
            }
            _ => return Err(ApiError::NotFound),
        }
        let event = input.into_event(actor.as_user_ref(), Utc::now(), links)?;
        store::record_event(&self.table, &event).await?;
        Ok(event)
    }

    // ---- search --------------------------------------------------------------------------

    pub async fn search(&self, actor: &Actor, query: &str) -> Result<SearchResult, ApiError> {
        staff_only(actor)?;
        let tokens = search::query_tokens(query).map_err(|e| ApiError::field(FieldError::from_value("q", &e)))?;
        let (units, persons) = tokio::try_join!(
            store::search(&self.table, SearchKind::Unit, &tokens, 10),
            store::search(&self.table, SearchKind::Person, &tokens, 20),
        )?;
        Ok(SearchResult { units, persons })
    }

    // ---- tasks ---------------------------------------------------------------------------

    pub async fn remember_staff(&self, actor: &Actor) -> Result<(), ApiError> {
        if actor.is_staff() {
            store::remember_staff_user(&self.table, &actor.as_user_ref()).await?;
        }
        Ok(())
    }

    pub async fn staff_users(&self, actor: &Actor) -> Result<Vec<UserRef>, ApiError> {
        staff_only(actor)?;
        Ok(store::staff_users(&self.table).await?)
    }

    async fn assignee(&self, raw: Option<&str>) -> Result<Option<UserRef>, ApiError> {
        match raw.map(str::trim) {
            Some(id) if !id.is_empty() && id != "me" => Ok(store::staff_user(&self.table, id).await?),
            _ => Ok(None),
        }
    }

    /// Links are checked to exist (units and persons) and labelled.
    async fn resolve_links(&self, links: &[ObjectRef]) -> Result<Vec<ObjectRef>, ApiError> {
        let mut resolved = Vec::new();
        for (index, link) in links.iter().enumerate() {
            let field = format!("links[{index}]");
            let unknown = || {
                ApiError::field(FieldError::new(
                    field.clone(),
                    "unknown_object",
                    "Nie ma takiego obiektu.",
                    "No such object.",
                ))
            };
            let label = match link.kind {
                ObjectKind::Unit => {
                    let id = UnitId::parse(&link.id).map_err(|_| unknown())?;
                    store::get_unit(&self.table, id).await?.ok_or_else(unknown)?.name
                }
                ObjectKind::Person => {
                    let id = PersonId::parse(&link.id).map_err(|_| unknown())?;
                    store::get_person(&self.table, id).await?.ok_or_else(unknown)?.full_name()
                }
                _ => return Err(unknown()),
            };
            resolved.push(ObjectRef { kind: link.kind, id: link.id.clone(), label: Some(label) });
        }
        Ok(resolved)
    }

    pub async fn create_task(&self, actor: &Actor, mut input: TaskInput) -> Result<Task, ApiError> {
        staff_only(actor)?;
        let assignee = self.assignee(input.assignee_id.as_deref()).await?;
        if let Some(links) = input.links.take() {
            input.links = Some(self.resolve_links(&links).await?);
        }
        let lookup = |id: &str| assignee.clone().filter(|user| user.id == id);
        let task = input.create(actor.as_user_ref(), Utc::now(), &lookup)?;
        store::create_task(&self.table, &task).await?;
        Ok(task)
    }

    pub async fn update_task(&self, actor: &Actor, id: TaskId, input: TaskInput) -> Result<Task, ApiError> {
        staff_only(actor)?;
        let current = not_found_unless(store::get_task(&self.table, id).await?)?;
        if input.version.is_some_and(|v| v != current.version) {
            return Err(ApiError::stale_version());
        }
        let assignee = self.assignee(input.assignee_id.as_deref()).await?;
        let lookup = |id: &str| assignee.clone().filter(|user| user.id == id);
        let next = input.update(&current, &actor.as_user_ref(), Utc::now(), &lookup)?;
        store::update_task(&self.table, &current, &next).await?;
        Ok(next)
    }

    pub async fn tasks(
        &self,
        actor: &Actor,
        status: TaskStatus,
        mine: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Task>, ApiError> {
        staff_only(actor)?;
        let page = if mine {
            store::tasks_of_assignee(&self.table, &actor.user_id, status, limit, cursor).await?
        } else {
            store::tasks_by_status(&self.table, status, limit, cursor).await?
        };
        Ok(page)
    }

    pub async fn tasks_of(&self, actor: &Actor, kind: ObjectKind, id: &str) -> Result<Vec<Task>, ApiError> {
        staff_only(actor)?;
        Ok(store::tasks_of_object(&self.table, kind, id).await?)
    }

    /// The open tasks staff share with a unit's administrators (e.g. a bounced address to fix).
    pub async fn unit_shared_tasks(&self, actor: &Actor, id: UnitId) -> Result<Vec<Task>, ApiError> {
        let unit = self.unit(actor, id).await?;
        if !actor.may_manage_unit(&unit.path()) {
            return Err(ApiError::Forbidden);
        }
        let tasks = store::tasks_of_object(&self.table, ObjectKind::Unit, &id.to_string()).await?;
        Ok(tasks.into_iter().filter(|t| t.shared_with_unit && t.status == TaskStatus::Open).collect())
    }
}

/// The `kind` query filter of the unit list.
pub fn unit_kind_param(raw: Option<String>) -> Result<Option<UnitKind>, ApiError> {
    raw.map(|raw| {
        UnitKind::parse(&raw).ok_or_else(|| {
            ApiError::BadRequest(vec![FieldError::new(
                "kind",
                "unknown_unit_kind",
                "Nieznany rodzaj jednostki.",
                "Unknown unit kind.",
            )])
        })
    })
    .transpose()
}
