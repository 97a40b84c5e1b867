//! CSV exports open in Polish Excel with correct Polish characters: UTF-8 with a BOM, `;`
//! between fields, a decimal comma, Polish headers; read back, they hold the same figures as
//! the JSON.

use reqwest::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};

use super::support::{apply, january, office_get, offices, platform_get, regional_admin, workers};

/// Splits a CSV document into records (quotes, doubled quotes and `;` inside quotes handled).
fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (';', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => field.push(c),
        }
    }
    records
}

/// The body of a CSV answer, checked to be UTF-8 with a BOM.
async fn csv(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "Excel needs the BOM to read UTF-8"
    );
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(text.ends_with("\r\n"));
    parse(text)
}

fn row<'a>(records: &'a [Vec<String>], first: &str, second: &str) -> &'a Vec<String> {
    records
        .iter()
        .find(|r| r[0] == first && r.get(1).is_some_and(|s| s == second))
        .unwrap_or_else(|| panic!("no row {first} / {second}"))
}

#[tokio::test]
async fn csv_exports_open_with_polish_characters_and_hold_the_figures() {
    let o = offices().await;
    let app = &o.app;
    let mut events = workers(9, "senior_company", january(14), 45);
    events.extend(workers(2, "tutoring", january(14), 30));
    apply(app, o.kielce, january(14), events).await;

    let records = csv(office_get(
        app,
        "kielce",
        "/api/v1/stats/dashboard?period=month&start=2026-01-01&format=csv",
    )
    .await)
    .await;
    assert_eq!(
        records[0],
        [
            "Rodzaj pomocy",
            "Wskaźnik",
            "Jednostka",
            "Okres: styczeń 2026",
            "Poprzedni okres: grudzień 2025",
            "Rok wcześniej: styczeń 2025",
        ]
    );
    assert!(records.iter().all(|r| r.len() == 6));
    let active = row(
        &records,
        "Wszystkie rodzaje pomocy",
        "Aktywni wolontariusze",
    );
    assert_eq!(active[3..], ["11", "0", "0"]);
    let hours = row(
        &records,
        "towarzyszenie osobom starszym",
        "Godziny wolontariatu",
    );
    // 9 × 45 minutes = 6.75 hours, shown to one decimal with a comma; the two tutors' hours
    // are hidden, and so are the senior companions' that would give them away.
    assert_eq!(hours[3], "#");
    let all_hours = row(&records, "Wszystkie rodzaje pomocy", "Godziny wolontariatu");
    assert_eq!(all_hours[3], "7,8");
    let tutors = row(
        &records,
        "korepetycje i pomoc w nauce dzieci",
        "Aktywni wolontariusze",
    );
    assert_eq!(tutors[3], "#");
    assert!(
        records
            .iter()
            .any(|r| r[1] == "Potrzeby wygasłe bez pomocy")
    );

    // The same through `Accept: text/csv`, and the voivodeship's comparison.
    let accepted = app
        .as_coordinator("kielce", Method::GET, "/api/v1/stats/dashboard")
        .await
        .header(ACCEPT, "text/csv")
        .send()
        .await
        .unwrap();
    csv(accepted).await;
    let token = regional_admin(app, Some("26")).await;
    let records = csv(platform_get(
        app,
        &token,
        "/api/v1/stats/regions/26/comparison?period=month&start=2026-01-01&format=csv",
    )
    .await)
    .await;
    let header = &records[0];
    assert_eq!(
        header[..3],
        ["Ośrodek", "Województwo", "Liczba mieszkańców"]
    );
    assert!(header.contains(&"Aktywni wolontariusze na 10 tys. mieszkańców".to_owned()));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let kielce = records.iter().find(|r| r[0] == "OPS kielce").unwrap();
    assert_eq!(kielce[1], "świętokrzyskie");
    assert_eq!(kielce[column("Aktywni wolontariusze")], "11");
    // 11 per 50,000 inhabitants = 2.2 per 10,000.
    assert_eq!(
        kielce[column("Aktywni wolontariusze na 10 tys. mieszkańców")],
        "2,20"
    );
    assert_eq!(kielce[column("Aktywni wolontariusze – miejsce")], "1");
    let total = records
        .iter()
        .find(|r| r[0] == "Razem województwo świętokrzyskie")
        .unwrap();
    assert_eq!(total[column("Aktywni wolontariusze")], "11");
    assert!(records.iter().any(|r| r[0] == "Mediana"));
    assert!(records.iter().all(|r| r.len() == header.len()));
}
