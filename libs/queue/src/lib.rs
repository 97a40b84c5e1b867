//! Events leave a service through a transactional outbox: the business change and the event it
//! causes are written in the same transaction, so neither exists without the other. The
//! [`relay`] later moves unpublished rows to Redis Streams. Office events go to the office's
//! `outbox_events` (row-level security applies); platform events to `platform_outbox_events`.
//! Each event carries the W3C trace context of the request that caused it, so the email it
//! becomes belongs to the same trace as the click.

pub mod consumer;
pub mod email;
pub mod poller;
pub mod relay;

use std::collections::HashMap;

use chrono::Utc;
use lacznik_tenancy::{Scope, ScopedTxn};
use opentelemetry::trace::TraceContextExt;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use uuid::Uuid;

/// An event to publish.
#[derive(Debug, Clone)]
pub struct Event<T> {
    /// What happened, dotted, e.g. `identity.invitation.created`.
    pub topic: &'static str,
    pub payload: T,
}

/// Writes `event` into the outbox of the transaction's scope; returns the event's id.
pub async fn enqueue<T: Serialize>(txn: &ScopedTxn, event: &Event<T>) -> Result<Uuid, DbErr> {
    enqueue_in(&**txn, txn.scope(), event).await
}

/// Writes `event` into the outbox of the office of a tenant transaction.
pub async fn enqueue_office<T: Serialize>(
    txn: &lacznik_tenancy::TenantTxn,
    event: &Event<T>,
) -> Result<Uuid, DbErr> {
    enqueue_in(&**txn, Scope::Office(txn.tenant()), event).await
}

/// Writes `event` into the outbox of `scope` on any connection already bound to it.
pub async fn enqueue_in<T: Serialize>(
    conn: &impl ConnectionTrait,
    scope: Scope,
    event: &Event<T>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let payload = serde_json::to_string(&event.payload)
        .map_err(|e| DbErr::Custom(format!("event {} cannot be serialised: {e}", event.topic)))?;
    let mut insert = Query::insert();
    insert.into_table(Alias::new(scope.table("outbox_events")));
    let mut columns = vec![
        Alias::new("id"),
        Alias::new("topic"),
        Alias::new("payload"),
        Alias::new("traceparent"),
        Alias::new("created_at"),
    ];
    let mut values: Vec<sea_orm::sea_query::SimpleExpr> = vec![
        id.into(),
        event.topic.into(),
        payload.into(),
        current_traceparent().into(),
        Utc::now().into(),
    ];
    if let Some(tenant) = scope.tenant() {
        columns.insert(0, Alias::new("tenant_id"));
        values.insert(0, tenant.as_uuid().into());
    }
    insert.columns(columns);
    insert
        .values(values)
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let statement = conn.get_database_backend().build(&insert);
    conn.execute_raw(statement).await?;
    tracing::debug!(topic = event.topic, %id, "event written to the outbox");
    Ok(id)
}

/// The W3C `traceparent` of the current span, if it is part of a trace.
fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut carrier);
    });
    carrier.remove("traceparent")
}

/// Makes `span` part of the trace a `traceparent` names (an event's, a delivery's), so work
/// done later — a worker's email send — appears in the trace of the click that caused it.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent.filter(|t| !t.is_empty()) else {
        return;
    };
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    let context =
        opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&carrier));
    span.set_parent(context);
}
