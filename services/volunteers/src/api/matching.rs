//! `POST /api/v1/volunteers/matching`: given a need's criteria, the office's eligible volunteers
//! ranked with the reasons for each rank, and how many were excluded by which rule. The rules
//! and the score live in `lacznik-matching`; this module loads the office's pool and translates
//! between the API's codes and the matcher's compact ids.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use lacznik_http::auth::Bearer;
use lacznik_http::problem::Validator;
use lacznik_http::{Problem, TenantContext};
use lacznik_matching::{
    self as matching, Candidate, Commitment, Criteria, DistrictId, DistrictMap, KindId, KindSet,
    LanguageId, Schedule, SkillId, WeeklySlot,
};
use lacznik_tenancy::TenantDb;
use lacznik_types::catalogue;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::volunteers::{store_problem, today};
use crate::domain::local_time::warsaw;
use crate::domain::{CheckKind, Slot, cleared_for_children};
use crate::store::catalogue as office_catalogue;
use crate::store::json_list;
use crate::store::pool::{self, Pool};

#[derive(Tags)]
enum Tag {
    /// Dobór wolontariuszy (matching)
    Matching,
}

/// When the help is needed: a one-off time, or weekly slots over a period (local time).
#[derive(Debug, Object)]
pub struct WhenInput {
    /// A one-off visit: start…
    pub starts_at: Option<DateTime<Utc>>,
    /// …and end.
    pub ends_at: Option<DateTime<Utc>>,
    /// Recurring: weekly slots (Polish local time)…
    #[oai(validator(max_items = 14))]
    pub weekly: Option<Vec<Slot>>,
    /// …from this day…
    pub from: Option<NaiveDate>,
    /// …until this day.
    pub until: Option<NaiveDate>,
}

/// What a need asks for.
#[derive(Debug, Object)]
pub struct MatchingInput {
    /// Kind of help (catalogue code).
    pub kind: String,
    /// Preferred skills (scored).
    #[oai(default, validator(max_items = 20))]
    pub skills: Vec<String>,
    /// Required languages (all of them).
    #[oai(default, validator(max_items = 5))]
    pub languages: Vec<String>,
    /// District where the help happens.
    pub district: Option<String>,
    /// Most district steps from where a volunteer is willing to help.
    pub max_distance: Option<u8>,
    pub when: WhenInput,
    #[oai(default)]
    pub adults_only: bool,
    #[oai(default)]
    pub child_check_required: bool,
    /// How many volunteers the need wants (default 1).
    pub wanted: Option<u32>,
    /// The person helped, for continuity.
    pub beneficiary_id: Option<uuid::Uuid>,
    /// How many to return, 1–100 (default 20).
    pub limit: Option<u32>,
}

/// One part of a score.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct ReasonView {
    /// `availability`, `skills`, `distance`, `load` or `continuity`.
    pub code: String,
    pub points: u32,
    pub detail: String,
}

/// An eligible volunteer.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct Match {
    pub volunteer_id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    /// 0–100, the sum of the reasons' points.
    pub score: u32,
    pub reasons: Vec<ReasonView>,
}

/// How many a rule excluded.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct ExclusionCount {
    pub code: String,
    pub description: String,
    pub count: u32,
}

/// The ranking.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct MatchingResult {
    /// Active volunteers considered.
    pub considered: u32,
    /// How many passed every rule.
    pub eligible: u32,
    /// Fewer eligible than wanted: the office cannot fill the need as asked.
    pub short: bool,
    pub ranked: Vec<Match>,
    pub excluded: Vec<ExclusionCount>,
}

/// Compact ids for codes, given out as they are first seen.
#[derive(Default)]
struct Interner(HashMap<String, u32>);

impl Interner {
    fn id(&mut self, code: &str) -> u32 {
        let next = u32::try_from(self.0.len()).unwrap_or(u32::MAX);
        *self.0.entry(code.to_owned()).or_insert(next)
    }
}

fn weekly_slot(slot: &Slot) -> Option<WeeklySlot> {
    let (start, end) = slot.times()?;
    WeeklySlot::new(slot.weekday.to_chrono(), start, end)
}

/// The need's schedule in local time, and its first and last day.
fn schedule(when: &WhenInput, v: &mut Validator) -> Option<(Schedule, NaiveDate, NaiveDate)> {
    match (
        when.starts_at,
        when.ends_at,
        &when.weekly,
        when.from,
        when.until,
    ) {
        (Some(start), Some(end), None, _, _) => {
            if end <= start {
                v.reject("when.ends_at", "Koniec musi być później niż początek.");
                return None;
            }
            let (start, end) = (warsaw(start), warsaw(end));
            Some((Schedule::Once { start, end }, start.date(), end.date()))
        }
        (None, None, Some(slots), Some(from), Some(until)) => {
            if until < from {
                v.reject("when.until", "Koniec okresu nie może być przed początkiem.");
            }
            let parsed: Vec<WeeklySlot> = slots.iter().filter_map(weekly_slot).collect();
            if parsed.len() != slots.len() || parsed.is_empty() {
                v.reject(
                    "when.weekly",
                    "Podaj co najmniej jeden przedział, godziny GG:MM, koniec po początku.",
                );
            }
            (until >= from && !parsed.is_empty()).then_some((
                Schedule::Weekly {
                    slots: parsed,
                    from,
                    until,
                },
                from,
                until,
            ))
        }
        _ => {
            v.reject(
                "when",
                "Podaj termin jednorazowy (starts_at i ends_at) albo cotygodniowy (weekly, from, \
                 until).",
            );
            None
        }
    }
}

/// A volunteer as the matcher sees them.
fn candidate(
    v: &crate::store::entity::volunteer::Model,
    pool: &Pool,
    (first, last): (NaiveDate, NaiveDate),
    districts: &HashMap<String, DistrictId>,
    skills: &mut Interner,
    languages: &mut Interner,
) -> Candidate {
    let kinds: Vec<String> = json_list(&v.kinds);
    let slots: Vec<Slot> = json_list(&v.availability);
    let none = Vec::new();
    let booked = pool.assignments.get(&v.id).unwrap_or(&none);
    let checks: Vec<(CheckKind, NaiveDate, NaiveDate)> = pool
        .checks
        .get(&v.id)
        .map(|list| {
            list.iter()
                .filter_map(|c| Some((CheckKind::parse(&c.kind)?, c.checked_on, c.valid_until)))
                .collect()
        })
        .unwrap_or_default();
    Candidate {
        id: v.id,
        birth_date: v.birth_date,
        kinds: {
            let mut set = KindSet::empty();
            for code in &kinds {
                if let Some(i) = catalogue::kind_index(code) {
                    set.insert(KindId(i));
                }
            }
            set
        },
        skills: json_list::<String>(&v.skills)
            .iter()
            .map(|s| SkillId(skills.id(s)))
            .collect(),
        languages: json_list::<String>(&v.languages)
            .iter()
            .map(|l| LanguageId(u16::try_from(languages.id(l)).unwrap_or(u16::MAX)))
            .collect(),
        districts: json_list::<String>(&v.districts)
            .iter()
            .filter_map(|d| districts.get(d).copied())
            .collect(),
        slots: slots.iter().filter_map(weekly_slot).collect(),
        absences: pool
            .absences
            .get(&v.id)
            .map(|list| {
                list.iter()
                    .map(|a| matching::Absence {
                        from: a.starts_on,
                        until: a.ends_on,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        max_hours_per_week: v.max_hours_per_week.map(f32::from),
        commitments: booked
            .iter()
            .map(|a| Commitment {
                start: warsaw(a.starts_at),
                end: warsaw(a.ends_at),
                beneficiary: a.beneficiary_id,
            })
            .collect(),
        past_beneficiaries: booked.iter().filter_map(|a| a.beneficiary_id).collect(),
        cleared_for_children: cleared_for_children(&checks, first)
            && cleared_for_children(&checks, last),
        guardian_consent: pool.guardian_consent.contains(&v.id),
    }
}

pub struct MatchingApi;

#[OpenApi(prefix_path = "/api/v1/volunteers", tag = "Tag::Matching")]
impl MatchingApi {
    /// Coordinators (and the needs service): ranks the office's active volunteers for a need.
    /// Hard rules filter (kind of help, languages, age and guardian consent, child-protection
    /// checks, distance, availability, absences, double booking, weekly hours); a score of 0–100
    /// ranks, with its parts explained.
    #[oai(path = "/matching", method = "post", operation_id = "match_volunteers")]
    async fn rank(
        &self,
        db: Data<&TenantDb>,
        tenant: Data<&TenantContext>,
        auth: Bearer,
        body: Json<MatchingInput>,
    ) -> Result<Json<MatchingResult>, Problem> {
        auth.0.require_coordinator()?;
        rank_volunteers(&db, &tenant, body.0).await.map(Json)
    }
}

/// Ranks the office's volunteers for `input` (for coordinators, and for the needs service
/// through the internal API).
pub(crate) async fn rank_volunteers(
    db: &TenantDb,
    tenant: &TenantContext,
    input: MatchingInput,
) -> Result<MatchingResult, Problem> {
    let mut v = Validator::new();
    let kind = catalogue::kind_index(&input.kind);
    if kind.is_none() {
        v.reject("kind", "Nieznany rodzaj pomocy.");
    }
    for (i, l) in input.languages.iter().enumerate() {
        if !catalogue::is_language(l) {
            v.reject(&format!("languages[{i}]"), "Nieznany język.");
        }
    }
    let limit = input.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        v.reject("limit", "Od 1 do 100.");
    }
    let when = schedule(&input.when, &mut v);
    let txn = db.begin(tenant.id).await?;
    let office_districts = office_catalogue::districts(&txn)
        .await
        .map_err(store_problem)?;
    let district_ids: HashMap<String, DistrictId> = office_districts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                d.code.clone(),
                DistrictId(u16::try_from(i).unwrap_or(u16::MAX)),
            )
        })
        .collect();
    let district = input.district.as_ref().and_then(|d| {
        let id = district_ids.get(d).copied();
        if id.is_none() {
            v.reject("district", "Nieznana dzielnica — wybierz z listy ośrodka.");
        }
        id
    });
    v.finish()?;
    let (Some(kind), Some((schedule, first, last))) = (kind, when) else {
        return Err(Problem::validation(Vec::new()));
    };
    let pool = pool::load(&txn, first.min(today()), input.beneficiary_id)
        .await
        .map_err(store_problem)?;
    txn.commit().await?;

    let pairs: Vec<(DistrictId, DistrictId)> = office_districts
        .iter()
        .flat_map(|d| {
            d.neighbours
                .iter()
                .filter_map(|n| Some((*district_ids.get(&d.code)?, *district_ids.get(n)?)))
        })
        .collect();
    let map = DistrictMap::from_neighbours(
        u16::try_from(office_districts.len()).unwrap_or(u16::MAX),
        &pairs,
    );
    let (mut skills, mut languages) = (Interner::default(), Interner::default());
    let criteria = Criteria {
        kind: KindId(kind),
        skills: input.skills.iter().map(|s| SkillId(skills.id(s))).collect(),
        languages: input
            .languages
            .iter()
            .map(|l| LanguageId(u16::try_from(languages.id(l)).unwrap_or(u16::MAX)))
            .collect(),
        district,
        max_distance: input.max_distance,
        schedule,
        adults_only: input.adults_only,
        child_check_required: input.child_check_required,
        wanted: input.wanted.unwrap_or(1),
        beneficiary: input.beneficiary_id,
        limit: limit as usize,
    };
    let candidates: Vec<Candidate> = pool
        .volunteers
        .iter()
        .map(|v| {
            candidate(
                v,
                &pool,
                (first, last),
                &district_ids,
                &mut skills,
                &mut languages,
            )
        })
        .collect();
    let outcome = matching::rank(&criteria, &candidates, &map);
    let by_id: HashMap<uuid::Uuid, &crate::store::entity::volunteer::Model> =
        pool.volunteers.iter().map(|v| (v.id, v)).collect();
    Ok(MatchingResult {
        considered: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
        eligible: outcome.eligible,
        short: outcome.eligible < criteria.wanted,
        ranked: outcome
            .ranked
            .into_iter()
            .filter_map(|r| {
                let v = by_id.get(&r.id)?;
                Some(Match {
                    volunteer_id: r.id,
                    first_name: v.first_name.clone(),
                    last_name: v.last_name.clone(),
                    phone: v.phone.clone(),
                    score: r.score,
                    reasons: r
                        .reasons
                        .into_iter()
                        .map(|reason| ReasonView {
                            code: reason.code.to_owned(),
                            points: reason.points,
                            detail: reason.detail,
                        })
                        .collect(),
                })
            })
            .collect(),
        excluded: outcome
            .excluded
            .into_iter()
            .map(|(rule, count)| ExclusionCount {
                code: rule.code().to_owned(),
                description: rule.describe().to_owned(),
                count,
            })
            .collect(),
    })
}
