//! What the statistics API sends. A figure's value is a number, or `{"suppressed": true}`
//! when it must not be shown (never the number itself); `null` when there is nothing to
//! measure (a waiting time without needs).

use chrono::NaiveDate;
use poem_openapi::{Object, Union};

use crate::domain::figures::Figure;
use crate::domain::grid::Shown;
use crate::domain::period::Period;
use crate::offices::Office;
use crate::report::Rate;

/// A value hidden to protect the people behind it.
#[derive(Debug, Clone, PartialEq, Object, serde::Serialize)]
#[oai(rename = "StatsSuppressed")]
pub struct Suppressed {
    /// Always `true`: the value is between 1 and 4 (or could be worked out from one that is).
    pub suppressed: bool,
}

/// A published value: a whole number (counts), a decimal (hours, kilograms, rates), or
/// `{"suppressed": true}`.
#[derive(Debug, Clone, PartialEq, Union, serde::Serialize)]
#[serde(untagged)]
#[oai(one_of, rename = "StatsValue")]
pub enum Cell {
    Count(i64),
    Amount(f64),
    Suppressed(Suppressed),
}

impl Cell {
    pub fn suppressed() -> Self {
        Self::Suppressed(Suppressed { suppressed: true })
    }

    /// How a cell of `figure` is sent.
    pub fn of(figure: Figure, shown: Shown) -> Option<Self> {
        match shown {
            Shown::Value(v) if figure.whole() => Some(Self::Count(v)),
            Shown::Value(v) => Some(Self::Amount(round(figure.shown(v), 1))),
            Shown::Suppressed => Some(Self::suppressed()),
            Shown::Absent => None,
        }
    }

    /// How a rate per 10,000 inhabitants is sent.
    pub fn rate(rate: Option<Rate>) -> Option<Self> {
        match rate? {
            Rate::Value(r) => Some(Self::Amount(round(r, 2))),
            Rate::Suppressed => Some(Self::suppressed()),
        }
    }
}

/// `value` rounded to `places` decimals.
pub fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// A period.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsPeriod")]
pub struct PeriodView {
    /// `month`, `quarter` or `year`.
    pub period: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Polish name, e.g. "I kwartał 2026".
    pub label: String,
}

impl From<Period> for PeriodView {
    fn from(p: Period) -> Self {
        Self {
            period: p.kind.as_str().to_owned(),
            start: p.start,
            end: p.last_day(),
            label: p.label(),
        }
    }
}

/// An office.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsOffice")]
pub struct OfficeView {
    pub slug: String,
    pub name: String,
    pub short_name: String,
    /// TERYT code of the voivodeship.
    pub region_code: String,
    pub region_name: String,
    /// Inhabitants (rates are per 10,000 of them).
    pub population: i32,
}

impl From<&Office> for OfficeView {
    fn from(o: &Office) -> Self {
        Self {
            slug: o.slug.clone(),
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            region_code: o.region_code.clone(),
            region_name: lacznik_types::catalogue::voivodeship_name(&o.region_code)
                .unwrap_or_default()
                .to_owned(),
            population: o.population,
        }
    }
}

/// A figure in a period, the previous one and a year earlier.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsDashboardFigure")]
pub struct DashboardFigure {
    /// Code of the figure (README.md, "Statistics", defines each).
    pub figure: String,
    pub label: String,
    pub unit: String,
    pub current: Option<Cell>,
    pub previous: Option<Cell>,
    pub year_ago: Option<Cell>,
}

/// The figures of one kind of help.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsKindFigures")]
pub struct KindView {
    /// Catalogue code; `-` for what has no kind (emails, hours without an assignment).
    pub kind: String,
    pub name: String,
    pub figures: Vec<DashboardFigure>,
}

/// An office's dashboard.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsDashboard")]
pub struct DashboardView {
    pub office: OfficeView,
    /// The kind of help of `figures`; `*` for all kinds together.
    pub kind: String,
    pub current: PeriodView,
    pub previous: PeriodView,
    pub year_ago: PeriodView,
    pub figures: Vec<DashboardFigure>,
    /// Every kind of help seen in these years.
    pub by_kind: Vec<KindView>,
}

/// One figure of one compared office.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsComparedFigure")]
pub struct ComparedFigureView {
    pub figure: String,
    pub value: Option<Cell>,
    /// Per 10,000 inhabitants (not for waiting times).
    pub per_10k: Option<Cell>,
    /// 1 = best among the compared offices (highest, or lowest for waiting times, expired and
    /// cancelled needs, unanswered and declined offers, failed emails, ended volunteers).
    pub rank: Option<u32>,
}

/// One compared office.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsComparedOffice")]
pub struct ComparedOfficeView {
    pub office: OfficeView,
    pub figures: Vec<ComparedFigureView>,
}

/// A figure across the compared offices.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsFigureSummary")]
pub struct SummaryView {
    pub figure: String,
    pub label: String,
    pub unit: String,
    /// The voivodeship's total (regional comparisons only).
    pub total: Option<Cell>,
    /// The total per 10,000 inhabitants of the voivodeship's offices.
    pub total_per_10k: Option<Cell>,
    /// Median over the offices whose value is shown.
    pub median: Option<f64>,
    pub median_per_10k: Option<f64>,
    /// Offices whose value is shown.
    pub offices_shown: u32,
}

/// A voivodeship.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsRegion")]
pub struct RegionView {
    pub code: String,
    pub name: String,
}

/// Offices side by side.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsComparison")]
pub struct ComparisonView {
    /// The voivodeship compared, absent for a chosen set of offices.
    pub region: Option<RegionView>,
    pub current: PeriodView,
    pub offices: Vec<ComparedOfficeView>,
    pub summary: Vec<SummaryView>,
}

/// One month of a trend.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsTrendPoint")]
pub struct TrendPoint {
    pub month: PeriodView,
    pub value: Option<Cell>,
    pub per_10k: Option<Cell>,
}

/// One office's monthly series of one figure.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsTrend")]
pub struct TrendView {
    pub office: OfficeView,
    pub figure: String,
    pub label: String,
    pub unit: String,
    pub points: Vec<TrendPoint>,
}

/// Offices to compare (platform admins: any; regional admins: of their voivodeship).
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename = "StatsComparisonRequest")]
pub struct ComparisonRequest {
    /// Slugs of the offices.
    #[oai(validator(min_items = 1, max_items = 5000))]
    pub offices: Vec<String>,
    /// `month`, `quarter` or `year` (default `month`).
    pub period: Option<String>,
    /// First day of the period, `YYYY-MM-DD` (default: the current period).
    pub start: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}
