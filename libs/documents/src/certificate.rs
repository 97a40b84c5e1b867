//! The certificate of a volunteer's work ("zaświadczenie"). Art. 44 ust. 2 of the Act obliges
//! the office to issue it on the volunteer's request and to state the scope of the work; ust. 3
//! lets it add a written opinion on how the work was done.

use crate::format::{long_date, short_date};
use crate::layout::{Align, Composer, MM, Style};
use crate::parts::{ACT, Signature, letterhead, number_place_and_date, signatures};
use crate::{CertificateData, DocumentError, font::Fonts, render::render};
use crate::{non_blank, require, require_list, require_office, require_period};

pub fn certificate_pdf(data: &CertificateData) -> Result<Vec<u8>, DocumentError> {
    require("number", &data.number)?;
    require_office(&data.office)?;
    require("volunteer_name", &data.volunteer_name)?;
    require("hours", &data.hours)?;
    require("signatory", &data.signatory)?;
    require_list("scope", &data.scope)?;
    require_period(data.period_from, data.period_to)?;

    let fonts = Fonts::load()?;
    let mut c = Composer::new(&fonts);
    letterhead(&mut c, &data.office);
    number_place_and_date(
        &mut c,
        &format!("Nr {}", data.number.trim()),
        &data.office.city,
        &long_date(data.issued_on),
    );

    c.space(12.0 * MM);
    c.paragraph("ZAŚWIADCZENIE", Style::bold(20.0), Align::Center);
    c.space(1.0 * MM);
    c.paragraph(
        "o wykonaniu świadczeń przez wolontariusza",
        Style::regular(11.0),
        Align::Center,
    );
    c.space(10.0 * MM);

    c.paragraph(
        &format!(
            "Na podstawie art. 44 ust. 2 {ACT} zaświadcza się, że niżej wymieniona osoba \
             wykonywała świadczenia jako wolontariusz na rzecz: {}.",
            data.office.name.trim()
        ),
        Style::BODY,
        Align::Justify,
    );
    c.space(5.0 * MM);
    let label_width = 64.0 * MM;
    let bold = Style::BODY_BOLD;
    c.field(
        "Imię i nazwisko:",
        &[(data.volunteer_name.trim(), bold)],
        label_width,
    );
    if let Some(born) = data.birth_date {
        c.field(
            "Data urodzenia:",
            &[(&format!("{} r.", short_date(born)), bold)],
            label_width,
        );
    }
    let period = format!(
        "od {} do {}",
        long_date(data.period_from),
        long_date(data.period_to)
    );
    c.field(
        "Okres wykonywania świadczeń:",
        &[(&period, bold)],
        label_width,
    );
    c.field(
        "Łączna liczba godzin:",
        &[(data.hours.trim(), bold)],
        label_width,
    );

    c.space(6.0 * MM);
    c.keep(c.lines_height(4, Style::BODY));
    c.paragraph(
        "Zakres wykonywanych świadczeń:",
        Style::BODY_BOLD,
        Align::Left,
    );
    c.space(1.5 * MM);
    c.list(&non_blank(&data.scope), Style::BODY, |_| "•".to_owned());

    if let Some(opinion) = data.opinion.as_deref().filter(|o| !o.trim().is_empty()) {
        c.space(6.0 * MM);
        c.keep(c.lines_height(5, Style::BODY));
        c.paragraph("Opinia", Style::bold(12.0), Align::Left);
        c.paragraph(
            "o wykonaniu świadczeń przez wolontariusza, wydana na jego prośbę (art. 44 ust. 3 ustawy)",
            Style::SMALL,
            Align::Left,
        );
        c.space(2.0 * MM);
        c.paragraphs(opinion, Style::BODY, Align::Justify);
    }

    c.space(6.0 * MM);
    c.paragraph(
        "Zaświadczenie wydano na wniosek wolontariusza.",
        Style::BODY,
        Align::Left,
    );
    c.space(4.0 * MM);
    signatures(
        &mut c,
        &[
            Signature {
                caption: "pieczęć korzystającego",
                name: None,
            },
            Signature {
                caption: "podpis koordynatora wolontariatu",
                name: Some(data.signatory.as_str()),
            },
        ],
    );

    let pages = c.finish(&format!("Zaświadczenie nr {}", data.number.trim()));
    render(
        &pages,
        &fonts,
        &format!(
            "Zaświadczenie nr {} – {}",
            data.number.trim(),
            data.volunteer_name.trim()
        ),
    )
}
