//! `lacznik tenant …` as an operator uses it, on the embedded default in an empty directory.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is the test failing

use std::path::Path;
use std::process::{Command, Output};

fn lacznik(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lacznik"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const KIELCE: [&str; 26] = [
    "tenant",
    "create",
    "--slug",
    "kielce",
    "--name",
    "Miejski Ośrodek Pomocy Rodzinie w Kielcach",
    "--short-name",
    "MOPR Kielce",
    "--region",
    "26",
    "--population",
    "183000",
    "--street-address",
    "ul. Studzienna 2",
    "--postal-code",
    "25-544",
    "--city",
    "Kielce",
    "--phone",
    "41 331 25 24",
    "--email",
    "wolontariat@mopr.kielce.example",
    "--office-hours",
    "poniedziałek–piątek 7:30–15:30",
    "--host",
    "wolontariat.kielce.example",
];

#[test]
fn offices_are_created_listed_and_suspended() {
    let dir = std::env::temp_dir().join(format!("lacznik-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let empty = lacznik(&dir, &["tenant", "list"]);
    assert!(empty.status.success(), "{}", text(&empty.stderr));
    assert!(text(&empty.stdout).contains("Brak ośrodków"));

    let created = lacznik(&dir, &KIELCE);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).contains("kielce"));

    let again = lacznik(&dir, &KIELCE);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("już istnieje"),
        "{}",
        text(&again.stderr)
    );

    let mut bad = KIELCE;
    bad[3] = "Zły Ośrodek";
    bad[9] = "15";
    bad[15] = "25544";
    let refused = lacznik(&dir, &bad);
    assert!(!refused.status.success());
    let why = text(&refused.stderr);
    for flag in ["--slug", "--region", "--postal-code"] {
        assert!(why.contains(flag), "{flag} not explained in: {why}");
    }

    let suspended = lacznik(&dir, &["tenant", "suspend", "kielce"]);
    assert!(suspended.status.success(), "{}", text(&suspended.stderr));
    let listed = text(&lacznik(&dir, &["tenant", "list"]).stdout);
    assert_eq!(
        listed.lines().filter(|l| l.starts_with("kielce")).count(),
        1
    );
    assert!(listed.contains("ZAWIESZONY"));
    assert!(listed.contains("wolontariat.kielce.example"));

    let activated = lacznik(&dir, &["tenant", "activate", "kielce"]);
    assert!(activated.status.success());
    assert!(text(&lacznik(&dir, &["tenant", "list"]).stdout).contains("aktywny"));

    let unknown = lacznik(&dir, &["tenant", "suspend", "radom"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("nie ma ośrodka"));
    let _ = std::fs::remove_dir_all(&dir);
}
