//! The `localgram` command.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use localgram::config::{Config, DEFAULT_PORT};

#[derive(Parser)]
#[command(
    name = "localgram",
    version,
    about = "Meta's Instagram Platform API, implemented locally"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Instagram APIs, the OAuth pages and the control API on one port.
    Serve(ServeArgs),
    /// Print the control API's OpenAPI document.
    Openapi,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    listen: SocketAddr,
    /// Directory of the SQLite database (created and migrated at start).
    #[arg(long, conflicts_with = "ephemeral")]
    data: Option<PathBuf>,
    /// Keep all state only while localgram runs (the default when --data is not given).
    #[arg(long)]
    ephemeral: bool,
    /// Keep the state in PostgreSQL instead of SQLite (`postgres://user@host/db`): every
    /// instance started with the same URL serves the same Instagram.
    #[arg(long, env = "LOCALGRAM_DATABASE_URL", conflicts_with = "ephemeral")]
    database: Option<String>,
    /// Create a demo app, accounts, people and media, and print tokens and example calls.
    #[arg(long)]
    demo: bool,
    /// Make ids reproducible: the same seed and the same calls give the same ids.
    #[arg(long)]
    seed: Option<u64>,
    /// API-published posts an account may make per rolling 24 hours (the documents say 100
    /// and 50; see docs/decisions.md).
    #[arg(long, default_value_t = localgram::publishing::limits::DEFAULT_PUBLISH_LIMIT)]
    publish_limit: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "localgram=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            println!("{}", localgram::sim::OPENAPI);
            ExitCode::SUCCESS
        }
        Command::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let config = Config {
        listen: args.listen,
        data_dir: if args.ephemeral { None } else { args.data },
        database_url: args.database,
        seed: args.seed,
        demo: args.demo,
        publishing: localgram::publishing::Settings {
            publish_limit: args.publish_limit,
            ..Default::default()
        },
        ..Config::default()
    };
    let server = match localgram::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("localgram: {error}");
            return ExitCode::FAILURE;
        }
    };
    let base = server.base_url();
    eprintln!("localgram listening on {base}");
    if args.demo {
        match localgram::demo::describe(&server.state, &base) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("localgram: cannot describe the demo: {}", error.message),
        }
    }
    match server.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("localgram: {error}");
            ExitCode::FAILURE
        }
    }
}
