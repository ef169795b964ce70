//! The `localgram` command.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use localgram::config::{Config, DEFAULT_PORT};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "localgram",
    version,
    about = "Meta's Instagram Platform API, implemented locally"
)]
struct Cli {
    #[command(flatten)]
    target: localgram::cli::Target,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Instagram APIs, the OAuth pages and the control API on one port.
    Serve(ServeArgs),
    /// Print the control API's OpenAPI document.
    Openapi,
    /// Print the local CA's certificate (PEM), creating the CA if needed.
    Ca(CaArgs),
    /// Print `export` lines that point unmodified clients at the proxy and trust the CA.
    Env(EnvArgs),
    /// Control commands against a running localgram (`--url`).
    #[command(flatten)]
    Control(localgram::cli::ControlCommand),
    /// Arm, list and clear faults on a running localgram (`/_localgram/faults`).
    Faults(FaultsArgs),
}

#[derive(clap::Args)]
struct FaultsArgs {
    #[command(subcommand)]
    action: FaultAction,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum FaultAction {
    /// Arm a fault; prints it as stored (with its id).
    Add(NewFault),
    /// Every fault with how often it matched and fired.
    List,
    /// One fault.
    Show { id: String },
    /// Disarm one fault, or all of them.
    Clear { id: Option<String> },
}

/// A fault's fields (see `POST /_localgram/faults` in the OpenAPI document).
#[derive(clap::Args)]
struct NewFault {
    /// outage, throttled, token_invalidated, media_unfetchable, container_stuck, webhooks_paused.
    #[arg(long)]
    preset: Option<String>,
    /// GET, POST or DELETE.
    #[arg(long)]
    method: Option<String>,
    /// A path template (`/{ig-user-id}/media`) or a concrete path.
    #[arg(long)]
    path: Option<String>,
    #[arg(long)]
    account_id: Option<String>,
    #[arg(long)]
    app_id: Option<String>,
    #[arg(long)]
    status: Option<u16>,
    #[arg(long)]
    code: Option<i64>,
    #[arg(long)]
    subcode: Option<i64>,
    #[arg(long)]
    message: Option<String>,
    #[arg(long)]
    times: Option<u64>,
    #[arg(long)]
    probability: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    latency_ms: Option<u64>,
    /// Apply the change, then answer the error.
    #[arg(long)]
    apply: bool,
    /// throttled: app, user, page, api or instagram.
    #[arg(long)]
    limit: Option<String>,
}

impl NewFault {
    fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({
            "preset": self.preset, "method": self.method, "path": self.path,
            "account_id": self.account_id, "app_id": self.app_id, "status": self.status,
            "code": self.code, "subcode": self.subcode, "message": self.message,
            "times": self.times, "probability": self.probability, "seed": self.seed,
            "latency_ms": self.latency_ms, "limit": self.limit,
        });
        if let serde_json::Value::Object(fields) = &mut body {
            fields.retain(|_, v| !v.is_null());
            if self.apply {
                fields.insert("apply".into(), true.into());
            }
        }
        body
    }
}

/// Where the CA lives: `--ca-dir`, else `DATA/ca` with `--data`, else
/// `$XDG_DATA_HOME/localgram/ca` (or `~/.local/share/localgram/ca`).
#[derive(clap::Args)]
struct CaLocation {
    /// The data directory `serve --data` uses (its CA is in `DATA/ca`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The CA directory, overriding the default.
    #[arg(long)]
    ca_dir: Option<PathBuf>,
}

impl CaLocation {
    fn load(&self) -> Result<localgram::proxy::Authority, localgram::proxy::ca::CaError> {
        let dir = self
            .ca_dir
            .clone()
            .unwrap_or_else(|| localgram::proxy::ca::default_dir(self.data.as_deref()));
        localgram::proxy::Authority::load_or_create(&dir)
    }
}

#[derive(clap::Args)]
struct CaArgs {
    #[command(flatten)]
    location: CaLocation,
    /// Write the certificate to this file instead of printing it.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct EnvArgs {
    #[command(flatten)]
    location: CaLocation,
    /// The proxy address `serve --proxy` listens on.
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], localgram::proxy::DEFAULT_PROXY_PORT)))]
    proxy: SocketAddr,
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
    /// Seconds a webhook callback has to answer before the delivery counts as failed.
    #[arg(long, value_name = "SECONDS", default_value_t = localgram::webhooks::DEFAULT_TIMEOUT.as_secs_f64())]
    webhook_timeout: f64,
    /// Virtual days a finished webhook delivery keeps its requests (bodies, headers, answers)
    /// before retention prunes them; its outcome stays in the log.
    #[arg(long, value_name = "DAYS", default_value_t = 7.0)]
    webhook_retention_days: f64,
    /// How many of the newest webhook deliveries keep their requests.
    #[arg(long, value_name = "COUNT", default_value_t = localgram::webhooks::retention::DEFAULT_MAX_DELIVERIES as u64)]
    webhook_retention_count: u64,
    /// Also act as an HTTP proxy here (127.0.0.1:4180 if no address is given): Meta's hosts
    /// are answered by localgram (HTTPS with the local CA), other hosts pass through.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:4180")]
    proxy: Option<SocketAddr>,
    /// Refuse (403) hosts localgram does not serve instead of passing them through.
    #[arg(long, requires = "proxy")]
    proxy_only_meta: bool,
    /// Also serve Meta's hostnames over HTTPS here (127.0.0.1:4443 if no address is given),
    /// for containers that map graph.facebook.com and the others to localgram.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:4443")]
    tls_listen: Option<SocketAddr>,
    /// The CA directory (default: DATA/ca with --data, else ~/.local/share/localgram/ca).
    #[arg(long)]
    ca_dir: Option<PathBuf>,
    /// Rate limits at Meta's numbers times this factor (0.001 reaches the Business Use Case
    /// budget in a few thousand calls); `0` or `off` turns every limit and usage header off.
    #[arg(
        long,
        env = "LOCALGRAM_RATE_LIMIT_SCALE",
        value_name = "F|off",
        default_value = "1"
    )]
    rate_limit_scale: String,
    /// One limit at exactly N calls per window, whatever the scale: `instagram=5`,
    /// `conversations=1`, ... (repeatable; names: app, user, instagram, conversations,
    /// private_replies, private_replies_live, send_text, send_media, oembed,
    /// creator_marketplace, creator_marketplace_app).
    #[arg(long = "rate-limit", value_name = "NAME=N")]
    rate_limits: Vec<String>,
    /// The impressions an account's Business Use Case budget (4,800 calls per impression per
    /// 24 hours) is computed from.
    #[arg(long, value_name = "N", default_value_t = localgram::limits::DEFAULT_IMPRESSIONS)]
    impressions: u64,
    /// Start from this snapshot (a `localgram snapshot export` file), replacing the state.
    #[arg(long, value_name = "FILE")]
    import: Option<PathBuf>,
    /// On a clean stop (Ctrl-C, SIGTERM), write the state to this snapshot file.
    #[arg(long, value_name = "FILE")]
    export_on_exit: Option<PathBuf>,
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
            println!("{}", localgram::sim::openapi::document());
            ExitCode::SUCCESS
        }
        Command::Serve(args) => serve(args, cli.target.control_token).await,
        Command::Control(command) => localgram::cli::run(cli.target, command).await,
        Command::Ca(args) => ca(args),
        Command::Env(args) => env(args),
        Command::Faults(args) => faults(cli.target, args).await,
    }
}

/// `localgram faults ...`: the control API's fault routes from the command line, against the
/// localgram `--url` names, answering its JSON (errors as one line, as every control command).
async fn faults(target: localgram::cli::Target, args: FaultsArgs) -> ExitCode {
    use reqwest::Method;
    let client = localgram::cli::Client::new(&target.url, target.control_token.clone());
    let request = match &args.action {
        FaultAction::Add(fault) => client.request(Method::POST, "/faults").json(&fault.body()),
        FaultAction::List => client.request(Method::GET, "/faults"),
        FaultAction::Show { id } => client.request(Method::GET, &format!("/faults/{id}")),
        FaultAction::Clear { id: Some(id) } => {
            client.request(Method::DELETE, &format!("/faults/{id}"))
        }
        FaultAction::Clear { id: None } => client.request(Method::DELETE, "/faults"),
    };
    match client.send(request).await {
        Ok(answer) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&answer).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("localgram: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn ca(args: CaArgs) -> ExitCode {
    let authority = match args.location.load() {
        Ok(authority) => authority,
        Err(error) => {
            eprintln!("localgram: {error}");
            return ExitCode::FAILURE;
        }
    };
    match args.out {
        Some(path) => match std::fs::write(&path, authority.cert_pem()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("localgram: cannot write {}: {error}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            print!("{}", authority.cert_pem());
            ExitCode::SUCCESS
        }
    }
}

fn env(args: EnvArgs) -> ExitCode {
    let written = args
        .location
        .load()
        .and_then(|authority| Ok((authority.write_bundle()?, authority.cert_path())));
    match written {
        Ok((bundle, cert)) => {
            print!(
                "{}",
                localgram::proxy::env::lines(args.proxy, &cert, &bundle)
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("localgram: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs, control_token: Option<String>) -> ExitCode {
    let rate_limits = match rate_limit_settings(&args) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("localgram: {error}");
            return ExitCode::FAILURE;
        }
    };
    let config = Config {
        rate_limits,
        listen: args.listen,
        data_dir: if args.ephemeral { None } else { args.data },
        database_url: args.database,
        seed: args.seed,
        demo: args.demo,
        webhook_timeout: match std::time::Duration::try_from_secs_f64(args.webhook_timeout) {
            Ok(timeout) if !timeout.is_zero() => timeout,
            _ => {
                eprintln!("localgram: --webhook-timeout must be a positive number of seconds");
                return ExitCode::FAILURE;
            }
        },
        webhook_retention: {
            let days = args.webhook_retention_days;
            if !(days.is_finite() && days >= 0.0) {
                eprintln!(
                    "localgram: --webhook-retention-days must be a number of days, 0 or more"
                );
                return ExitCode::FAILURE;
            }
            localgram::webhooks::retention::Retention {
                max_age_ms: (days * 86_400_000.0) as i64,
                max_deliveries: i64::try_from(args.webhook_retention_count).unwrap_or(i64::MAX),
            }
        },
        publishing: localgram::publishing::Settings {
            publish_limit: args.publish_limit,
            ..Default::default()
        },
        proxy: localgram::proxy::ProxyConfig {
            proxy: args.proxy,
            tls_listen: args.tls_listen,
            only_meta: args.proxy_only_meta,
            ca_dir: args.ca_dir,
        },
        control_token,
        import: args.import.clone(),
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
    match server.state.config.required_control_token() {
        None => {
            eprintln!("localgram console: {base}/_localgram/console");
            eprintln!("localgram control API reference: {base}/_localgram/console/api");
        }
        Some(token) => {
            eprintln!("localgram listens beyond loopback: the control API and the console need the control token {token}");
            eprintln!("localgram console: {base}/_localgram/console?localgram_token={token}");
            eprintln!("localgram control API reference: {base}/_localgram/console/api?localgram_token={token}");
        }
    }
    let front = &server.front;
    if let Some(addr) = front.proxy_addr {
        eprintln!("localgram proxy on http://{addr} (Meta's hosts answered here; `localgram env` prints the settings)");
    }
    if let Some(addr) = front.tls_addr {
        eprintln!("localgram HTTPS for Meta's hostnames on {addr}");
    }
    if let Some(authority) = &front.authority {
        eprintln!(
            "localgram CA certificate: {}",
            authority.cert_path().display()
        );
    }
    if args.demo {
        match localgram::demo::describe(&server.state, &base).await {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("localgram: cannot describe the demo: {}", error.message),
        }
    }
    let state = server.state.clone();
    let stopped = server.wait().await;
    if let Some(path) = &args.export_on_exit {
        match localgram::snapshot_file::export(&state, path).await {
            Ok(()) => eprintln!("localgram exported the state to {}", path.display()),
            Err(error) => {
                eprintln!("localgram: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("localgram: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The rate-limit settings `serve`'s flags ask for: Meta's numbers unless told otherwise.
fn rate_limit_settings(args: &ServeArgs) -> Result<localgram::limits::Settings, String> {
    let mut settings = localgram::limits::Settings::meta();
    settings.scale = localgram::limits::Settings::parse_scale(&args.rate_limit_scale)?;
    settings.default_impressions = args.impressions;
    for text in &args.rate_limits {
        let (limit, n) = localgram::limits::Settings::parse_override(text)?;
        settings.overrides.insert(limit, n);
    }
    Ok(settings)
}
