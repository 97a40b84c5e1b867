//! Calendar invitations (RFC 5545 / iTIP): an assignment or a shift as a `VEVENT` the
//! volunteer's calendar adds with one click (`METHOD:REQUEST`), moves when it changes (same
//! `UID`, higher `SEQUENCE`) and removes when it is cancelled (`METHOD:CANCEL`).

use chrono::{DateTime, Utc};

/// What the invitation asks of the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Add or update the event.
    Request,
    /// Remove it.
    Cancel,
}

/// One event.
#[derive(Clone, Debug)]
pub struct Invite {
    /// Stable across updates of the same event, e.g. the assignment's id.
    pub uid: String,
    /// Grows with each change.
    pub sequence: u32,
    pub method: Method,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Further starts of the same event, each as long as the first (the visits of a long-term
    /// pairing), as `RDATE`s.
    pub also_starts: Vec<DateTime<Utc>>,
    pub organizer_name: String,
    pub organizer_email: String,
    pub attendee_name: String,
    pub attendee_email: String,
    /// When the invitation was made (DTSTAMP).
    pub stamped_at: DateTime<Utc>,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// Escapes a TEXT value (§3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Quotes a parameter value (§3.2) — a name with a comma or a colon would break the line.
fn param(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "'"))
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

impl Invite {
    /// The `.ics` file: a calendar with one event, CRLF line ends, folded lines.
    pub fn to_ics(&self) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//Lacznik//Wolontariat//PL".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", self.method.as_str()),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", text(&self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", stamp(self.stamped_at)),
            format!("DTSTART:{}", stamp(self.starts_at)),
            format!("DTEND:{}", stamp(self.ends_at)),
            format!("SUMMARY:{}", text(&self.summary)),
            format!("DESCRIPTION:{}", text(&self.description)),
        ];
        if !self.also_starts.is_empty() {
            let dates: Vec<String> = self.also_starts.iter().map(|at| stamp(*at)).collect();
            lines.push(format!("RDATE:{}", dates.join(",")));
        }
        if let Some(location) = &self.location {
            lines.push(format!("LOCATION:{}", text(location)));
        }
        lines.push(format!(
            "ORGANIZER;CN={}:mailto:{}",
            param(&self.organizer_name),
            self.organizer_email
        ));
        lines.push(format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={}:mailto:{}",
            param(&self.attendee_name),
            match self.method {
                Method::Request => "ACCEPTED",
                Method::Cancel => "DECLINED",
            },
            self.attendee_email
        ));
        lines.push(format!(
            "STATUS:{}",
            match self.method {
                Method::Request => "CONFIRMED",
                Method::Cancel => "CANCELLED",
            }
        ));
        lines.push("TRANSP:OPAQUE".to_owned());
        lines.push("END:VEVENT".to_owned());
        lines.push("END:VCALENDAR".to_owned());
        let mut out = String::new();
        for line in &lines {
            fold(line, &mut out);
        }
        out
    }

    /// The `method` parameter of the attachment's content type.
    pub fn method_name(&self) -> &'static str {
        self.method.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(method: Method) -> Invite {
        Invite {
            uid: "01a2-przydzial@lacznik".into(),
            sequence: 0,
            method,
            summary: "Zakupy dla pani Janiny; lista w kuchni, przy oknie".into(),
            description: "Adres: ul. Lipowa 7/12\nDzwonić dłużej.".into(),
            location: Some("Kielce, Centrum".into()),
            starts_at: "2026-11-28T09:00:00Z".parse().unwrap(),
            ends_at: "2026-11-28T11:00:00Z".parse().unwrap(),
            also_starts: Vec::new(),
            organizer_name: "MOPR Kielce, Centrum Wolontariatu".into(),
            organizer_email: "wolontariat@mopr.kielce.pl".into(),
            attendee_name: "Zofia Łękawska".into(),
            attendee_email: "zofia@example.pl".into(),
            stamped_at: "2026-11-23T07:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn an_invitation_has_the_fields_calendars_need_with_crlf_and_escapes() {
        let ics = invite(Method::Request).to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "bare LF in {ics:?}"
        );
        for line in [
            "METHOD:REQUEST",
            "DTSTART:20261128T090000Z",
            "DTEND:20261128T110000Z",
            "SUMMARY:Zakupy dla pani Janiny\\; lista w kuchni\\, przy oknie",
            "DESCRIPTION:Adres: ul. Lipowa 7/12\\nDzwonić dłużej.",
            "ORGANIZER;CN=\"MOPR Kielce, Centrum Wolontariatu\":mailto:wolontariat@mopr.kielce.pl",
            "STATUS:CONFIRMED",
        ] {
            assert!(
                ics.replace("\r\n ", "").contains(line),
                "{line} missing in {ics}"
            );
        }
        let mut weekly = invite(Method::Request);
        weekly.also_starts = vec![
            "2026-12-05T09:00:00Z".parse().unwrap(),
            "2026-12-12T09:00:00Z".parse().unwrap(),
        ];
        assert!(
            weekly
                .to_ics()
                .contains("RDATE:20261205T090000Z,20261212T090000Z\r\n")
        );
        let cancel = invite(Method::Cancel).to_ics();
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_breaking_letters() {
        let mut long = invite(Method::Request);
        long.description = "Żółć ".repeat(40);
        let ics = long.to_ics();
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert!(ics.replace("\r\n ", "").contains(&text(&long.description)));
    }
}
