//! The office dashboard: `GET /api/v1/stats/dashboard` at the office's address, for its
//! coordinators.

use lacznik_http::Problem;
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use super::access::{Reach, no_office, office_address};
use super::csv::{self, Csv};
use super::params::{self, Format};
use super::wire::{Cell, DashboardFigure, DashboardView, KindView, OfficeView, PeriodView};
use super::{Deps, Tag, attachment};
use crate::domain::events::NO_KIND;
use crate::domain::grid::ALL_KINDS;
use crate::domain::period::years;
use crate::offices::Office;
use crate::report::dashboard::{Dashboard, KindFigures, dashboard};
use crate::store::rollups::office_rows;

#[derive(ResponseContent)]
pub enum DashboardBody {
    Json(Json<Box<DashboardView>>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum DashboardResponse {
    /// The dashboard (JSON, or CSV for Excel).
    #[oai(status = 200)]
    Ok(
        DashboardBody,
        #[oai(header = "content-disposition")] Option<String>,
    ),
}

pub struct DashboardApi;

#[OpenApi(prefix_path = "/api/v1/stats", tag = "Tag::Statistics")]
impl DashboardApi {
    /// Coordinators: the office's figures for a period beside the previous period and the same
    /// period a year earlier, for all kinds of help and each kind. Values of 1–4 (and values
    /// that would reveal them) are `{"suppressed": true}`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/dashboard", method = "get", operation_id = "stats_dashboard")]
    async fn dashboard(
        &self,
        db: Data<&TenantDb>,
        deps: Data<&Deps>,
        auth: Bearer,
        /// `month` (default), `quarter` or `year`.
        period: Query<Option<String>>,
        /// First day of the period, `YYYY-MM-DD` (default: the current one).
        start: Query<Option<String>>,
        /// The kind of help of `figures` (catalogue code; default all kinds, `*`).
        kind: Query<Option<String>>,
        /// `json` (default) or `csv`.
        format: Query<Option<String>>,
        accept: Header<Option<String>>,
    ) -> Result<DashboardResponse, Problem> {
        let reach = Reach::of(&auth.0)?;
        let Reach::Office(tenant) = reach else {
            return Err(office_address());
        };
        let mut v = Validator::new();
        let current = params::period(&mut v, period.0.as_deref(), start.0.as_deref());
        let kind = params::kind(&mut v, kind.0.as_deref());
        let format = params::format(&mut v, format.0.as_deref(), accept.0.as_deref());
        v.finish()?;
        let Some(current) = current else {
            return Err(Problem::validation(Vec::new()));
        };
        let offices = deps.offices.with(&tenant.slug).await?;
        let office = offices.get(&tenant.slug).cloned().ok_or_else(no_office)?;

        let (from, to) = years(current.year_ago().year(), current.year());
        let txn = db.begin(tenant.id).await?;
        let rows = office_rows(&txn, from, to).await?;
        txn.commit().await?;
        let board = dashboard(current, &kind, rows);

        Ok(match format {
            Format::Json => DashboardResponse::Ok(
                DashboardBody::Json(Json(Box::new(view(&office, &kind, &board)))),
                None,
            ),
            Format::Csv => DashboardResponse::Ok(
                DashboardBody::Csv(Binary(export(&board))),
                Some(attachment(&format!(
                    "statystyki-{}-{}-{}",
                    office.slug,
                    current.kind.as_str(),
                    current.start
                ))),
            ),
        })
    }
}

/// The Polish name of a kind of help.
pub(super) fn kind_name(kind: &str) -> String {
    match kind {
        ALL_KINDS => "Wszystkie rodzaje pomocy".to_owned(),
        NO_KIND => "Bez rodzaju pomocy".to_owned(),
        k => lacznik_types::catalogue::kind_name(k).map_or_else(|| k.to_owned(), str::to_owned),
    }
}

fn figures(row: &KindFigures) -> Vec<DashboardFigure> {
    row.figures
        .iter()
        .map(|(figure, [now, before, year_ago])| DashboardFigure {
            figure: figure.code().to_owned(),
            label: figure.label().to_owned(),
            unit: figure.unit().to_owned(),
            current: Cell::of(*figure, *now),
            previous: Cell::of(*figure, *before),
            year_ago: Cell::of(*figure, *year_ago),
        })
        .collect()
}

fn view(office: &Office, kind: &str, board: &Dashboard) -> DashboardView {
    let headline = board
        .kinds
        .iter()
        .find(|k| k.kind == kind)
        .map(figures)
        .unwrap_or_default();
    let [current, previous, year_ago] = board.periods.map(PeriodView::from);
    DashboardView {
        office: OfficeView::from(office),
        kind: kind.to_owned(),
        current,
        previous,
        year_ago,
        figures: headline,
        by_kind: board
            .kinds
            .iter()
            .filter(|k| k.kind != ALL_KINDS)
            .map(|k| KindView {
                kind: k.kind.clone(),
                name: kind_name(&k.kind),
                figures: figures(k),
            })
            .collect(),
    }
}

fn export(board: &Dashboard) -> Vec<u8> {
    let mut out = Csv::new();
    let [now, before, year_ago] = board.periods.map(|p| p.label());
    out.row([
        "Rodzaj pomocy".to_owned(),
        "Wskaźnik".to_owned(),
        "Jednostka".to_owned(),
        format!("Okres: {now}"),
        format!("Poprzedni okres: {before}"),
        format!("Rok wcześniej: {year_ago}"),
    ]);
    for row in &board.kinds {
        let name = kind_name(&row.kind);
        for (figure, cells) in &row.figures {
            let [a, b, c] = cells.map(|s| csv::cell(*figure, s));
            out.row([
                name.clone(),
                figure.label().to_owned(),
                figure.unit().to_owned(),
                a,
                b,
                c,
            ]);
        }
    }
    out.into_bytes()
}
