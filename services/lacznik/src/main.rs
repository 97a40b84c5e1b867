//! `lacznik`: the one command-line entry point. It parses arguments and configuration and
//! calls the library; nothing else happens here.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lacznik::tenants::TenantArgs;
use lacznik::{Component, demo};
use lacznik_config::Config;
use lacznik_identity::{TenantRecord, TenantStatus};

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
    /// Move events from the outbox and consume them (relay, notifications, statistics) without
    /// serving HTTP; run as many as the mail volume needs.
    Worker,
    /// Bring the database schema up to date.
    Migrate,
    /// Migrate, create the demo offices (Kielce, Płock, Czechowice-Dziedzice) and serve.
    Demo,
    /// Manage offices (tenants): create, list, suspend, activate.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Token keys: `lacznik keys public` prints the entry for other components' auth.public_keys.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Manage platform accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Statistics: `lacznik stats rebuild [--office <slug>]` recomputes them from the outbox.
    Stats {
        #[command(subcommand)]
        action: StatsAction,
    },
}

#[derive(Subcommand)]
enum StatsAction {
    /// Recompute an office's (or every office's) statistics from its event log (the outbox).
    Rebuild {
        /// Only this office (slug).
        #[arg(long)]
        office: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Print `<key id>=<public key>` of the token-signing key (creating the key if needed).
    Public,
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a platform admin (or, with --region, a regional admin). Without
    /// --password-stdin a random password is generated and printed once.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// First and last name.
        #[arg(long)]
        name: String,
        /// Make a regional admin of this voivodeship (TERYT code, e.g. 26) or `all`.
        #[arg(long)]
        region: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TenantAction {
    /// Register an office; it answers at <slug>.<base domain> and on each --host.
    Create(Box<TenantArgs>),
    /// List offices.
    List,
    /// Refuse an office's traffic (403); its data stays.
    Suspend { slug: String },
    /// Serve a suspended office again.
    Activate { slug: String },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    let telemetry = lacznik_telemetry::init(&config.telemetry)?;
    let embedded = config.database.url.is_none();
    match cli.command {
        Command::Migrate => lacznik::migrate(&config).await,
        Command::Worker => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            serve(&config, Component::Worker, &telemetry).await
        }
        Command::Serve { component } => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            let component = component.map_or(Component::All, Component::One);
            serve(&config, component, &telemetry).await
        }
        Command::Tenant { action } => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            tenant(&config, action).await
        }
        Command::Keys {
            action: KeysAction::Public,
        } => {
            #[allow(clippy::print_stdout)]
            {
                println!("{}", lacznik::public_key_entry(&config)?);
            }
            Ok(())
        }
        Command::User { action } => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            user(&config, action).await
        }
        Command::Stats {
            action: StatsAction::Rebuild { office },
        } => {
            if embedded {
                lacznik::migrate(&config).await?;
            }
            let done = lacznik::stats::rebuild(&config, office.as_deref()).await?;
            #[allow(clippy::print_stdout)]
            for office in done {
                println!(
                    "{:<24} przeliczono {} zdarzeń ({} policzonych, {} pominiętych)",
                    office.slug,
                    office.rebuilt.events,
                    office.rebuilt.applied.fresh,
                    office.rebuilt.applied.unusable
                );
            }
            Ok(())
        }
        Command::Demo => {
            lacznik::migrate(&config).await?;
            let seeded = demo::seed(&config)
                .await
                .context("seeding the demo offices failed")?;
            let running = lacznik::start(&config, Component::All, &telemetry).await?;
            print_welcome(&config, &seeded, embedded);
            wait_for_ctrl_c(running).await
        }
    }
}

async fn tenant(config: &Config, action: TenantAction) -> anyhow::Result<()> {
    match action {
        TenantAction::Create(args) => {
            let record = lacznik::tenants::create(config, *args).await?;
            print_tenants(config, &[record]);
        }
        TenantAction::List => print_tenants(config, &lacznik::tenants::list(config).await?),
        TenantAction::Suspend { slug } => {
            let record =
                lacznik::tenants::set_status(config, &slug, TenantStatus::Suspended).await?;
            print_tenants(config, &[record]);
        }
        TenantAction::Activate { slug } => {
            let record = lacznik::tenants::set_status(config, &slug, TenantStatus::Active).await?;
            print_tenants(config, &[record]);
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn user(config: &Config, action: UserAction) -> anyhow::Result<()> {
    match action {
        UserAction::CreateAdmin {
            email,
            name,
            region,
            password_stdin,
        } => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (lacznik::accounts::generate_password(), true)
            };
            let region = region.map(|r| (r != "all").then_some(r));
            let regional = region.is_some();
            lacznik::accounts::create_admin(
                config,
                &email,
                &name,
                region,
                &secrecy::SecretString::from(password.clone()),
            )
            .await?;
            let what = if regional {
                "administratora regionalnego"
            } else {
                "administratora platformy"
            };
            println!("Utworzono konto {what}: {email}");
            println!(
                "Logowanie: POST http://{}:{}/api/v1/identity/auth/login",
                config.gateway.base_domain,
                config.gateway.listen.port()
            );
            if generated {
                println!("Hasło (pokazywane tylko raz): {password}");
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_tenants(config: &Config, tenants: &[TenantRecord]) {
    if tenants.is_empty() {
        println!("Brak ośrodków. Dodaj pierwszy: lacznik tenant create --help");
    }
    for t in tenants {
        let status = match t.status {
            TenantStatus::Active => "aktywny",
            TenantStatus::Suspended => "ZAWIESZONY",
        };
        println!(
            "{:<24} {:<10} woj. {}  {}  http://{}.{}:{}/",
            t.slug,
            status,
            t.region_code,
            t.short_name,
            t.slug,
            config.gateway.base_domain,
            config.gateway.listen.port()
        );
        for host in &t.hosts {
            println!("{:<24} {:<10} także: {host}", "", "");
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
fn print_welcome(config: &Config, seeded: &demo::Seeded, embedded: bool) {
    let offices = &seeded.offices;
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
    println!(
        "Konta demonstracyjne (hasło każdego: {}):",
        lacznik::accounts::DEMO_PASSWORD
    );
    for account in &seeded.accounts {
        let at = match &account.office {
            Some(slug) => format!("http://{slug}.{domain}:{port}"),
            None => format!("http://{domain}:{port}"),
        };
        println!("  {:<44} {:<36} {at}", account.who, account.email);
    }
    println!(
        "  Logowanie: POST <adres>/api/v1/identity/auth/login  {{\"email\": …, \"password\": …}}"
    );
    println!();
    println!("  Zgłoszenie wolontariusza:  http://kielce.{domain}:{port}/wolontariat/zgloszenie");
    println!(
        "  Otwarte potrzeby (koord.): http://kielce.{domain}:{port}/api/v1/needs?status=open  \
         → /{{id}}/candidates → /{{id}}/offers"
    );
    println!("  Dokumentacja API:          http://{domain}:{port}/api/docs");
    println!("  Bez DNS dla *.{domain}:    http://127.0.0.1:{port}/t/kielce/api/v1/volunteers");
    println!(
        "  Dziennik wysyłek (koord.): http://kielce.{domain}:{port}/api/v1/notifications/deliveries"
    );
    if embedded {
        println!(
            "  Dane (SQLite):             {}/lacznik.db",
            config.data_dir.0.display()
        );
    }
    if config.notifications.smtp_url.is_none() {
        println!(
            "  Wysłane e-maile (.eml):    {}/mail/",
            config.data_dir.0.display()
        );
    }
    println!();
    println!("Zatrzymanie: Ctrl+C");
}
