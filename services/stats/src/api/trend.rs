//! An office's monthly series of one figure: `GET /api/v1/stats/offices/{slug}/trend`, for
//! regional and platform admins at the platform's address (cells as in their comparisons) and
//! for the office's own coordinators at its address (cells as on its dashboard).

use std::collections::BTreeMap;

use lacznik_http::Problem;
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_tenancy::TenantDb;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use super::access::{Reach, no_office};
use super::csv::{self, Csv};
use super::params::{self, Format};
use super::wire::{Cell, OfficeView, PeriodView, TrendPoint, TrendView};
use super::{Deps, Tag, attachment};
use crate::domain::figures::Figure;
use crate::domain::grid::Shown;
use crate::domain::period::{Period, years};
use crate::offices::Office;
use crate::report::Rate;
use crate::report::comparison::{own_trend, trend};
use crate::store::rollups::office_rows;

#[derive(ResponseContent)]
pub enum TrendBody {
    Json(Json<TrendView>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum TrendResponse {
    /// The series (JSON, or CSV for Excel).
    #[oai(status = 200)]
    Ok(
        TrendBody,
        #[oai(header = "content-disposition")] Option<String>,
    ),
}

pub struct TrendApi;

#[OpenApi(prefix_path = "/api/v1/stats", tag = "Tag::Statistics")]
impl TrendApi {
    /// Regional admins (offices of their voivodeship), platform admins (any office) and an
    /// office's coordinators (their own): one figure of one office, month by month, with the
    /// rate per 10,000 inhabitants. An office out of reach is 404.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/offices/:slug/trend",
        method = "get",
        operation_id = "stats_office_trend"
    )]
    async fn trend(
        &self,
        db: Data<&TenantDb>,
        deps: Data<&Deps>,
        auth: Bearer,
        slug: Path<String>,
        /// The figure's code, e.g. `active_volunteers`.
        figure: Query<Option<String>>,
        /// How many months (1–120, default 12).
        months: Query<Option<u32>>,
        /// A day of the last month (default: this month).
        end: Query<Option<String>>,
        /// `json` (default) or `csv`.
        format: Query<Option<String>>,
        accept: Header<Option<String>>,
    ) -> Result<TrendResponse, Problem> {
        let reach = Reach::of(&auth.0)?;
        let mut v = Validator::new();
        let figure = params::figure(&mut v, figure.0.as_deref());
        let months = params::months(&mut v, months.0, end.0.as_deref());
        let format = params::format(&mut v, format.0.as_deref(), accept.0.as_deref());
        v.finish()?;
        let (Some(figure), Some(first), Some(last)) = (figure, months.first(), months.last())
        else {
            return Err(Problem::validation(Vec::new()));
        };
        let all = deps.offices.with(&slug.0).await?;
        let office = all
            .get(&slug.0)
            .filter(|o| reach.sees(o))
            .cloned()
            .ok_or_else(no_office)?;
        let (from, to) = years(first.year(), last.year());
        let points = match &reach {
            Reach::Office(tenant) => {
                let txn = db.begin(tenant.id).await?;
                let rows = office_rows(&txn, from, to).await?;
                txn.commit().await?;
                own_trend(&office, figure, &months, rows)
            }
            Reach::Region(_) | Reach::Platform => {
                let members: BTreeMap<String, Vec<Office>> = BTreeMap::from([(
                    office.region_code.clone(),
                    all.in_region(&office.region_code)
                        .into_iter()
                        .cloned()
                        .collect(),
                )]);
                let spanned: Vec<i32> = (first.year()..=last.year()).collect();
                let tables = deps.regional.tables(&members, &spanned).await?;
                trend(&office, figure, &months, &tables)
            }
        };
        Ok(match format {
            Format::Json => {
                TrendResponse::Ok(TrendBody::Json(Json(view(&office, figure, &points))), None)
            }
            Format::Csv => TrendResponse::Ok(
                TrendBody::Csv(Binary(export(figure, &points))),
                Some(attachment(&format!(
                    "trend-{}-{}",
                    office.slug,
                    figure.code()
                ))),
            ),
        })
    }
}

fn view(office: &Office, figure: Figure, points: &[(Period, Shown, Option<Rate>)]) -> TrendView {
    TrendView {
        office: OfficeView::from(office),
        figure: figure.code().to_owned(),
        label: figure.label().to_owned(),
        unit: figure.unit().to_owned(),
        points: points
            .iter()
            .map(|(month, shown, rate)| TrendPoint {
                month: PeriodView::from(*month),
                value: Cell::of(figure, *shown),
                per_10k: Cell::rate(*rate),
            })
            .collect(),
    }
}

fn export(figure: Figure, points: &[(Period, Shown, Option<Rate>)]) -> Vec<u8> {
    let mut out = Csv::new();
    let mut header = vec!["Miesiąc".to_owned(), figure.label().to_owned()];
    if figure.has_rate() {
        header.push(format!("{} na 10 tys. mieszkańców", figure.label()));
    }
    out.row(header);
    for (month, shown, rate) in points {
        let mut row = vec![month.label(), csv::cell(figure, *shown)];
        if figure.has_rate() {
            row.push(csv::rate(*rate));
        }
        out.row(row);
    }
    out.into_bytes()
}
