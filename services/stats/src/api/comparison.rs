//! Offices side by side, for regional and platform admins at the platform's address:
//! `GET /api/v1/stats/regions/{code}/comparison` (a voivodeship, with its total) and
//! `POST /api/v1/stats/comparison` (a chosen set of offices, without a total).

use std::collections::{BTreeMap, HashSet};

use lacznik_http::Problem;
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_types::RegionCode;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, ResponseContent};

use super::access::{Reach, admins_only, no_office, region_forbidden};
use super::csv::{self, Csv};
use super::params::{self, Format};
use super::wire::{
    Cell, ComparedFigureView, ComparedOfficeView, ComparisonRequest, ComparisonView, OfficeView,
    PeriodView, RegionView, SummaryView,
};
use super::{Deps, Tag, attachment};
use crate::domain::figures::Figure;
use crate::domain::period::Period;
use crate::offices::{Office, Offices};
use crate::report::comparison::{Comparison, compare};
use crate::report::rate;

/// The JSON is written straight from the answer's types: a comparison of every office is
/// megabytes, and building it as a tree of values first costs more than the query.
#[derive(ResponseContent)]
pub enum ComparisonBody {
    #[oai(actual_type = "Json<ComparisonView>")]
    Json(Binary<Vec<u8>>),
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum ComparisonResponse {
    /// The comparison (JSON, or CSV for Excel).
    #[oai(status = 200)]
    Ok(
        ComparisonBody,
        #[oai(header = "content-disposition")] Option<String>,
    ),
}

pub struct ComparisonApi;

#[OpenApi(prefix_path = "/api/v1/stats", tag = "Tag::Statistics")]
impl ComparisonApi {
    /// Regional admins (their voivodeship) and platform admins: every office of a voivodeship
    /// side by side for a period — each figure, per 10,000 inhabitants, the office's rank, the
    /// voivodeship's total and median. 403 `region_forbidden` for another voivodeship.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/regions/:code/comparison",
        method = "get",
        operation_id = "stats_region_comparison"
    )]
    async fn region(
        &self,
        deps: Data<&Deps>,
        auth: Bearer,
        /// TERYT code of the voivodeship, e.g. `26`.
        code: Path<String>,
        /// `month` (default), `quarter` or `year`.
        period: Query<Option<String>>,
        /// First day of the period, `YYYY-MM-DD` (default: the current one).
        start: Query<Option<String>>,
        /// Order offices by their rank in this figure (default: by name).
        sort: Query<Option<String>>,
        /// `json` (default) or `csv`.
        format: Query<Option<String>>,
        accept: Header<Option<String>>,
    ) -> Result<ComparisonResponse, Problem> {
        let reach = Reach::of(&auth.0)?;
        if matches!(reach, Reach::Office(_)) {
            return Err(admins_only());
        }
        let region = RegionCode::parse(&code.0).map_err(|_| Problem::not_found("Województwo"))?;
        if !reach.sees_region(region.as_str()) {
            return Err(region_forbidden());
        }
        let mut v = Validator::new();
        let current = params::period(&mut v, period.0.as_deref(), start.0.as_deref());
        let sort = sort
            .0
            .as_deref()
            .and_then(|s| params::figure(&mut v, Some(s)));
        let format = params::format(&mut v, format.0.as_deref(), accept.0.as_deref());
        v.finish()?;
        let Some(current) = current else {
            return Err(Problem::validation(Vec::new()));
        };
        let all = deps.offices.all().await?;
        let offices: Vec<Office> = all
            .in_region(region.as_str())
            .into_iter()
            .cloned()
            .collect();
        let mut compared = comparison(&deps, current, offices, &all, Some(region.as_str())).await?;
        if let Some(figure) = sort {
            sort_by_rank(&mut compared, figure);
        }
        let name = format!(
            "porownanie-woj-{}-{}-{}",
            region.as_str(),
            current.kind.as_str(),
            current.start
        );
        respond(&compared, Some(region.as_str()), format, &name)
    }

    /// Platform admins (any offices) and regional admins (offices of their voivodeship): the
    /// chosen offices side by side, with ranks and medians among them but no total (totals of
    /// chosen sets could be subtracted from one another). An office out of reach is 404.
    #[oai(
        path = "/comparison",
        method = "post",
        operation_id = "stats_comparison"
    )]
    async fn chosen(
        &self,
        deps: Data<&Deps>,
        auth: Bearer,
        body: Json<ComparisonRequest>,
        accept: Header<Option<String>>,
    ) -> Result<ComparisonResponse, Problem> {
        let reach = Reach::of(&auth.0)?;
        if matches!(reach, Reach::Office(_)) {
            return Err(admins_only());
        }
        let mut v = Validator::new();
        let current = params::period(&mut v, body.period.as_deref(), body.start.as_deref());
        let format = params::format(&mut v, body.format.as_deref(), accept.0.as_deref());
        v.finish()?;
        let Some(current) = current else {
            return Err(Problem::validation(Vec::new()));
        };
        let mut all = deps.offices.all().await?;
        let mut seen = HashSet::new();
        let mut offices = Vec::new();
        for slug in &body.offices {
            if !seen.insert(slug.as_str()) {
                continue;
            }
            if all.get(slug).is_none() {
                all = deps.offices.with(slug).await?;
            }
            match all.get(slug) {
                Some(office) if reach.sees(office) => offices.push(office.clone()),
                _ => return Err(no_office()),
            }
        }
        let compared = comparison(&deps, current, offices, &all, None).await?;
        let name = format!("porownanie-{}-{}", current.kind.as_str(), current.start);
        respond(&compared, None, format, &name)
    }
}

/// Reads the rows of every voivodeship the offices belong to (the protected tables need all
/// of a voivodeship's offices) and compares the offices.
async fn comparison(
    deps: &Deps,
    period: Period,
    offices: Vec<Office>,
    all: &Offices,
    region: Option<&str>,
) -> Result<Comparison, Problem> {
    let mut members: BTreeMap<String, Vec<Office>> = BTreeMap::new();
    if let Some(code) = region {
        // A voivodeship without offices still has a total: zero.
        members.insert(code.to_owned(), Vec::new());
    }
    for office in &offices {
        if members
            .get(&office.region_code)
            .is_none_or(|list| list.is_empty())
        {
            let list = all
                .in_region(&office.region_code)
                .into_iter()
                .cloned()
                .collect();
            members.insert(office.region_code.clone(), list);
        }
    }
    let tables = deps.regional.tables(&members, &[period.year()]).await?;
    Ok(compare(period, offices, &tables, region))
}

/// Offices with a rank in `figure` first, best first; the rest by name.
fn sort_by_rank(compared: &mut Comparison, figure: Figure) {
    let Some(i) = Figure::ALL.iter().position(|f| *f == figure) else {
        return;
    };
    compared.offices.sort_by_key(|o| {
        (
            o.figures[i].rank.unwrap_or(u32::MAX),
            o.office.short_name.clone(),
        )
    });
}

fn respond(
    compared: &Comparison,
    region: Option<&str>,
    format: Format,
    name: &str,
) -> Result<ComparisonResponse, Problem> {
    Ok(match format {
        Format::Json => {
            let body =
                serde_json::to_vec(&view(compared, region)).map_err(|e| Problem::internal(&e))?;
            ComparisonResponse::Ok(ComparisonBody::Json(Binary(body)), None)
        }
        Format::Csv => ComparisonResponse::Ok(
            ComparisonBody::Csv(Binary(export(compared, region))),
            Some(attachment(name)),
        ),
    })
}

fn view(compared: &Comparison, region: Option<&str>) -> ComparisonView {
    let population: i32 = compared.offices.iter().map(|o| o.office.population).sum();
    ComparisonView {
        region: region.map(|code| RegionView {
            code: code.to_owned(),
            name: lacznik_types::catalogue::voivodeship_name(code)
                .unwrap_or_default()
                .to_owned(),
        }),
        current: PeriodView::from(compared.period),
        offices: compared
            .offices
            .iter()
            .map(|o| ComparedOfficeView {
                office: OfficeView::from(&o.office),
                figures: o
                    .figures
                    .iter()
                    .map(|f| ComparedFigureView {
                        figure: f.figure.code().to_owned(),
                        value: Cell::of(f.figure, f.value),
                        per_10k: Cell::rate(f.per_10k),
                        rank: f.rank,
                    })
                    .collect(),
            })
            .collect(),
        summary: compared
            .summary
            .iter()
            .map(|s| SummaryView {
                figure: s.figure.code().to_owned(),
                label: s.figure.label().to_owned(),
                unit: s.figure.unit().to_owned(),
                total: s.total.and_then(|t| Cell::of(s.figure, t)),
                total_per_10k: s
                    .total
                    .and_then(|t| Cell::rate(rate(s.figure, t, population))),
                median: s.median.map(|m| super::wire::round(m, 2)),
                median_per_10k: s.median_per_10k.map(|m| super::wire::round(m, 2)),
                offices_shown: u32::try_from(s.published).unwrap_or(u32::MAX),
            })
            .collect(),
    }
}

/// One row per office, then the voivodeship's total (regional comparisons) and the medians;
/// for each figure its value, its rate per 10,000 inhabitants and the rank.
fn export(compared: &Comparison, region: Option<&str>) -> Vec<u8> {
    let mut out = Csv::new();
    let mut header = vec![
        "Ośrodek".to_owned(),
        "Województwo".to_owned(),
        "Liczba mieszkańców".to_owned(),
    ];
    for figure in Figure::ALL {
        header.push(figure.label().to_owned());
        if figure.has_rate() {
            header.push(format!("{} na 10 tys. mieszkańców", figure.label()));
        }
        header.push(format!("{} – miejsce", figure.label()));
    }
    out.row(header);
    let region_name = |code: &str| {
        lacznik_types::catalogue::voivodeship_name(code)
            .unwrap_or(code)
            .to_owned()
    };
    for o in &compared.offices {
        let mut row = vec![
            o.office.short_name.clone(),
            region_name(&o.office.region_code),
            o.office.population.to_string(),
        ];
        for f in &o.figures {
            row.push(csv::cell(f.figure, f.value));
            if f.figure.has_rate() {
                row.push(csv::rate(f.per_10k));
            }
            row.push(f.rank.map(|r| r.to_string()).unwrap_or_default());
        }
        out.row(row);
    }
    if let Some(code) = region {
        let population: i32 = compared.offices.iter().map(|o| o.office.population).sum();
        let mut row = vec![
            format!("Razem województwo {}", region_name(code)),
            region_name(code),
            population.to_string(),
        ];
        for s in &compared.summary {
            let total = s.total.unwrap_or(crate::domain::grid::Shown::Absent);
            row.push(csv::cell(s.figure, total));
            if s.figure.has_rate() {
                row.push(csv::rate(rate(s.figure, total, population)));
            }
            row.push(String::new());
        }
        out.row(row);
    }
    let mut row = vec!["Mediana".to_owned(), String::new(), String::new()];
    for s in &compared.summary {
        row.push(csv::decimal(s.median, 1));
        if s.figure.has_rate() {
            row.push(csv::decimal(s.median_per_10k, 2));
        }
        row.push(String::new());
    }
    out.row(row);
    out.into_bytes()
}
