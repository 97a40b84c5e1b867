//! Wall-clock time in Poland. Weekly availability ("Tuesdays 16:00–19:00") is local time, while
//! bookings are stored in UTC; matching compares them in local time. Every office is in Poland,
//! so the rule is the EU's: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC on the last Sunday of
//! March to 01:00 UTC on the last Sunday of October.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

fn summer_time(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let switch = |month| {
        last_sunday(year, month)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|t| Utc.from_utc_datetime(&t))
    };
    matches!((switch(3), switch(10)), (Some(start), Some(end)) if start <= at && at < end)
}

/// The Polish wall-clock time of an instant.
pub fn warsaw(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = if summer_time(at) { 2 } else { 1 };
    (at + Duration::hours(offset)).naive_utc()
}

/// The instant of a Polish wall-clock time (the earlier one when the clock goes back).
pub fn from_warsaw(local: NaiveDateTime) -> DateTime<Utc> {
    let winter = Utc.from_utc_datetime(&(local - Duration::hours(1)));
    let summer = Utc.from_utc_datetime(&(local - Duration::hours(2)));
    if summer_time(summer) { summer } else { winter }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_follow_the_eu_rule() {
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(
            warsaw(utc("2026-01-15T10:00:00Z")).to_string(),
            "2026-01-15 11:00:00"
        );
        assert_eq!(
            warsaw(utc("2026-07-15T10:00:00Z")).to_string(),
            "2026-07-15 12:00:00"
        );
        assert_eq!(
            warsaw(utc("2026-03-29T00:59:00Z")).to_string(),
            "2026-03-29 01:59:00"
        );
        assert_eq!(
            warsaw(utc("2026-03-29T01:00:00Z")).to_string(),
            "2026-03-29 03:00:00"
        );
        assert_eq!(
            warsaw(utc("2026-10-25T00:59:00Z")).to_string(),
            "2026-10-25 02:59:00"
        );
        assert_eq!(
            warsaw(utc("2026-10-25T01:00:00Z")).to_string(),
            "2026-10-25 02:00:00"
        );
        let local = warsaw(utc("2026-12-05T09:00:00Z"));
        assert_eq!(from_warsaw(local), utc("2026-12-05T09:00:00Z"));
        let local = warsaw(utc("2026-06-05T09:00:00Z"));
        assert_eq!(from_warsaw(local), utc("2026-06-05T09:00:00Z"));
    }
}
