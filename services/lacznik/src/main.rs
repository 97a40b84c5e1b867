//! `lacznik`: the one command-line entry point. It parses arguments and configuration and
//! calls the library; nothing else happens here.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lacznik::{Component, demo};
use lacznik_config::Config;

#[derive(Parser)]
#[command(
    name = "lacznik",
    version,
    about = "Łącznik — platforma centrów wolontariatu ośrodków pomocy społecznej"
)]
struct Cli {
    /// Configuration file (TOML). Without it: built-in defaults plus LACZNIK__… variables.
    #[arg(long, short, env = "LACZNIK_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway and every service (or just one: gateway, identity, volunteers).
    Serve {
        /// One component to run instead of all.
        component: Option<String>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Migrate, create the demo offices (Kielce, Płock, Czechowice-Dziedzice) and serve.
    Demo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    let telemetry = lacznik_telemetry::init(&config.telemetry)?;
    let embedded = config.database.url.is_none();
    match cli.command {
        Command::Migrate => lacznik::migrate(&config).await,
        Command::Serve { component } => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            let component = component.map_or(Component::All, Component::One);
            serve(&config, component, &telemetry).await
        }
        Command::Demo => {
            lacznik::migrate(&config).await?;
            let offices = demo::seed(&config)
                .await
                .context("seeding the demo offices failed")?;
            let running = lacznik::start(&config, Component::All, &telemetry).await?;
            print_welcome(&config, &offices, embedded);
            wait_for_ctrl_c(running).await
        }
    }
}

async fn serve(
    config: &Config,
    component: Component,
    telemetry: &lacznik_telemetry::Telemetry,
) -> anyhow::Result<()> {
    let running = lacznik::start(config, component, telemetry).await?;
    wait_for_ctrl_c(running).await
}

async fn wait_for_ctrl_c(running: lacznik::Running) -> anyhow::Result<()> {
    let shutdown = running.shutdown_handle();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down");
            let _ = shutdown.send(true);
        }
    });
    running.wait().await
}

#[allow(clippy::print_stdout)]
fn print_welcome(config: &Config, offices: &[demo::SeededOffice], embedded: bool) {
    let port = config.gateway.listen.port();
    let domain = &config.gateway.base_domain;
    println!();
    println!("Łącznik działa. Ośrodki demonstracyjne:");
    for office in offices {
        let note = if office.created {
            format!("{} wolontariuszy", office.volunteers)
        } else {
            "już istniał".to_owned()
        };
        println!(
            "  {:<26} http://{}.{domain}:{port}/api/v1/volunteers   ({note})",
            office.short_name, office.slug
        );
    }
    println!();
    println!("  Dokumentacja API:          http://{domain}:{port}/api/docs");
    println!("  Bez DNS dla *.{domain}:    http://127.0.0.1:{port}/t/kielce/api/v1/volunteers");
    if embedded {
        println!(
            "  Dane (SQLite):             {}/lacznik.db",
            config.data_dir.0.display()
        );
    }
    println!();
    println!("Zatrzymanie: Ctrl+C");
}
