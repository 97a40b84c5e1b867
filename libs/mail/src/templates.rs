//! The words of every email, in Polish (the default) and English, from the `email.requested`
//! contract (`docs/events.md`): a subject, paragraphs, an optional button with the action
//! link, and the office's card at the foot. Text and HTML come from the same parts, so they
//! never say different things; every value is escaped in HTML.

use chrono::{DateTime, Utc};
use lacznik_types::local_time::warsaw;
use serde_json::Value;

/// The sending office, as its footer shows it.
#[derive(Clone, Debug, Default)]
pub struct OfficeCard {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// What to render.
pub struct Request<'a> {
    pub template: &'a str,
    /// `pl` or `en`; anything else reads as `pl`.
    pub locale: &'a str,
    pub to_name: &'a str,
    pub link: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    pub data: &'a Value,
    pub office: &'a OfficeCard,
    /// For mail a person may refuse: the kind's name and the unsubscribe page, shown at the foot.
    pub unsubscribe: Option<Unsubscribe<'a>>,
}

/// The foot of a refusable email: what kind of mail this is and where to stop it.
#[derive(Clone, Copy, Debug)]
pub struct Unsubscribe<'a> {
    /// The kind's name in the recipient's language, e.g. „propozycje zadań”.
    pub label: &'a str,
    pub url: &'a str,
}

/// Every template there is.
pub const TEMPLATES: [&str; 20] = [
    "offer",
    "offer_filled",
    "assignment_confirmed",
    "assignment_cancelled",
    "assignment_changed",
    "visit_alert",
    "reminder",
    "password_reset",
    "login_link",
    "invitation",
    "signup_confirmation",
    "guardian_consent",
    "certificate_ready",
    "shift_signup",
    "agreement_due",
    "agreement_due_office",
    "check_expiring",
    "broadcast",
    "weekly_digest",
    "daily_digest",
];

/// Whether `template` exists.
pub fn exists(template: &str) -> bool {
    TEMPLATES.contains(&template)
}

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// No such template.
#[derive(Debug, thiserror::Error)]
#[error("unknown email template `{0}`")]
pub struct UnknownTemplate(pub String);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Pl,
    En,
}

/// The parts of one email before layout.
struct Parts {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    button: Option<String>,
}

/// A template value as text: a string as it is (trimmed), a number in figures.
fn s(data: &Value, key: &str) -> String {
    match &data[key] {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

fn when(at: Option<DateTime<Utc>>, lang: Lang) -> String {
    at.map(|at| {
        let local = warsaw(at);
        match lang {
            Lang::Pl => local.format("%d.%m.%Y, %H:%M").to_string(),
            Lang::En => local.format("%d %b %Y, %H:%M").to_string(),
        }
    })
    .unwrap_or_default()
}

fn parts(r: &Request<'_>, lang: Lang) -> Result<Parts, UnknownTemplate> {
    let d = r.data;
    let first = {
        let f = s(d, "first_name");
        if f.is_empty() {
            r.to_name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        } else {
            f
        }
    };
    let greeting = match (lang, first.is_empty()) {
        (Lang::Pl, false) => format!("Dzień dobry, {first}!"),
        (Lang::Pl, true) => "Dzień dobry!".to_owned(),
        (Lang::En, false) => format!("Hello {first},"),
        (Lang::En, true) => "Hello,".to_owned(),
    };
    let office = &r.office.name;
    let expires = when(r.expires_at, lang);
    let title = s(d, "need_title");
    let when_text = s(d, "when");
    let safety = s(d, "safety_info");
    let pl = lang == Lang::Pl;
    let p = |pl_text: String, en_text: String| if pl { pl_text } else { en_text };
    let parts = match r.template {
        "offer" => {
            let mut paragraphs = vec![
                p(
                    format!("{office} proponuje Ci zadanie: „{title}” ({}).", s(d, "kind_name")),
                    format!("{office} offers you a task: “{title}”."),
                ),
                p(format!("Kiedy: {when_text}."), format!("When: {when_text}.")),
            ];
            let district = s(d, "district");
            if !district.is_empty() {
                paragraphs.push(p(
                    format!("Gdzie: dzielnica {district} (dokładny adres po przyjęciu)."),
                    format!("Where: {district} district (the address once you accept)."),
                ));
            }
            if !safety.is_empty() {
                paragraphs.push(p(
                    format!("Ważne dla Twojego bezpieczeństwa: {safety}"),
                    format!("For your safety: {safety}"),
                ));
            }
            paragraphs.push(p(
                format!("Odpowiedz do {expires}. Jeśli nie możesz — to nic, po prostu odmów."),
                format!("Please answer by {expires}. If you cannot, just decline."),
            ));
            Parts {
                subject: p(format!("Propozycja: {title}"), format!("Offer: {title}")),
                greeting,
                paragraphs,
                button: Some(p("Zobacz i odpowiedz".into(), "See and answer".into())),
            }
        }
        "offer_filled" => Parts {
            subject: p(format!("Zadanie „{title}” jest już zajęte"), format!("“{title}” has been taken")),
            greeting,
            paragraphs: vec![p(
                format!("Dziękujemy za gotowość! Ktoś inny przyjął już zadanie „{title}”. Odezwiemy się z kolejną propozycją."),
                format!("Thank you for being ready to help! Someone else has already taken “{title}”. We will be in touch with another offer."),
            )],
            button: None,
        },
        "assignment_confirmed" => {
            let mut paragraphs = vec![
                p(format!("Zadanie „{title}” jest Twoje — dziękujemy!"), format!("“{title}” is yours — thank you!")),
                p(format!("Kiedy: {when_text}."), format!("When: {when_text}.")),
                p(
                    "Adres i telefon znajdziesz pod przyciskiem poniżej (do końca zadania). W załączniku jest zaproszenie do kalendarza.".into(),
                    "The address and phone number are behind the button below (until the task ends). A calendar invitation is attached.".into(),
                ),
            ];
            if !safety.is_empty() {
                paragraphs.push(p(format!("Ważne dla Twojego bezpieczeństwa: {safety}"), format!("For your safety: {safety}")));
            }
            Parts {
                subject: p(format!("Potwierdzenie: {title}"), format!("Confirmed: {title}")),
                greeting,
                paragraphs,
                button: Some(p("Szczegóły zadania".into(), "Task details".into())),
            }
        }
        "assignment_cancelled" => {
            let reason = s(d, "reason");
            let mut paragraphs = vec![p(
                format!("Zadanie „{title}” ({when_text}) zostało odwołane. Ten czas jest znów wolny."),
                format!("“{title}” ({when_text}) has been cancelled. That time is free again."),
            )];
            if !reason.is_empty() {
                paragraphs.push(p(format!("Powód: {reason}"), format!("Reason: {reason}")));
            }
            Parts {
                subject: p(format!("Odwołane: {title}"), format!("Cancelled: {title}")),
                greeting,
                paragraphs,
                button: None,
            }
        }
        "visit_alert" => {
            let missed = d["missed"].as_bool().unwrap_or(false);
            let concern = d["concern"].as_bool().unwrap_or(false);
            let what = match (missed, concern) {
                (true, true) => p("wizyta się nie odbyła, a wolontariusz zgłosił niepokojącą obserwację".into(), "the visit did not take place and the volunteer reported a concern".into()),
                (true, false) => p("wizyta się nie odbyła".into(), "the visit did not take place".into()),
                _ => p("wolontariusz zgłosił niepokojącą obserwację".into(), "the volunteer reported a concern".into()),
            };
            Parts {
                subject: p(format!("Uwaga: {title}"), format!("Attention: {title}")),
                greeting: p("Dzień dobry,".into(), "Hello,".into()),
                paragraphs: vec![
                    p(format!("W stałej parze „{title}” {what}."), format!("In the pairing “{title}”, {what}.")),
                    p("Szczegóły (notatka wolontariusza) są w systemie — skontaktuj się z podopiecznym i wolontariuszem.".into(), "The details (the volunteer's note) are in the system — please contact the beneficiary and the volunteer.".into()),
                ],
                button: None,
            }
        }
        "reminder" => Parts {
            subject: p(format!("Przypomnienie: {title}"), format!("Reminder: {title}")),
            greeting,
            paragraphs: vec![p(
                format!("Przypominamy o zadaniu „{title}”: {when_text}. Jeśli nie możesz przyjść, daj znać koordynatorowi jak najszybciej."),
                format!("A reminder of “{title}”: {when_text}. If you cannot come, please tell the coordinator as soon as possible."),
            )],
            button: Some(p("Szczegóły zadania".into(), "Task details".into())),
        },
        "password_reset" => Parts {
            subject: p("Ustaw nowe hasło".into(), "Set a new password".into()),
            greeting,
            paragraphs: vec![p(
                format!("Ktoś (mamy nadzieję, że Ty) poprosił o zmianę hasła. Link działa do {expires}. Jeśli to nie Ty, zignoruj tę wiadomość."),
                format!("Someone (hopefully you) asked to change your password. The link works until {expires}. If it was not you, ignore this email."),
            )],
            button: Some(p("Ustaw nowe hasło".into(), "Set a new password".into())),
        },
        "login_link" => Parts {
            subject: p(format!("Logowanie — {office}"), format!("Sign in — {office}")),
            greeting,
            paragraphs: vec![p(
                format!("Kliknij, aby się zalogować. Link działa do {expires} i tylko raz."),
                format!("Click to sign in. The link works once, until {expires}."),
            )],
            button: Some(p("Zaloguj się".into(), "Sign in".into())),
        },
        "invitation" => Parts {
            subject: p(format!("Zaproszenie do {office}"), format!("Invitation to {office}")),
            greeting,
            paragraphs: vec![p(
                format!("Zapraszamy Cię do systemu wolontariatu {office}. Zaproszenie jest ważne do {expires}."),
                format!("You are invited to the volunteering system of {office}. The invitation is valid until {expires}."),
            )],
            button: Some(p("Przyjmij zaproszenie".into(), "Accept the invitation".into())),
        },
        "signup_confirmation" => Parts {
            subject: p(format!("Potwierdź zgłoszenie — {office}"), format!("Confirm your sign-up — {office}")),
            greeting,
            paragraphs: vec![p(
                format!("Dziękujemy za zgłoszenie do wolontariatu! Potwierdź adres e-mail do {expires}; potem koordynator zaprosi Cię na rozmowę."),
                format!("Thank you for signing up to volunteer! Please confirm your email address by {expires}; then a coordinator will invite you for a talk."),
            )],
            button: Some(p("Potwierdzam".into(), "Confirm".into())),
        },
        "guardian_consent" => Parts {
            subject: p(format!("Zgoda na wolontariat — {office}"), format!("Consent to volunteering — {office}")),
            greeting,
            paragraphs: vec![p(
                format!("{} zgłosił(a) się na wolontariusza w {office}. Jako rodzic lub opiekun prawny możesz wyrazić zgodę do {expires}.", s(d, "volunteer_name")),
                format!("{} has signed up to volunteer at {office}. As a parent or legal guardian you can give your consent until {expires}.", s(d, "volunteer_name")),
            )],
            button: Some(p("Przejdź do zgody".into(), "Go to the consent".into())),
        },
        "certificate_ready" => Parts {
            subject: p(format!("Zaświadczenie nr {} jest gotowe", s(d, "number")), format!("Certificate no. {} is ready", s(d, "number"))),
            greeting,
            paragraphs: vec![p(
                "Twoje zaświadczenie o wykonywaniu świadczeń wolontariusza jest gotowe do odbioru w ośrodku lub do pobrania w systemie.".into(),
                "Your volunteering certificate is ready to collect at the office or to download in the system.".into(),
            )],
            button: None,
        },
        "assignment_changed" => {
            let mut paragraphs = vec![
                p(format!("Zmienił się termin zadania „{title}”."), format!("The time of “{title}” has changed.")),
                p(format!("Nowy termin: {when_text}."), format!("New time: {when_text}.")),
            ];
            let before = s(d, "previous_when");
            if !before.is_empty() {
                paragraphs.push(p(format!("Poprzednio: {before}."), format!("Previously: {before}.")));
            }
            paragraphs.push(p(
                "Zaproszenie w kalendarzu zaktualizuje się samo. Jeśli nowy termin Ci nie pasuje, daj znać koordynatorowi.".into(),
                "The calendar invitation updates itself. If the new time does not suit you, please tell the coordinator.".into(),
            ));
            Parts {
                subject: p(format!("Zmiana terminu: {title}"), format!("New time: {title}")),
                greeting,
                paragraphs,
                button: Some(p("Szczegóły zadania".into(), "Task details".into())),
            }
        }
        "shift_signup" => {
            let action = s(d, "action_title");
            let waitlisted = s(d, "status") == "waitlisted";
            let mut paragraphs = vec![if waitlisted {
                p(
                    format!("Jesteś na liście rezerwowej dyżuru „{action}” ({when_text}). Jeśli zwolni się miejsce, przesuniemy Cię na listę i damy znać."),
                    format!("You are on the waiting list for the shift of “{action}” ({when_text}). If a place frees up, we will move you up and let you know."),
                )
            } else {
                p(
                    format!("Jesteś zapisany(-a) na dyżur „{action}”: {when_text}. Zaproszenie do kalendarza jest w załączniku."),
                    format!("You are signed up for the shift of “{action}”: {when_text}. A calendar invitation is attached."),
                )
            }];
            let place = s(d, "place");
            if !place.is_empty() {
                paragraphs.push(p(format!("Miejsce: {place}."), format!("Place: {place}.")));
            }
            if !safety.is_empty() {
                paragraphs.push(p(format!("Ważne dla Twojego bezpieczeństwa: {safety}"), format!("For your safety: {safety}")));
            }
            Parts {
                subject: if waitlisted {
                    p(format!("Lista rezerwowa: {action}"), format!("Waiting list: {action}"))
                } else {
                    p(format!("Zapis na dyżur: {action}"), format!("Shift sign-up: {action}"))
                },
                greeting,
                paragraphs,
                button: None,
            }
        }
        "agreement_due" => Parts {
            subject: p("Porozumienie o wolontariacie — potrzebny podpis".into(), "Volunteering agreement — signature needed".into()),
            greeting,
            paragraphs: vec![
                p(
                    format!("Pomagasz z nami już od {} dni — dziękujemy! Od 31. dnia współpracy ustawa o działalności pożytku publicznego i o wolontariacie wymaga porozumienia na piśmie.", s(d, "days")),
                    format!("You have been helping us for {} days — thank you! From day 31 the Polish volunteering act requires a written agreement.", s(d, "days")),
                ),
                p(
                    format!("Umów się z koordynatorem na podpisanie porozumienia do {}; bez niego nie będziemy mogli proponować Ci kolejnych zadań po tym dniu.", s(d, "due_on")),
                    format!("Please arrange to sign the agreement with the coordinator by {}; without it we cannot offer you tasks after that day.", s(d, "due_on")),
                ),
            ],
            button: None,
        },
        "agreement_due_office" => Parts {
            subject: p(format!("Porozumienia do podpisania: {}", s(d, "count")), format!("Agreements to sign: {}", s(d, "count"))),
            greeting: p("Dzień dobry,".into(), "Hello,".into()),
            paragraphs: vec![p(
                format!("Wolontariuszy, których współpraca w ciągu tygodnia przekroczy 30 dni bez podpisanego porozumienia: {}. Lista jest w systemie (porozumienia do podpisania).", s(d, "count")),
                format!("Volunteers whose engagement passes 30 days within a week without a signed agreement: {}. The list is in the system (agreements due).", s(d, "count")),
            )],
            button: None,
        },
        "check_expiring" => {
            let what = match s(d, "check").as_str() {
                "criminal_record" => p("zaświadczenie o niekaralności (KRK)".into(), "criminal record certificate".into()),
                "sex_offender_register" => p("sprawdzenie w Rejestrze Sprawców Przestępstw na Tle Seksualnym".into(), "sex offender register check".into()),
                other => other.to_owned(),
            };
            Parts {
                subject: p("Zbliża się termin ważności sprawdzenia".into(), "A check is about to expire".into()),
                greeting,
                paragraphs: vec![
                    p(
                        format!("Twoje {what} jest ważne do {}. Bez ważnego sprawdzenia nie będziemy mogli proponować Ci zadań z dziećmi.", s(d, "valid_until")),
                        format!("Your {what} is valid until {}. Without a valid check we cannot offer you tasks with children.", s(d, "valid_until")),
                    ),
                    p("Skontaktuj się z koordynatorem, aby je odnowić.".into(), "Please contact the coordinator to renew it.".into()),
                ],
                button: None,
            }
        }
        "broadcast" => {
            let subject = s(d, "subject");
            let paragraphs = d["body"]
                .as_str()
                .unwrap_or_default()
                .split("\n\n")
                .map(|para| para.trim().to_owned())
                .filter(|para| !para.is_empty())
                .collect();
            Parts {
                subject,
                greeting,
                paragraphs,
                button: None,
            }
        }
        "weekly_digest" => {
            let needs = d["needs"].as_array().cloned().unwrap_or_default();
            let mut paragraphs = vec![p(
                format!("W tym tygodniu {office} szuka wolontariuszy do zadań, które pasują do Ciebie:"),
                format!("This week {office} is looking for volunteers for tasks that suit you:"),
            )];
            for need in &needs {
                let mut line = format!("• {}", s(need, "title"));
                let when_need = s(need, "when");
                if !when_need.is_empty() {
                    line.push_str(&format!(" — {when_need}"));
                }
                let district = s(need, "district");
                if !district.is_empty() {
                    line.push_str(&p(format!(" (dzielnica {district})"), format!(" ({district} district)")));
                }
                paragraphs.push(line);
            }
            paragraphs.push(p(
                "Chcesz pomóc? Odpowiedz na tę wiadomość albo zadzwoń do koordynatora — zaproponujemy Ci zadanie.".into(),
                "Would you like to help? Reply to this email or call the coordinator and we will offer you a task.".into(),
            ));
            Parts {
                subject: p(format!("Potrzeby w tym tygodniu: {}", needs.len()), format!("Needs this week: {}", needs.len())),
                greeting,
                paragraphs,
                button: None,
            }
        }
        "daily_digest" => {
            let items = d["items"].as_array().cloned().unwrap_or_default();
            let mut paragraphs = vec![p(
                format!("Wiadomości od {office} z ostatniej doby, zebrane w jedną:"),
                format!("Messages from {office} of the last day, in one email:"),
            )];
            for item in &items {
                let link = s(item, "link");
                paragraphs.push(if link.is_empty() {
                    format!("• {}", s(item, "subject"))
                } else {
                    format!("• {} — {link}", s(item, "subject"))
                });
            }
            Parts {
                subject: p(format!("Podsumowanie dnia: {} wiadomości", items.len()), format!("Daily digest: {} messages", items.len())),
                greeting,
                paragraphs,
                button: None,
            }
        }
        other => return Err(UnknownTemplate(other.to_owned())),
    };
    Ok(parts)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders the email in the recipient's language.
pub fn render(r: &Request<'_>) -> Result<Rendered, UnknownTemplate> {
    let lang = if r.locale.starts_with("en") {
        Lang::En
    } else {
        Lang::Pl
    };
    let parts = parts(r, lang)?;
    let card = &r.office;
    let footer: Vec<&str> = [
        card.name.as_str(),
        card.address.as_str(),
        card.phone.as_str(),
        card.email.as_str(),
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect();
    let button = parts.button.as_ref().filter(|_| !r.link.is_empty());

    let mut text = format!("{}\n\n", parts.greeting);
    for paragraph in &parts.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    if let Some(label) = button {
        text.push_str(&format!("{label}: {}\n\n", r.link));
    }
    text.push_str("-- \n");
    text.push_str(&footer.join("\n"));
    text.push('\n');
    let unsubscribe = r.unsubscribe.map(|u| {
        let words = match lang {
            Lang::Pl => format!(
                "Dostajesz tę wiadomość, bo masz włączone: {}. Nie chcesz ich dostawać albo wolisz raz dziennie? Zmień to tutaj:",
                u.label
            ),
            Lang::En => format!(
                "You get this email because you receive: {}. Rather not, or once a day? Change it here:",
                u.label
            ),
        };
        (words, u.url)
    });
    if let Some((words, url)) = &unsubscribe {
        text.push_str(&format!("\n{words}\n{url}\n"));
    }

    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"margin:0;padding:24px;background:#f4f6f8;font-family:Arial,Helvetica,sans-serif;color:#1f2933\">\
         <table role=\"presentation\" width=\"100%\" style=\"max-width:600px;margin:0 auto;background:#ffffff;border-radius:6px\">\
         <tr><td style=\"padding:24px\">",
        if lang == Lang::En { "en" } else { "pl" }
    );
    html.push_str(&format!(
        "<p style=\"font-size:13px;color:#56616e;margin:0 0 16px\">{}</p>",
        escape(&card.name)
    ));
    html.push_str(&format!(
        "<p style=\"font-size:16px\">{}</p>",
        escape(&parts.greeting)
    ));
    for paragraph in &parts.paragraphs {
        html.push_str(&format!(
            "<p style=\"font-size:16px;line-height:1.5\">{}</p>",
            escape(paragraph)
        ));
    }
    if let Some(label) = button {
        html.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#1f5fa8;color:#ffffff;\
             padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold\">{}</a></p>",
            escape(r.link),
            escape(label)
        ));
    }
    html.push_str("<hr style=\"border:none;border-top:1px solid #e1e6ec\"><p style=\"font-size:13px;color:#56616e\">");
    html.push_str(
        &footer
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("<br>"),
    );
    html.push_str("</p>");
    if let Some((words, url)) = &unsubscribe {
        html.push_str(&format!(
            "<p style=\"font-size:12px;color:#56616e\">{} <a href=\"{}\" style=\"color:#1f5fa8\">{}</a></p>",
            escape(words),
            escape(url),
            match lang {
                Lang::Pl => "Ustawienia powiadomień",
                Lang::En => "Notification settings",
            }
        ));
    }
    html.push_str("</td></tr></table></body></html>");
    Ok(Rendered {
        subject: parts.subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> OfficeCard {
        OfficeCard {
            name: "MOPR Kielce".into(),
            address: "ul. Studzienna 2, 25-544 Kielce".into(),
            phone: "41 340 50 00".into(),
            email: "wolontariat@mopr.kielce.example".into(),
        }
    }

    fn render_offer(locale: &str, data: Value) -> Rendered {
        render(&Request {
            template: "offer",
            locale,
            to_name: "Zofia Łękawska",
            link: "https://kielce.lacznik.example/wolontariat/oferta#token=abc",
            expires_at: Some("2026-11-27T11:00:00Z".parse().unwrap()),
            data: &data,
            office: &office(),
            unsubscribe: None,
        })
        .unwrap()
    }

    #[test]
    fn an_offer_reads_in_polish_with_the_link_and_the_office_card() {
        let data = serde_json::json!({
            "first_name": "Zofia", "need_title": "Zakupy dla pani Janiny",
            "kind_name": "zakupy i drobna pomoc w domu",
            "when": "sobota, 28 listopada 2026 r., 10:00–12:00", "district": "centrum",
            "safety_info": "W mieszkaniu jest pies <duży>."
        });
        let mail = render_offer("pl", data);
        assert_eq!(mail.subject, "Propozycja: Zakupy dla pani Janiny");
        assert!(mail.text.starts_with("Dzień dobry, Zofia!"));
        assert!(
            mail.text.contains("Odpowiedz do 27.11.2026, 12:00."),
            "{}",
            mail.text
        );
        assert!(mail.text.contains(
            "Zobacz i odpowiedz: https://kielce.lacznik.example/wolontariat/oferta#token=abc"
        ));
        assert!(mail.text.ends_with("wolontariat@mopr.kielce.example\n"));
        assert!(
            mail.html.contains("pies &lt;duży&gt;"),
            "values are escaped"
        );
        assert!(
            mail.html
                .contains("href=\"https://kielce.lacznik.example/wolontariat/oferta#token=abc\"")
        );
    }

    #[test]
    fn english_is_available_and_an_unknown_template_is_an_error() {
        let mail = render_offer(
            "en",
            serde_json::json!({"first_name": "Olena", "need_title": "Shopping"}),
        );
        assert_eq!(mail.subject, "Offer: Shopping");
        assert!(mail.text.starts_with("Hello Olena,"));
        let unknown = render(&Request {
            template: "nope",
            locale: "pl",
            to_name: "",
            link: "",
            expires_at: None,
            data: &Value::Null,
            office: &office(),
            unsubscribe: None,
        });
        assert!(unknown.is_err());
    }

    #[test]
    fn every_template_renders_in_both_languages_with_the_unsubscribe_foot() {
        let data = serde_json::json!({
            "first_name": "Zofia", "need_title": "Zakupy", "when": "sobota, 10:00–12:00",
            "subject": "Widzisz – Reaguj – Zadzwoń", "body": "Akapit pierwszy.\n\nAkapit drugi.",
            "needs": [{"title": "Spacer z panem Janem", "when": "wtorek", "district": "Bocianek"}],
            "items": [{"subject": "Propozycja: Zakupy", "link": "https://x/y"}],
            "action_title": "Zbiórka żywności", "status": "registered", "days": "24",
            "due_on": "12.12.2026", "count": "3", "check": "criminal_record", "valid_until": "31.12.2026"
        });
        for template in TEMPLATES {
            for locale in ["pl", "en"] {
                let mail = render(&Request {
                    template,
                    locale,
                    to_name: "Zofia Łękawska",
                    link: "https://kielce.lacznik.example/x#token=1",
                    expires_at: None,
                    data: &data,
                    office: &office(),
                    unsubscribe: Some(Unsubscribe {
                        label: "propozycje zadań",
                        url: "https://kielce.lacznik.example/wolontariat/wypisz?token=t",
                    }),
                })
                .unwrap();
                assert!(!mail.subject.is_empty(), "{template}/{locale}");
                assert!(
                    mail.text.contains("wolontariat/wypisz?token=t")
                        && mail.html.contains("wolontariat/wypisz?token=t"),
                    "{template}/{locale}"
                );
                assert!(mail.html.contains(&format!("lang=\"{locale}\"")));
            }
        }
        let broadcast = render(&Request {
            template: "broadcast",
            locale: "pl",
            to_name: "Zofia Łękawska",
            link: "",
            expires_at: None,
            data: &data,
            office: &office(),
            unsubscribe: None,
        })
        .unwrap();
        assert_eq!(broadcast.subject, "Widzisz – Reaguj – Zadzwoń");
        assert!(broadcast.text.contains("Akapit pierwszy.\n\nAkapit drugi."));
    }
}
