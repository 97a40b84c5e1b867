//! What is counted. A rollup row keeps [`Column`]s (counts, minutes, grams); the API publishes
//! [`Figure`]s computed from them, each with its Polish name and the rule that protects it.
//! README.md ("Statistics") defines every figure in words; this file is the definition in code.

/// A stored, additive column of a rollup row (in the order of the migration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    ActiveVolunteers,
    NewVolunteers,
    EndedVolunteers,
    MinorsActive,
    VolunteerMinutes,
    /// Distinct volunteers with approved hours: tells whether the hours are a few people's.
    HourVolunteers,
    NeedsOpened,
    NeedsFulfilled,
    NeedsCancelled,
    NeedsExpired,
    OffersAccepted,
    OffersDeclined,
    OffersTimedOut,
    /// Distinct beneficiaries with completed help.
    BeneficiariesHelped,
    /// People served according to action tallies.
    PeopleServed,
    KilogramGrams,
    Parcels,
    CapsGrams,
    AgreementsSigned,
    EmailsSent,
    EmailsFailed,
}

impl Column {
    pub const COUNT: usize = 21;
    pub const ALL: [Self; Self::COUNT] = [
        Self::ActiveVolunteers,
        Self::NewVolunteers,
        Self::EndedVolunteers,
        Self::MinorsActive,
        Self::VolunteerMinutes,
        Self::HourVolunteers,
        Self::NeedsOpened,
        Self::NeedsFulfilled,
        Self::NeedsCancelled,
        Self::NeedsExpired,
        Self::OffersAccepted,
        Self::OffersDeclined,
        Self::OffersTimedOut,
        Self::BeneficiariesHelped,
        Self::PeopleServed,
        Self::KilogramGrams,
        Self::Parcels,
        Self::CapsGrams,
        Self::AgreementsSigned,
        Self::EmailsSent,
        Self::EmailsFailed,
    ];

    /// The columns' names in `stats_rollups`, in [`Column::ALL`] order.
    pub const NAMES: [&'static str; Self::COUNT] = {
        let mut names = [""; Self::COUNT];
        let mut i = 0;
        while i < Self::COUNT {
            names[i] = Self::ALL[i].name();
            i += 1;
        }
        names
    };

    pub fn index(self) -> usize {
        self as usize
    }

    /// The column's name in `stats_rollups`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ActiveVolunteers => "active_volunteers",
            Self::NewVolunteers => "new_volunteers",
            Self::EndedVolunteers => "ended_volunteers",
            Self::MinorsActive => "minors_active",
            Self::VolunteerMinutes => "volunteer_minutes",
            Self::HourVolunteers => "hour_volunteers",
            Self::NeedsOpened => "needs_opened",
            Self::NeedsFulfilled => "needs_fulfilled",
            Self::NeedsCancelled => "needs_cancelled",
            Self::NeedsExpired => "needs_expired",
            Self::OffersAccepted => "offers_accepted",
            Self::OffersDeclined => "offers_declined",
            Self::OffersTimedOut => "offers_timed_out",
            Self::BeneficiariesHelped => "beneficiaries_helped",
            Self::PeopleServed => "people_served",
            Self::KilogramGrams => "kilogram_grams",
            Self::Parcels => "parcels",
            Self::CapsGrams => "caps_grams",
            Self::AgreementsSigned => "agreements_signed",
            Self::EmailsSent => "emails_sent",
            Self::EmailsFailed => "emails_failed",
        }
    }
}

/// One rollup row's values: the additive columns and the recomputed waiting times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub additive: [i64; Column::COUNT],
    /// Needs whose first assignment fell in the period (the waiting times' sample).
    pub needs_assigned: i64,
    pub wait_median_secs: Option<i64>,
    pub wait_p90_secs: Option<i64>,
}

impl Totals {
    pub fn get(&self, column: Column) -> i64 {
        self.additive[column.index()]
    }

    pub fn add(&mut self, column: Column, amount: i64) {
        self.additive[column.index()] += amount;
    }
}

/// How a figure is protected and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A count of people or things about people: 1–4 is suppressed.
    Count,
    /// Hours of work: suppressed when fewer than five volunteers worked them.
    Hours,
    /// Kilograms and parcels of actions: about no one, published as they are.
    Amount,
    /// A waiting time over needs: suppressed when fewer than five needs make it.
    Wait,
}

/// A published figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Figure {
    ActiveVolunteers,
    NewVolunteers,
    EndedVolunteers,
    MinorsActive,
    VolunteerHours,
    NeedsOpened,
    NeedsFulfilled,
    NeedsCancelled,
    NeedsExpired,
    NeedsAssigned,
    WaitMedianHours,
    WaitP90Hours,
    OffersAccepted,
    OffersDeclined,
    OffersTimedOut,
    PeopleHelped,
    Kilograms,
    Parcels,
    CapsKilograms,
    AgreementsSigned,
    EmailsSent,
    EmailsFailed,
}

/// Below this many, a count (or the people behind hours, the needs behind a median) is not shown.
pub const THRESHOLD: i64 = 5;

impl Figure {
    pub const ALL: [Self; 22] = [
        Self::ActiveVolunteers,
        Self::NewVolunteers,
        Self::EndedVolunteers,
        Self::MinorsActive,
        Self::VolunteerHours,
        Self::NeedsOpened,
        Self::NeedsFulfilled,
        Self::NeedsCancelled,
        Self::NeedsExpired,
        Self::NeedsAssigned,
        Self::WaitMedianHours,
        Self::WaitP90Hours,
        Self::OffersAccepted,
        Self::OffersDeclined,
        Self::OffersTimedOut,
        Self::PeopleHelped,
        Self::Kilograms,
        Self::Parcels,
        Self::CapsKilograms,
        Self::AgreementsSigned,
        Self::EmailsSent,
        Self::EmailsFailed,
    ];

    /// The code in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::ActiveVolunteers => "active_volunteers",
            Self::NewVolunteers => "new_volunteers",
            Self::EndedVolunteers => "ended_volunteers",
            Self::MinorsActive => "minors_active",
            Self::VolunteerHours => "volunteer_hours",
            Self::NeedsOpened => "needs_opened",
            Self::NeedsFulfilled => "needs_fulfilled",
            Self::NeedsCancelled => "needs_cancelled",
            Self::NeedsExpired => "needs_expired",
            Self::NeedsAssigned => "needs_assigned",
            Self::WaitMedianHours => "wait_median_hours",
            Self::WaitP90Hours => "wait_p90_hours",
            Self::OffersAccepted => "offers_accepted",
            Self::OffersDeclined => "offers_declined",
            Self::OffersTimedOut => "offers_timed_out",
            Self::PeopleHelped => "people_helped",
            Self::Kilograms => "kilograms",
            Self::Parcels => "parcels",
            Self::CapsKilograms => "caps_kilograms",
            Self::AgreementsSigned => "agreements_signed",
            Self::EmailsSent => "emails_sent",
            Self::EmailsFailed => "emails_failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The Polish name (also the CSV header).
    pub fn label(self) -> &'static str {
        match self {
            Self::ActiveVolunteers => "Aktywni wolontariusze",
            Self::NewVolunteers => "Nowi wolontariusze",
            Self::EndedVolunteers => "Wolontariusze, którzy zakończyli współpracę",
            Self::MinorsActive => "Aktywni niepełnoletni wolontariusze",
            Self::VolunteerHours => "Godziny wolontariatu",
            Self::NeedsOpened => "Zgłoszone potrzeby",
            Self::NeedsFulfilled => "Zrealizowane potrzeby",
            Self::NeedsCancelled => "Anulowane potrzeby",
            Self::NeedsExpired => "Potrzeby wygasłe bez pomocy",
            Self::NeedsAssigned => "Potrzeby z pierwszym przydziałem",
            Self::WaitMedianHours => "Mediana czasu do pierwszego przydziału (godz.)",
            Self::WaitP90Hours => "90. percentyl czasu do pierwszego przydziału (godz.)",
            Self::OffersAccepted => "Przyjęte propozycje",
            Self::OffersDeclined => "Odrzucone propozycje",
            Self::OffersTimedOut => "Propozycje bez odpowiedzi",
            Self::PeopleHelped => "Osoby, którym pomożono",
            Self::Kilograms => "Zebrane kilogramy",
            Self::Parcels => "Wydane paczki",
            Self::CapsKilograms => "Kilogramy nakrętek",
            Self::AgreementsSigned => "Podpisane porozumienia",
            Self::EmailsSent => "Wysłane e-maile",
            Self::EmailsFailed => "Niedoręczone e-maile",
        }
    }

    /// The unit, in Polish.
    pub fn unit(self) -> &'static str {
        match self {
            Self::ActiveVolunteers
            | Self::NewVolunteers
            | Self::EndedVolunteers
            | Self::MinorsActive
            | Self::PeopleHelped => "osoby",
            Self::VolunteerHours | Self::WaitMedianHours | Self::WaitP90Hours => "godziny",
            Self::NeedsOpened
            | Self::NeedsFulfilled
            | Self::NeedsCancelled
            | Self::NeedsExpired
            | Self::NeedsAssigned => "potrzeby",
            Self::OffersAccepted | Self::OffersDeclined | Self::OffersTimedOut => "propozycje",
            Self::Kilograms | Self::CapsKilograms => "kg",
            Self::Parcels => "paczki",
            Self::AgreementsSigned => "porozumienia",
            Self::EmailsSent | Self::EmailsFailed => "wiadomości",
        }
    }

    pub fn class(self) -> Class {
        match self {
            Self::VolunteerHours => Class::Hours,
            Self::Kilograms | Self::Parcels | Self::CapsKilograms => Class::Amount,
            Self::WaitMedianHours | Self::WaitP90Hours => Class::Wait,
            _ => Class::Count,
        }
    }

    /// Whether more is better (rank 1 is the highest); otherwise rank 1 is the lowest.
    pub fn more_is_better(self) -> bool {
        !matches!(
            self,
            Self::EndedVolunteers
                | Self::NeedsCancelled
                | Self::NeedsExpired
                | Self::WaitMedianHours
                | Self::WaitP90Hours
                | Self::OffersDeclined
                | Self::OffersTimedOut
                | Self::EmailsFailed
        )
    }

    /// Whether a rate per 10,000 inhabitants means something (not for waiting times).
    pub fn has_rate(self) -> bool {
        self.class() != Class::Wait
    }

    /// The figure's raw value in a row, in its base unit (minutes, grams, seconds); `None` when
    /// there is nothing to measure (a waiting time without needs).
    pub fn raw(self, t: &Totals) -> Option<i64> {
        let column = match self {
            Self::ActiveVolunteers => Column::ActiveVolunteers,
            Self::NewVolunteers => Column::NewVolunteers,
            Self::EndedVolunteers => Column::EndedVolunteers,
            Self::MinorsActive => Column::MinorsActive,
            Self::VolunteerHours => Column::VolunteerMinutes,
            Self::NeedsOpened => Column::NeedsOpened,
            Self::NeedsFulfilled => Column::NeedsFulfilled,
            Self::NeedsCancelled => Column::NeedsCancelled,
            Self::NeedsExpired => Column::NeedsExpired,
            Self::NeedsAssigned => return Some(t.needs_assigned),
            Self::WaitMedianHours => return t.wait_median_secs,
            Self::WaitP90Hours => return t.wait_p90_secs,
            Self::OffersAccepted => Column::OffersAccepted,
            Self::OffersDeclined => Column::OffersDeclined,
            Self::OffersTimedOut => Column::OffersTimedOut,
            Self::PeopleHelped => {
                return Some(t.get(Column::BeneficiariesHelped) + t.get(Column::PeopleServed));
            }
            Self::Kilograms => Column::KilogramGrams,
            Self::Parcels => Column::Parcels,
            Self::CapsKilograms => Column::CapsGrams,
            Self::AgreementsSigned => Column::AgreementsSigned,
            Self::EmailsSent => Column::EmailsSent,
            Self::EmailsFailed => Column::EmailsFailed,
        };
        Some(t.get(column))
    }

    /// Whether the value must not be shown by itself (before complementary suppression):
    /// counts of 1–4, hours of fewer than five volunteers, waiting times of fewer than five
    /// needs. Zero is shown.
    pub fn primary(self, t: &Totals) -> bool {
        let few = |n: i64| (1..THRESHOLD).contains(&n);
        match self.class() {
            Class::Count => self.raw(t).is_some_and(few),
            Class::Hours => {
                t.get(Column::VolunteerMinutes) > 0 && few(t.get(Column::HourVolunteers))
            }
            Class::Amount => false,
            Class::Wait => t.needs_assigned > 0 && t.needs_assigned < THRESHOLD,
        }
    }

    /// The raw value in the unit people read: hours, kilograms, or as it is.
    pub fn shown(self, raw: i64) -> f64 {
        match self {
            Self::VolunteerHours => raw as f64 / 60.0,
            Self::WaitMedianHours | Self::WaitP90Hours => raw as f64 / 3600.0,
            Self::Kilograms | Self::CapsKilograms => raw as f64 / 1000.0,
            _ => raw as f64,
        }
    }

    /// Whether the shown value is a whole number.
    pub fn whole(self) -> bool {
        matches!(self.class(), Class::Count) || self == Self::Parcels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_figures_are_listed_once_in_order() {
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        let mut codes: Vec<_> = Figure::ALL.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Figure::ALL.len());
        assert!(
            Figure::ALL
                .iter()
                .all(|f| Figure::parse(f.code()) == Some(*f))
        );
    }

    #[test]
    fn small_counts_few_workers_and_few_needs_are_protected() {
        let mut t = Totals::default();
        assert!(!Figure::ActiveVolunteers.primary(&t), "zero stays zero");
        t.add(Column::ActiveVolunteers, 4);
        assert!(Figure::ActiveVolunteers.primary(&t));
        t.add(Column::ActiveVolunteers, 1);
        assert!(!Figure::ActiveVolunteers.primary(&t));
        t.add(Column::VolunteerMinutes, 6000);
        t.add(Column::HourVolunteers, 2);
        assert!(
            Figure::VolunteerHours.primary(&t),
            "100 hours of two people"
        );
        t.needs_assigned = 3;
        t.wait_median_secs = Some(3600);
        assert!(Figure::WaitMedianHours.primary(&t));
        t.add(Column::KilogramGrams, 2000);
        assert!(!Figure::Kilograms.primary(&t));
    }
}
