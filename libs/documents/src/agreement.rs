//! The volunteer agreement ("porozumienie"). Art. 44 ust. 1 of the Act requires it to set the
//! scope, manner and time of the work and to provide for its termination; the scope and time
//! come from the data, the rest from the office's template clauses.

use crate::format::{long_date, short_date};
use crate::layout::{Align, Composer, MM, Style};
use crate::parts::{ACT, Signature, letterhead, place_and_date, signatures};
use crate::{AgreementData, DocumentError, font::Fonts, render::render};
use crate::{non_blank, require, require_list, require_office, require_period};

pub fn agreement_pdf(data: &AgreementData) -> Result<Vec<u8>, DocumentError> {
    require("number", &data.number)?;
    require_office(&data.office)?;
    require("office_representative", &data.office_representative)?;
    require("volunteer_name", &data.volunteer_name)?;
    require("title", &data.title)?;
    require_list("scope", &data.scope)?;
    require_list("clauses", &data.clauses)?;
    if let Some(ends_on) = data.ends_on {
        require_period(data.starts_on, ends_on)?;
    }
    let guardian = data
        .guardian_name
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());

    let fonts = Fonts::load()?;
    let mut c = Composer::new(&fonts);
    letterhead(&mut c, &data.office);
    place_and_date(&mut c, &data.office.city, &long_date(data.signed_on));

    c.space(8.0 * MM);
    c.paragraph(data.title.trim(), Style::bold(15.0), Align::Center);
    c.paragraph(
        &format!("nr {}", data.number.trim()),
        Style::regular(10.0),
        Align::Center,
    );
    c.space(6.0 * MM);

    // "w miejscowości" keeps the city in the nominative, as the data gives it.
    c.paragraph(
        &format!(
            "zawarte w dniu {} w miejscowości {}, na podstawie art. 44 ust. 1 {ACT}, pomiędzy:",
            long_date(data.signed_on),
            data.office.city.trim()
        ),
        Style::BODY,
        Align::Justify,
    );
    c.space(3.0 * MM);
    let label_width = 55.0 * MM;
    let (bold, body) = (Style::BODY_BOLD, Style::BODY);
    let representative = format!(
        "reprezentowany przez: {}",
        data.office_representative.trim()
    );
    c.field(
        "Korzystający:",
        &[
            (data.office.name.trim(), bold),
            (data.office.address.trim(), body),
            (&representative, body),
            ("zwany dalej „Korzystającym”,", body),
        ],
        label_width,
    );
    c.space(2.0 * MM);
    c.paragraph("a", body, Align::Left);
    c.space(2.0 * MM);
    let born = format!("data urodzenia: {} r.", short_date(data.birth_date));
    let address = data
        .volunteer_address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| format!("adres zamieszkania: {a}"));
    let mut volunteer = vec![(data.volunteer_name.trim(), bold), (born.as_str(), body)];
    if let Some(address) = &address {
        volunteer.push((address.as_str(), body));
    }
    volunteer.push(("zwany dalej „Wolontariuszem”.", body));
    c.field("Wolontariusz:", &volunteer, label_width);
    if let Some(guardian) = guardian {
        c.space(3.0 * MM);
        c.field("Przedstawiciel ustawowy:", &[(guardian, bold)], label_width);
        c.space(1.0 * MM);
        c.paragraph(
            "Przedstawiciel ustawowy małoletniego Wolontariusza wyraża zgodę na zawarcie \
             porozumienia i podpisuje je wraz z Wolontariuszem.",
            body,
            Align::Justify,
        );
    }

    c.space(6.0 * MM);
    c.keep(c.lines_height(5, Style::BODY));
    c.paragraph(
        "Zakres i czas wykonywania świadczeń",
        Style::bold(11.0),
        Align::Left,
    );
    c.space(1.5 * MM);
    c.paragraph(
        "Wolontariusz wykonuje na rzecz Korzystającego świadczenia w zakresie:",
        Style::BODY,
        Align::Left,
    );
    c.space(1.0 * MM);
    c.list(&non_blank(&data.scope), Style::BODY, |_| "•".to_owned());
    c.space(1.0 * MM);
    let period = match data.ends_on {
        Some(ends_on) => format!(
            "Świadczenia są wykonywane w okresie od {} do {}.",
            long_date(data.starts_on),
            long_date(ends_on)
        ),
        None => format!(
            "Świadczenia są wykonywane od {}, na czas nieokreślony.",
            long_date(data.starts_on)
        ),
    };
    c.paragraph(&period, Style::BODY, Align::Left);

    for (i, clause) in non_blank(&data.clauses).iter().enumerate() {
        c.space(5.0 * MM);
        // The paragraph sign goes with at least the first two lines of its text.
        c.keep(c.lines_height(4, Style::BODY));
        c.paragraph(&format!("§ {}.", i + 1), Style::BODY_BOLD, Align::Center);
        c.space(1.0 * MM);
        c.paragraphs(clause, Style::BODY, Align::Justify);
    }

    c.space(10.0 * MM);
    let mut slots = vec![
        Signature {
            caption: "podpis wolontariusza",
            name: Some(data.volunteer_name.as_str()),
        },
        Signature {
            caption: "podpis przedstawiciela korzystającego",
            name: Some(data.office_representative.as_str()),
        },
    ];
    if let Some(guardian) = guardian {
        slots.push(Signature {
            caption: "podpis przedstawiciela ustawowego",
            name: Some(guardian),
        });
    }
    signatures(&mut c, &slots);

    let pages = c.finish(&format!("Porozumienie nr {}", data.number.trim()));
    render(
        &pages,
        &fonts,
        &format!("{} nr {}", data.title.trim(), data.number.trim()),
    )
}
