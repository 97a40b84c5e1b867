//! Renders both documents and reads them back with poppler's `pdftotext`, the way a clerk's
//! PDF reader or a search index would see them: if the Polish letters survive extraction, the
//! font is embedded with a correct ToUnicode map.
#![allow(clippy::expect_used)] // test helpers: a failure is the test failing

use std::path::PathBuf;
use std::process::Command;

use chrono::NaiveDate;
use lacznik_documents::{
    AgreementData, CertificateData, DocumentError, Office, agreement_pdf, certificate_pdf,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn office() -> Office {
    Office {
        name: "Miejski Ośrodek Pomocy Rodzinie w Kielcach".into(),
        address: "ul. Studzienna 2, 25-544 Kielce".into(),
        phone: Some("41 367 64 00".into()),
        email: Some("wolontariat@mopr.kielce.pl".into()),
        city: "Kielce".into(),
    }
}

fn certificate() -> CertificateData {
    CertificateData {
        number: "ZW/2026/17".into(),
        office: office(),
        volunteer_name: "Zofia Łękawska-Żółć".into(),
        birth_date: Some(date(1990, 3, 12)),
        period_from: date(2026, 3, 1),
        period_to: date(2026, 10, 31),
        scope: vec![
            "pomoc w robieniu zakupów i załatwianiu spraw urzędowych osobom starszym".into(),
            "dotrzymywanie towarzystwa osobom samotnym, rozmowy i wspólne spacery".into(),
            "pomoc w odrabianiu lekcji dzieciom z rodzin objętych wsparciem asystenta rodziny"
                .into(),
        ],
        hours: "42,5".into(),
        opinion: Some(
            "Pani Zofia wykonywała powierzone zadania sumiennie i z dużym zaangażowaniem. \
             Podopieczni podkreślali jej życzliwość, punktualność i cierpliwość, a koordynatorzy \
             chwalili samodzielność w planowaniu wizyt.\n\n\
             Wolontariuszka chętnie uczestniczyła w szkoleniach i spotkaniach zespołu. \
             Z pełnym przekonaniem polecamy ją do dalszej pracy z osobami potrzebującymi wsparcia."
                .into(),
        ),
        issued_on: date(2026, 11, 22),
        signatory: "Anna Wójcik-Ślęzak".into(),
    }
}

const TERMINATION: &str = "Każda ze stron może rozwiązać porozumienie z zachowaniem \
    czternastodniowego okresu wypowiedzenia, składając drugiej stronie oświadczenie na piśmie.";

fn agreement_for_minor() -> AgreementData {
    let long_clause = (1..=14)
        .map(|n| {
            format!(
                "{n}) Wolontariusz zobowiązuje się do zachowania w tajemnicy wszelkich informacji \
                 dotyczących osób i rodzin korzystających z pomocy społecznej, w szczególności \
                 danych osobowych, informacji o stanie zdrowia i sytuacji rodzinnej, uzyskanych \
                 w związku z wykonywaniem świadczeń, również po rozwiązaniu porozumienia."
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    AgreementData {
        number: "POR/2026/41".into(),
        office: office(),
        office_representative: "Jan Kowalczyk".into(),
        volunteer_name: "Jędrzej Łuczyński".into(),
        volunteer_address: Some("ul. Źródlana 7/3, 25-001 Kielce".into()),
        birth_date: date(2010, 5, 9),
        guardian_name: Some("Małgorzata Łuczyńska".into()),
        title: "Porozumienie o wykonywaniu świadczeń wolontariackich".into(),
        clauses: vec![
            "Wolontariusz wykonuje świadczenia osobiście, w wymiarze uzgodnionym z \
             koordynatorem wolontariatu, nie więcej niż 8 godzin tygodniowo."
                .into(),
            "Świadczenia są wykonywane bez wynagrodzenia.".into(),
            long_clause,
            "Korzystający informuje Wolontariusza o ryzyku dla zdrowia i bezpieczeństwa \
             związanym z wykonywanymi świadczeniami oraz o zasadach ochrony przed zagrożeniami."
                .into(),
            "Korzystający pokrywa koszty podróży służbowych i diet na zasadach dotyczących \
             pracowników.\n\nWolontariusz może zwolnić Korzystającego z tego obowiązku na piśmie."
                .into(),
            "Korzystający zapewnia Wolontariuszowi ubezpieczenie od następstw nieszczęśliwych \
             wypadków, jeżeli świadczenia są wykonywane przez okres nie dłuższy niż 30 dni."
                .into(),
            TERMINATION.into(),
            "Porozumienie sporządzono w dwóch jednobrzmiących egzemplarzach, po jednym dla \
             każdej ze stron."
                .into(),
        ],
        scope: vec![
            "pomoc w świetlicy środowiskowej przy zajęciach dla dzieci".into(),
            "udział w zbiórkach żywności".into(),
        ],
        starts_on: date(2026, 3, 1),
        ends_on: None,
        signed_on: date(2026, 2, 20),
    }
}

/// Saves the PDF where it can be opened after a failure, and returns the path.
fn save(name: &str, pdf: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, pdf).expect("write PDF");
    path
}

/// Runs a poppler tool; a missing tool fails the test rather than skipping it, so a machine
/// without poppler cannot pass without checking anything.
fn poppler(tool: &str, args: &[&str], path: &PathBuf) -> String {
    let output = Command::new(tool).args(args).arg(path).arg("-").output().unwrap_or_else(|e| {
        panic!(
            "could not run `{tool}` ({e}); install poppler-utils (apt-get install -y poppler-utils)"
        )
    });
    assert!(
        output.status.success(),
        "{tool} failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 from poppler")
}

fn text_of(path: &PathBuf) -> String {
    poppler("pdftotext", &["-layout", "-enc", "UTF-8"], path)
}

fn page_count(path: &PathBuf) -> usize {
    let output = Command::new("pdfinfo").arg(path).output().unwrap_or_else(|e| {
        panic!("could not run `pdfinfo` ({e}); install poppler-utils (apt-get install -y poppler-utils)")
    });
    assert!(
        output.status.success(),
        "pdfinfo failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports Pages:")
}

/// Whitespace collapsed, so phrases that wrapped or were justified still match.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn certificate_text_survives_extraction() {
    let data = certificate();
    let pdf = certificate_pdf(&data).expect("render certificate");
    assert!(pdf.starts_with(b"%PDF-"));
    let path = save("certificate.pdf", &pdf);
    let text = text_of(&path);
    let flat_text = flat(&text);

    assert!(text.contains("ZAŚWIADCZENIE"), "no title in:\n{text}");
    assert!(text.to_lowercase().contains("zaświadczenie"));
    for expected in [
        "Zofia Łękawska-Żółć",
        "Miejski Ośrodek Pomocy Rodzinie w Kielcach",
        "ul. Studzienna 2, 25-544 Kielce",
        "ZW/2026/17",
        "42,5",
        "Kielce, 22 listopada 2026 r.",
        "od 1 marca 2026 r. do 31 października 2026 r.",
        "12.03.1990",
        "ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego i o wolontariacie",
        "Zakres wykonywanych świadczeń",
        "pomoc w odrabianiu lekcji dzieciom z rodzin objętych wsparciem asystenta rodziny",
        "Opinia",
        "sumiennie i z dużym zaangażowaniem",
        "życzliwość, punktualność i cierpliwość",
        "Z pełnym przekonaniem polecamy ją do dalszej pracy z osobami potrzebującymi wsparcia.",
        "Anna Wójcik-Ślęzak",
        "podpis koordynatora wolontariatu",
    ] {
        assert!(
            flat_text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert_eq!(page_count(&path), 1, "a short certificate fits one page");
}

#[test]
fn certificate_without_opinion_has_no_opinion_heading() {
    let data = CertificateData {
        opinion: None,
        birth_date: None,
        ..certificate()
    };
    let pdf = certificate_pdf(&data).expect("render certificate");
    let text = text_of(&save("certificate-no-opinion.pdf", &pdf));
    assert!(!text.contains("Opinia"), "unexpected opinion in:\n{text}");
    assert!(!text.contains("Data urodzenia"));
    assert!(text.contains("Zofia Łękawska-Żółć"));
}

#[test]
fn long_opinion_flows_onto_further_pages() {
    let paragraph =
        "Wolontariuszka z wielkim oddaniem wspierała podopiecznych ośrodka. ".repeat(12);
    let opinion = vec![paragraph; 12].join("\n\n") + "\n\nOSTATNIE ZDANIE OPINII.";
    let data = CertificateData {
        opinion: Some(opinion),
        ..certificate()
    };
    let path = save(
        "certificate-long.pdf",
        &certificate_pdf(&data).expect("render"),
    );
    assert!(page_count(&path) > 1);
    let text = text_of(&path);
    assert!(text.contains("OSTATNIE ZDANIE OPINII."));
    assert!(text.contains("strona 2 z"));
}

#[test]
fn agreement_for_a_minor_spans_pages_and_is_signed_by_the_guardian() {
    let data = agreement_for_minor();
    let pdf = agreement_pdf(&data).expect("render agreement");
    let path = save("agreement.pdf", &pdf);
    let text = text_of(&path);
    let flat_text = flat(&text);

    for n in 1..=8 {
        assert!(
            text.contains(&format!("§ {n}")),
            "§ {n} missing from:\n{text}"
        );
    }
    assert!(!text.contains("§ 9"));
    for expected in [
        "Porozumienie o wykonywaniu świadczeń wolontariackich",
        "POR/2026/41",
        "Miejski Ośrodek Pomocy Rodzinie w Kielcach",
        "Jędrzej Łuczyński",
        "09.05.2010",
        "ul. Źródlana 7/3, 25-001 Kielce",
        "Małgorzata Łuczyńska",
        "zawarte w dniu 20 lutego 2026 r. w miejscowości Kielce",
        "od 1 marca 2026 r., na czas nieokreślony",
        "udział w zbiórkach żywności",
        "14) Wolontariusz zobowiązuje się",
        TERMINATION,
        "podpis wolontariusza",
        "podpis przedstawiciela korzystającego",
        "podpis przedstawiciela ustawowego",
    ] {
        assert!(
            flat_text.contains(&flat(expected)),
            "{expected:?} missing from:\n{text}"
        );
    }
    let pages = page_count(&path);
    assert!(pages > 1, "expected a page break, got {pages} page(s)");
    assert!(text.contains(&format!("strona {pages} z {pages}")));
}

#[test]
fn adult_agreement_has_no_guardian_and_states_its_end() {
    let data = AgreementData {
        guardian_name: None,
        birth_date: date(1961, 9, 30),
        ends_on: Some(date(2026, 12, 31)),
        ..agreement_for_minor()
    };
    let text = text_of(&save(
        "agreement-adult.pdf",
        &agreement_pdf(&data).expect("render"),
    ));
    assert!(
        !text.contains("ustawow"),
        "guardian wording in an adult's agreement:\n{text}"
    );
    assert!(flat(&text).contains("w okresie od 1 marca 2026 r. do 31 grudnia 2026 r."));
}

#[test]
fn characters_the_font_lacks_do_not_fail_the_document() {
    let data = CertificateData {
        volunteer_name: "Zofia Łękawska-Żółć 🙂 王".into(),
        opinion: Some("Świetna współpraca ✓\tz\u{7}espołem.".into()),
        ..certificate()
    };
    let text = text_of(&save(
        "certificate-odd-chars.pdf",
        &certificate_pdf(&data).expect("render"),
    ));
    assert!(text.contains("Zofia Łękawska-Żółć"), "{text}");
    assert!(text.contains("Świetna współpraca"), "{text}");
}

#[test]
fn bad_data_is_rejected() {
    let no_scope = CertificateData {
        scope: vec![" ".into()],
        ..certificate()
    };
    assert!(matches!(
        certificate_pdf(&no_scope),
        Err(DocumentError::MissingField("scope"))
    ));

    let backwards = CertificateData {
        period_from: date(2026, 5, 1),
        period_to: date(2026, 4, 1),
        ..certificate()
    };
    assert!(matches!(
        certificate_pdf(&backwards),
        Err(DocumentError::InvalidPeriod { .. })
    ));

    let no_clauses = AgreementData {
        clauses: vec![],
        ..agreement_for_minor()
    };
    assert!(matches!(
        agreement_pdf(&no_clauses),
        Err(DocumentError::MissingField("clauses"))
    ));

    let ends_early = AgreementData {
        ends_on: Some(date(2026, 2, 1)),
        ..agreement_for_minor()
    };
    assert!(matches!(
        agreement_pdf(&ends_early),
        Err(DocumentError::InvalidPeriod { .. })
    ));
}

#[test]
fn output_is_deterministic_and_fonts_are_subset() {
    let first = certificate_pdf(&certificate()).expect("render");
    let second = certificate_pdf(&certificate()).expect("render");
    assert_eq!(first, second);
    // The two embedded faces are ~1.4 MB whole; subsets of the glyphs used are a few tens of kB.
    assert!(
        first.len() < 150_000,
        "certificate is {} bytes: fonts not subset?",
        first.len()
    );
}
