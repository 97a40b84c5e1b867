//! A small query builder for tables that exist per office and per platform (identity's
//! sessions, links, audit log; notifications' deliveries): the table name comes from the
//! [`Scope`], and office queries add `tenant_id` themselves (on top of row-level security).
//! Placeholders are numbered in the order values are bound, which both PostgreSQL and SQLite
//! accept.

use crate::Scope;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};

pub struct Query {
    sql: String,
    values: Vec<Value>,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub fn sql(mut self, sql: &str) -> Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self.sql.push_str(&format!("${}", self.values.len()));
        self
    }

    /// Appends ` (<placeholder>, …)`, one bound to each of `values`: the list of an `IN`. The
    /// list is padded to a power of two by repeating its last value (which changes nothing an
    /// `IN` means), so lists of any length share a handful of statement shapes, and the
    /// driver's cache of prepared statements serves them instead of preparing each anew.
    pub fn bind_list<V: Into<Value> + Clone>(mut self, values: &[V]) -> Self {
        self = self.sql(" (");
        let padded = values.len().next_power_of_two();
        for i in 0..padded {
            if i > 0 {
                self = self.sql(", ");
            }
            let value = values.get(i).or(values.last());
            if let Some(value) = value {
                self = self.bind(value.clone());
            }
        }
        self.sql(")")
    }

    /// Appends ` AND <alias>tenant_id = $n` for an office scope.
    pub fn in_scope(self, scope: Scope, alias: &str) -> Self {
        match scope.tenant() {
            Some(tenant) => self
                .sql(&format!(" AND {alias}tenant_id = "))
                .bind(tenant.as_uuid()),
            None => self,
        }
    }

    fn statement(self, conn: &impl ConnectionTrait) -> Statement {
        Statement::from_sql_and_values(conn.get_database_backend(), self.sql, self.values)
    }

    pub async fn execute(self, conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
        Ok(conn
            .execute_raw(self.statement(conn))
            .await?
            .rows_affected())
    }

    pub async fn one(self, conn: &impl ConnectionTrait) -> Result<Option<QueryResult>, DbErr> {
        conn.query_one_raw(self.statement(conn)).await
    }

    pub async fn all(self, conn: &impl ConnectionTrait) -> Result<Vec<QueryResult>, DbErr> {
        conn.query_all_raw(self.statement(conn)).await
    }
}

/// `INSERT INTO <scope table> (tenant_id?, cols…) VALUES (…)`.
pub fn insert(scope: Scope, base: &str, columns: Vec<(&str, Value)>) -> Query {
    let mut columns = columns;
    if let Some(tenant) = scope.tenant() {
        columns.insert(0, ("tenant_id", tenant.as_uuid().into()));
    }
    insert_into(&scope.table(base), columns)
}

/// `INSERT INTO <table> (cols…) VALUES (…)`.
pub fn insert_into(table: &str, columns: Vec<(&str, Value)>) -> Query {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let mut query = Query::new(format!(
        "INSERT INTO {table} ({}) VALUES (",
        names.join(", ")
    ));
    for (i, (_, value)) in columns.into_iter().enumerate() {
        if i > 0 {
            query = query.sql(", ");
        }
        query = query.bind(value);
    }
    query.sql(")")
}

/// A value of a column, named as in the query.
pub fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, DbErr> {
    row.try_get::<T>("", column)
}
