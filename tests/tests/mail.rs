//! Email as a person's mail client gets it, through a real SMTP server: Polish letters intact
//! in the subject, names and bodies; text and HTML; the stable Message-ID; one-click
//! unsubscribe headers; a calendar invitation. And what a relay's answers mean for the sender:
//! 4xx and a dead relay are temporary, 5xx is permanent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::time::Duration;

use lacznik_mail::ics::{Invite, Method};
use lacznik_mail::{Mailer, Outgoing, Recipient, SendError, Sender, compose};
use lacznik_testkit::smtp::{Answer, SmtpServer};
use mail_parser::{MessageParser, MimeHeaders};

fn assignment(id: &str) -> Outgoing {
    let starts_at = "2026-11-28T09:00:00Z".parse().unwrap();
    Outgoing {
        message_id: format!("{id}@lacznik.example"),
        from: Sender {
            name: "MOPR Kielce — Centrum Wolontariatu".into(),
            address: "wolontariat@kielce.lacznik.example".into(),
            reply_to: Some("wolontariat@mopr.kielce.example".into()),
        },
        to: Recipient {
            name: "Zofia Łękawska".into(),
            address: "zofia@example.pl".into(),
        },
        subject: "Potwierdzenie: zakupy dla pani Janiny — sobota, 28 listopada".into(),
        text: "Dzień dobry, Zofio!\n\nDziękujemy — zadanie „Zakupy dla pani Janiny” jest Twoje.\nŻyczymy miłego dnia.".into(),
        html: "<p>Dzień dobry, Zofio!</p><p>Dziękujemy — zadanie „Zakupy dla pani Janiny” jest Twoje.</p>".into(),
        invite: Some(Invite {
            uid: format!("{id}@lacznik.example"),
            sequence: 0,
            method: Method::Request,
            summary: "Zakupy dla pani Janiny".into(),
            description: "Lista zakupów w kuchni.".into(),
            location: Some("Kielce, Centrum".into()),
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(2),
            also_starts: Vec::new(),
            organizer_name: "MOPR Kielce".into(),
            organizer_email: "wolontariat@kielce.lacznik.example".into(),
            attendee_name: "Zofia Łękawska".into(),
            attendee_email: "zofia@example.pl".into(),
            stamped_at: starts_at - chrono::Duration::days(5),
        }),
        unsubscribe: Some("https://kielce.lacznik.example/wypisz#token=abc".into()),
    }
}

#[tokio::test]
async fn an_assignment_email_arrives_well_formed_with_its_invitation_and_unsubscribe_headers() {
    let server = SmtpServer::start().await;
    let mailer = Mailer::smtp(&server.url(), 2, Duration::from_secs(5)).unwrap();
    let message = compose(&assignment("01a2-przydzial")).unwrap();
    mailer.send(message, Duration::from_secs(10)).await.unwrap();

    let received = server.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["<zofia@example.pl>"]);
    let raw = received[0].data.as_bytes();
    let parsed = MessageParser::default().parse(raw).unwrap();
    assert_eq!(
        parsed.subject(),
        Some("Potwierdzenie: zakupy dla pani Janiny — sobota, 28 listopada")
    );
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("MOPR Kielce — Centrum Wolontariatu"));
    assert_eq!(
        parsed.to().unwrap().first().unwrap().name(),
        Some("Zofia Łękawska")
    );
    assert_eq!(parsed.message_id(), Some("01a2-przydzial@lacznik.example"));
    assert_eq!(
        parsed.reply_to().unwrap().first().unwrap().address(),
        Some("wolontariat@mopr.kielce.example")
    );
    assert_eq!(
        parsed.header_raw("List-Unsubscribe").map(str::trim),
        Some("<https://kielce.lacznik.example/wypisz#token=abc>")
    );
    assert_eq!(
        parsed.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
    // Headers are 7-bit on the wire: the Polish letters travel encoded.
    let head = received[0].data.split("\r\n\r\n").next().unwrap();
    assert!(head.is_ascii(), "raw headers must be ASCII: {head}");

    assert!(
        parsed
            .body_text(0)
            .unwrap()
            .contains("Życzymy miłego dnia.")
    );
    assert!(parsed.body_html(0).unwrap().contains("jest Twoje."));
    let calendar = parsed
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    assert_eq!(
        calendar.content_type().unwrap().attribute("method"),
        Some("REQUEST")
    );
    let ics = calendar.text_contents().unwrap();
    assert!(ics.contains("DTSTART:20261128T090000Z"), "{ics}");
    let names: Vec<&str> = parsed
        .attachments()
        .filter_map(|a| a.attachment_name())
        .collect();
    assert_eq!(names, ["zaproszenie.ics"]);
}

#[tokio::test]
async fn a_relay_that_says_try_later_or_is_down_is_temporary_and_a_refusal_is_permanent() {
    let server = SmtpServer::start().await;
    let mailer = Mailer::smtp(&server.url(), 1, Duration::from_secs(2)).unwrap();
    let send = |id: &'static str| {
        let mailer = mailer.clone();
        async move {
            mailer
                .send(compose(&assignment(id)).unwrap(), Duration::from_secs(5))
                .await
        }
    };
    server.answer(Answer::TryLater);
    assert!(matches!(send("a").await, Err(SendError::Temporary(_))));
    server.answer(Answer::Refuse);
    assert!(matches!(send("b").await, Err(SendError::Permanent(_))));
    server.answer(Answer::Accept);
    send("c").await.unwrap();
    assert_eq!(server.received().len(), 1);

    let gone = SmtpServer::start().await;
    let url = gone.url();
    drop(gone);
    let nobody = Mailer::smtp(&url, 1, Duration::from_secs(2)).unwrap();
    let refused = nobody
        .send(compose(&assignment("d")).unwrap(), Duration::from_secs(5))
        .await;
    assert!(
        matches!(refused, Err(SendError::Temporary(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_embedded_mode_writes_eml_files_a_person_can_open() {
    let dir = std::env::temp_dir().join(format!("lacznik-mail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mailer = Mailer::files(dir.clone()).unwrap();
    mailer
        .send(compose(&assignment("e")).unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&files[0]).unwrap();
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        parsed.to().unwrap().first().unwrap().name(),
        Some("Zofia Łękawska")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
