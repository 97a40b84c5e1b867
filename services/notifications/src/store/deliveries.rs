//! Delivery records: one per email a person should get, unique per event and recipient, so an
//! event ingested twice adds nothing. The sender claims a record before it sends (a lease, so
//! only one sender at a time), and a record already `sent` is never sent again — that check is
//! what turns at-least-once queues into at-most-once mail.

use chrono::{DateTime, Utc};
use lacznik_tenancy::Scope;
use lacznik_tenancy::sql::{Query, get};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};
use uuid::Uuid;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a sender.
    Queued,
    /// Waiting for the recipient's daily digest.
    Held,
    /// A sender has it now.
    Sending,
    /// The relay accepted it.
    Sent,
    /// A temporary failure; it will be tried again at `next_attempt_at`.
    Retrying,
    /// Given up: refused by the relay, too many attempts, or not sendable at all.
    Failed,
    /// Not sent: the address bounced before.
    Suppressed,
    /// Not sent: the recipient does not want this kind of mail.
    Skipped,
    /// Went out inside a daily digest.
    Bundled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Held => "held",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Retrying => "retrying",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
            Self::Skipped => "skipped",
            Self::Bundled => "bundled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Held,
            Self::Sending,
            Self::Sent,
            Self::Retrying,
            Self::Failed,
            Self::Suppressed,
            Self::Skipped,
            Self::Bundled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Sent | Self::Failed | Self::Suppressed | Self::Skipped | Self::Bundled
        )
    }
}

/// A delivery to record.
#[derive(Clone, Debug)]
pub struct NewDelivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub recipient: String,
    pub recipient_name: String,
    pub locale: String,
    pub template: String,
    pub category: &'static str,
    pub tier: u8,
    pub status: Status,
    pub last_error: Option<String>,
    pub payload: String,
    pub message_id: String,
    pub broadcast_id: Option<Uuid>,
    pub resend_of: Option<Uuid>,
    pub traceparent: Option<String>,
}

impl NewDelivery {
    /// Mail the service makes itself — a broadcast, a digest, a resend — queued with its
    /// template's kind and priority, a new id and the Message-ID that goes with it. `payload`
    /// is the email request to render (`template`, `to`, `to_name`, `locale`, `link`, `data`).
    pub fn queued(event_id: Uuid, payload: &serde_json::Value, message_domain: &str) -> Self {
        let text = |key: &str| payload[key].as_str().unwrap_or_default().to_owned();
        let template = text("template");
        let category = crate::kinds::Category::of_template(&template);
        let id = Uuid::now_v7();
        Self {
            id,
            event_id,
            recipient: text("to").to_lowercase(),
            recipient_name: text("to_name"),
            locale: text("locale"),
            category: category.as_str(),
            tier: category.tier(),
            template,
            status: Status::Queued,
            last_error: None,
            payload: payload.to_string(),
            message_id: crate::ingest::message_id(id, message_domain),
            broadcast_id: None,
            resend_of: None,
            traceparent: None,
        }
    }
}

/// A delivery as stored.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub recipient: String,
    pub recipient_name: String,
    pub locale: String,
    pub template: String,
    pub category: String,
    pub tier: u8,
    pub status: Status,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub payload: String,
    pub message_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub resend_of: Option<Uuid>,
    pub broadcast_id: Option<Uuid>,
    pub bundled_into: Option<Uuid>,
    pub traceparent: Option<String>,
}

const COLUMNS: &str = "id, event_id, recipient, recipient_name, locale, template, category, \
                       tier, status, attempts, last_error, payload, message_id, created_at, \
                       updated_at, next_attempt_at, sent_at, resend_of, broadcast_id, bundled_into, \
                       traceparent";

fn from_row(row: &QueryResult) -> Result<Delivery, DbErr> {
    let status: String = get(row, "status")?;
    Ok(Delivery {
        id: get(row, "id")?,
        event_id: get(row, "event_id")?,
        recipient: get(row, "recipient")?,
        recipient_name: get(row, "recipient_name")?,
        locale: get(row, "locale")?,
        template: get(row, "template")?,
        category: get(row, "category")?,
        tier: u8::try_from(get::<i16>(row, "tier")?).unwrap_or(1),
        status: Status::parse(&status)
            .ok_or_else(|| DbErr::Custom(format!("unknown delivery status {status}")))?,
        attempts: get(row, "attempts")?,
        last_error: get(row, "last_error")?,
        payload: get(row, "payload")?,
        message_id: get(row, "message_id")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        next_attempt_at: get(row, "next_attempt_at")?,
        sent_at: get(row, "sent_at")?,
        resend_of: get(row, "resend_of")?,
        broadcast_id: get(row, "broadcast_id")?,
        bundled_into: get(row, "bundled_into")?,
        traceparent: get(row, "traceparent")?,
    })
}

/// Rows per INSERT: under SQLite's and PostgreSQL's limits on bound values.
const INSERT_CHUNK: usize = 400;

/// Records deliveries; those already recorded (same event and recipient) are left as they
/// are. Returns the ones that are new and should be queued now: (id, tier).
pub async fn insert(
    conn: &impl ConnectionTrait,
    scope: Scope,
    deliveries: &[NewDelivery],
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, u8)>, DbErr> {
    let mut queued = Vec::new();
    let table = scope.table("deliveries");
    let tenant_col = if scope.tenant().is_some() {
        "tenant_id, "
    } else {
        ""
    };
    let conflict = if scope.tenant().is_some() {
        "tenant_id, event_id, recipient"
    } else {
        "event_id, recipient"
    };
    for chunk in deliveries.chunks(INSERT_CHUNK) {
        let mut query = Query::new(format!(
            "INSERT INTO {table} ({tenant_col}id, event_id, recipient, recipient_name, locale, \
             template, category, tier, status, attempts, last_error, payload, message_id, \
             created_at, updated_at, enqueued_at, broadcast_id, resend_of, traceparent) VALUES "
        ));
        for (i, d) in chunk.iter().enumerate() {
            query = query.sql(if i == 0 { "(" } else { ", (" });
            if let Some(tenant) = scope.tenant() {
                query = query.bind(tenant.as_uuid()).sql(", ");
            }
            let enqueued = (d.status == Status::Queued).then_some(now);
            let values: [Value; 17] = [
                d.id.into(),
                d.event_id.into(),
                d.recipient.clone().into(),
                d.recipient_name.clone().into(),
                d.locale.clone().into(),
                d.template.clone().into(),
                d.category.into(),
                i16::from(d.tier).into(),
                d.status.as_str().into(),
                0i32.into(),
                d.last_error.clone().into(),
                d.payload.clone().into(),
                d.message_id.clone().into(),
                now.into(),
                now.into(),
                enqueued.into(),
                d.broadcast_id.into(),
            ];
            for (j, value) in values.into_iter().enumerate() {
                if j > 0 {
                    query = query.sql(", ");
                }
                query = query.bind(value);
            }
            query = query
                .sql(", ")
                .bind(d.resend_of)
                .sql(", ")
                .bind(d.traceparent.clone())
                .sql(")");
        }
        query = query.sql(&format!(
            " ON CONFLICT ({conflict}) DO NOTHING RETURNING id, tier, status"
        ));
        for row in query.all(conn).await? {
            let status: String = get(&row, "status")?;
            if status == Status::Queued.as_str() {
                queued.push((
                    get(&row, "id")?,
                    u8::try_from(get::<i16>(&row, "tier")?).unwrap_or(1),
                ));
            }
        }
    }
    Ok(queued)
}

/// Takes the given deliveries for sending — those waiting, due, and not held by another
/// sender whose lease is still running — and holds them until `lease_until`.
pub async fn claim(
    conn: &impl ConnectionTrait,
    scope: Scope,
    ids: &[Uuid],
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Vec<Delivery>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let table = scope.table("deliveries");
    let query = Query::new(format!(
        "UPDATE {table} SET status = 'sending', attempts = attempts + 1, lease_until = "
    ))
    .bind(lease_until)
    .sql(", updated_at = ")
    .bind(now)
    .sql(" WHERE id IN");
    let query = query.bind_list(ids)
        .sql(" AND ((status IN ('queued', 'retrying') AND (next_attempt_at IS NULL OR next_attempt_at <= ")
        .bind(now)
        .sql(")) OR (status = 'sending' AND lease_until < ")
        .bind(now)
        .sql("))")
        .in_scope(scope, "")
        .sql(&format!(" RETURNING {COLUMNS}"));
    query.all(conn).await?.iter().map(from_row).collect()
}

/// The status of each of `ids` (those that exist).
pub async fn statuses(
    conn: &impl ConnectionTrait,
    scope: Scope,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Status)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::new(format!(
        "SELECT id, status FROM {} WHERE id IN",
        scope.table("deliveries")
    ));
    let rows = query.bind_list(ids).in_scope(scope, "").all(conn).await?;
    rows.iter()
        .map(|row| {
            let status: String = get(row, "status")?;
            Ok((
                get(row, "id")?,
                Status::parse(&status).unwrap_or(Status::Queued),
            ))
        })
        .collect()
}

/// What became of a claimed delivery.
#[derive(Clone, Debug)]
pub enum Recorded {
    Sent,
    /// Not sent, and never will be: suppressed, skipped, or held for the digest.
    NotSent {
        status: Status,
        reason: String,
    },
    /// A temporary failure; again at `at`.
    Retry {
        at: DateTime<Utc>,
        reason: String,
    },
    /// Given up.
    Failed {
        reason: String,
        permanent: bool,
    },
}

/// Writes outcomes: the new status of each delivery and, for failures, the attempt.
pub async fn record(
    conn: &impl ConnectionTrait,
    scope: Scope,
    outcomes: &[(Uuid, i32, Recorded)],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let table = scope.table("deliveries");
    let sent: Vec<Uuid> = outcomes
        .iter()
        .filter(|(_, _, r)| matches!(r, Recorded::Sent))
        .map(|(id, _, _)| *id)
        .collect();
    if !sent.is_empty() {
        let query = Query::new(format!(
            "UPDATE {table} SET status = 'sent', lease_until = NULL, last_error = NULL, \
             next_attempt_at = NULL, sent_at = "
        ))
        .bind(now)
        .sql(", updated_at = ")
        .bind(now)
        .sql(" WHERE id IN");
        query
            .bind_list(&sent)
            .in_scope(scope, "")
            .execute(conn)
            .await?;
    }
    for (id, attempt, outcome) in outcomes {
        let (status, reason, next, failure) = match outcome {
            Recorded::Sent => continue,
            Recorded::NotSent { status, reason } => (*status, reason, None, None),
            Recorded::Retry { at, reason } => {
                (Status::Retrying, reason, Some(*at), Some("temporary"))
            }
            Recorded::Failed { reason, permanent } => (
                Status::Failed,
                reason,
                None,
                Some(if *permanent { "permanent" } else { "temporary" }),
            ),
        };
        Query::new(format!("UPDATE {table} SET status = "))
            .bind(status.as_str())
            .sql(", lease_until = NULL, last_error = ")
            .bind(reason.clone())
            .sql(", next_attempt_at = ")
            .bind(next)
            .sql(", enqueued_at = ")
            .bind(next)
            .sql(", updated_at = ")
            .bind(now)
            .sql(" WHERE id = ")
            .bind(*id)
            .in_scope(scope, "")
            .execute(conn)
            .await?;
        if let Some(outcome) = failure {
            lacznik_tenancy::sql::insert(
                scope,
                "delivery_attempts",
                vec![
                    ("id", Uuid::now_v7().into()),
                    ("delivery_id", (*id).into()),
                    ("attempt", (*attempt).into()),
                    ("at", now.into()),
                    ("outcome", outcome.into()),
                    ("detail", reason.clone().into()),
                ],
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// What a delivery's content is replaced with once it is no longer kept.
pub const FORGOTTEN: &str = "{}";

/// Replaces the content (the email request: names, addresses, links, the office's words) of
/// deliveries that were finished and created before `before` with [`FORGOTTEN`]; the log entry
/// stays — recipient, kind, status, attempts, reasons, Message-ID. Returns how many.
pub async fn forget_content(
    conn: &impl ConnectionTrait,
    scope: Scope,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let table = scope.table("deliveries");
    Query::new(format!(
        "UPDATE {table} SET payload = '{FORGOTTEN}' WHERE status IN ('sent', 'failed', \
         'suppressed', 'skipped', 'bundled') AND payload <> '{FORGOTTEN}' AND created_at < "
    ))
    .bind(before)
    .in_scope(scope, "")
    .execute(conn)
    .await
}

/// Deliveries whose send job may have been lost (Redis restarted empty, a push failed after
/// the commit, a sender died holding it): waiting or due longer than `stale`, or leased and
/// abandoned. Marks them queued again now and returns them to be pushed: (id, tier).
pub async fn requeue_stale(
    conn: &impl ConnectionTrait,
    scope: Scope,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(Uuid, u8)>, DbErr> {
    let table = scope.table("deliveries");
    let rows = Query::new(format!(
        "SELECT id, tier FROM {table} WHERE ((status IN ('queued', 'retrying') \
         AND coalesce(enqueued_at, created_at) < "
    ))
    .bind(stale_before)
    .sql(") OR (status = 'sending' AND lease_until < ")
    .bind(stale_before)
    .sql("))")
    .in_scope(scope, "")
    .sql(" ORDER BY id LIMIT ")
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .all(conn)
    .await?;
    let found: Vec<(Uuid, u8)> = rows
        .iter()
        .map(|row| {
            Ok((
                get(row, "id")?,
                u8::try_from(get::<i16>(row, "tier")?).unwrap_or(1),
            ))
        })
        .collect::<Result<_, DbErr>>()?;
    if !found.is_empty() {
        let ids: Vec<Uuid> = found.iter().map(|(id, _)| *id).collect();
        let query = Query::new(format!("UPDATE {table} SET enqueued_at = "))
            .bind(now)
            .sql(" WHERE id IN");
        query
            .bind_list(&ids)
            .in_scope(scope, "")
            .execute(conn)
            .await?;
    }
    Ok(found)
}

/// Filters for the delivery log.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub status: Option<Status>,
    pub template: Option<String>,
    pub recipient: Option<String>,
    pub broadcast: Option<Uuid>,
    /// Only deliveries older than this one (paging, newest first).
    pub before: Option<Uuid>,
    pub limit: u64,
}

/// The log, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    scope: Scope,
    filter: &LogFilter,
) -> Result<Vec<Delivery>, DbErr> {
    let mut query = Query::new(format!(
        "SELECT {COLUMNS} FROM {} WHERE 1 = 1",
        scope.table("deliveries")
    ))
    .in_scope(scope, "");
    if let Some(status) = filter.status {
        query = query.sql(" AND status = ").bind(status.as_str());
    }
    if let Some(template) = &filter.template {
        query = query.sql(" AND template = ").bind(template.clone());
    }
    if let Some(recipient) = &filter.recipient {
        query = query
            .sql(" AND recipient = ")
            .bind(recipient.to_lowercase());
    }
    if let Some(broadcast) = filter.broadcast {
        query = query.sql(" AND broadcast_id = ").bind(broadcast);
    }
    if let Some(before) = filter.before {
        query = query.sql(" AND id < ").bind(before);
    }
    query = query
        .sql(" ORDER BY id DESC LIMIT ")
        .bind(i64::try_from(filter.limit).unwrap_or(100));
    query.all(conn).await?.iter().map(from_row).collect()
}

/// One delivery.
pub async fn get_one(
    conn: &impl ConnectionTrait,
    scope: Scope,
    id: Uuid,
) -> Result<Option<Delivery>, DbErr> {
    Query::new(format!(
        "SELECT {COLUMNS} FROM {} WHERE id = ",
        scope.table("deliveries")
    ))
    .bind(id)
    .in_scope(scope, "")
    .one(conn)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// A failed attempt, for the log.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub attempt: i32,
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub detail: String,
}

/// The failed attempts of a delivery, oldest first.
pub async fn attempts(
    conn: &impl ConnectionTrait,
    scope: Scope,
    delivery: Uuid,
) -> Result<Vec<Attempt>, DbErr> {
    Query::new(format!(
        "SELECT attempt, at, outcome, detail FROM {} WHERE delivery_id = ",
        scope.table("delivery_attempts")
    ))
    .bind(delivery)
    .in_scope(scope, "")
    .sql(" ORDER BY at, attempt")
    .all(conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Attempt {
            attempt: get(row, "attempt")?,
            at: get(row, "at")?,
            outcome: get(row, "outcome")?,
            detail: get(row, "detail")?,
        })
    })
    .collect()
}

/// Counts by status of a broadcast's deliveries.
pub async fn broadcast_counts(
    conn: &impl ConnectionTrait,
    scope: Scope,
    broadcast: Uuid,
) -> Result<Vec<(Status, i64)>, DbErr> {
    Query::new(format!(
        "SELECT status, count(*) AS n FROM {} WHERE broadcast_id = ",
        scope.table("deliveries")
    ))
    .bind(broadcast)
    .in_scope(scope, "")
    .sql(" GROUP BY status ORDER BY status")
    .all(conn)
    .await?
    .iter()
    .map(|row| {
        let status: String = get(row, "status")?;
        Ok((
            Status::parse(&status).unwrap_or(Status::Queued),
            get(row, "n")?,
        ))
    })
    .collect()
}

/// Deliveries held for a daily digest, by recipient (oldest first).
pub async fn held(conn: &impl ConnectionTrait, scope: Scope) -> Result<Vec<Delivery>, DbErr> {
    Query::new(format!(
        "SELECT {COLUMNS} FROM {} WHERE status = 'held'",
        scope.table("deliveries")
    ))
    .in_scope(scope, "")
    .sql(" ORDER BY recipient, created_at")
    .all(conn)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Marks held deliveries as gone out inside the digest `into`.
pub async fn bundle(
    conn: &impl ConnectionTrait,
    scope: Scope,
    ids: &[Uuid],
    into: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let query = Query::new(format!(
        "UPDATE {} SET status = 'bundled', bundled_into = ",
        scope.table("deliveries")
    ))
    .bind(into)
    .sql(", updated_at = ")
    .bind(now)
    .sql(" WHERE status = 'held' AND id IN");
    query
        .bind_list(ids)
        .in_scope(scope, "")
        .execute(conn)
        .await?;
    Ok(())
}
