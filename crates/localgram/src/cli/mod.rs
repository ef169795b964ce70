//! `localgram <command>` against a running instance: the control API from a terminal
//! (issue #15). Human output by default, `--json` for scripts (the control API's answer as
//! it is); an error is one line on stderr and a non-zero exit code: 1 when the server
//! refused, 2 for a wrong command, 3 when no localgram answers.

pub mod client;
pub mod deliveries;
pub mod duration;
pub mod seed;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

pub use client::{CliError, CliResult, Client};

/// The default `--url`: `localgram serve` with no `--listen`.
pub fn default_url() -> String {
    format!("http://127.0.0.1:{}", crate::config::DEFAULT_PORT)
}

/// Which localgram the commands talk to, and how they answer.
#[derive(Args, Debug, Clone)]
pub struct Target {
    /// The running localgram the control commands talk to.
    #[arg(long, global = true, env = "LOCALGRAM_URL", default_value_t = default_url())]
    pub url: String,
    /// Print the control API's JSON answer instead of a human summary.
    #[arg(long, global = true)]
    pub json: bool,
    /// The control token: required by the control API when localgram listens beyond
    /// loopback (`serve` then requires this one, or makes and prints one).
    #[arg(
        long,
        global = true,
        env = "LOCALGRAM_CONTROL_TOKEN",
        hide_env_values = true
    )]
    pub control_token: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ControlCommand {
    /// Show the virtual clock, or advance, set, freeze or unfreeze it.
    Clock {
        #[command(subcommand)]
        action: Option<ClockAction>,
    },
    /// People: Instagram users who are not an app's account (commenters, customers).
    People {
        #[command(subcommand)]
        action: PeopleAction,
    },
    /// List the Instagram professional accounts.
    Accounts,
    /// List the Meta apps.
    Apps,
    /// A person comments on media (or replies to a comment).
    Comment(CommentArgs),
    /// A person messages an account.
    Message(MessageArgs),
    /// Send the documented sample of a webhook field (the App Dashboard's Test button), or
    /// record it as an event on an account.
    Trigger(TriggerArgs),
    /// The webhook delivery log; `--follow` prints deliveries as they happen.
    Deliveries(deliveries::DeliveriesArgs),
    /// Mint, inspect or invalidate access tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Export or import the whole state.
    Snapshot {
        #[command(subcommand)]
        action: SnapshotAction,
    },
    /// Wipe all state (the id seed is kept).
    Reset,
    /// Build a large world (accounts, people, media with comments, conversations) from flags
    /// or a seed file, with a progress bar.
    Seed(seed::SeedArgs),
}

#[derive(Subcommand, Debug)]
pub enum ClockAction {
    /// Show the virtual time (the default).
    Show,
    /// Move the clock forward (`1d`, `2h30m`, `1w`, `90s`; negative moves it back).
    Advance {
        #[arg(allow_hyphen_values = true)]
        duration: String,
    },
    /// Set the clock to an RFC 3339 time.
    Set { time: String },
    /// Stop the clock: it moves only when told.
    Freeze,
    /// Let the clock run again from where it stands.
    Unfreeze,
}

#[derive(Subcommand, Debug)]
pub enum PeopleAction {
    /// Create a person.
    Add {
        username: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        followers: Option<i64>,
        #[arg(long)]
        private: bool,
    },
    /// List people.
    List,
}

#[derive(Args, Debug)]
pub struct CommentArgs {
    /// The person who comments (username or id).
    #[arg(long = "as", value_name = "PERSON")]
    pub person: String,
    /// The media commented on (its id).
    #[arg(long = "on", value_name = "MEDIA")]
    pub media: String,
    /// Reply to this comment instead of commenting on the media.
    #[arg(long, value_name = "COMMENT")]
    pub reply_to: Option<String>,
    pub text: String,
}

#[derive(Args, Debug)]
pub struct MessageArgs {
    /// The person who writes (username or id).
    #[arg(long, value_name = "PERSON")]
    pub from: String,
    /// The account written to (username or id).
    #[arg(long, value_name = "ACCOUNT")]
    pub to: String,
    pub text: String,
}

#[derive(Args, Debug)]
pub struct TriggerArgs {
    /// The webhook field (`comments`, `messages`, `mentions`, ...).
    pub field: String,
    /// The app whose callback gets the sample (name or id; the only app when left out).
    #[arg(long, conflicts_with = "account")]
    pub app: Option<String>,
    /// Record the sample as an event on this account instead (username or id): it is
    /// decided and delivered to every subscribed app as a real one would be.
    #[arg(long)]
    pub account: Option<String>,
    /// The login the dashboard test is shaped for: `instagram` (default) or `facebook`.
    #[arg(long)]
    pub login: Option<String>,
    /// Wait until the deliveries are done (delivered, failed or skipped) and show how.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Issue a token as if the account had logged in to the app.
    Mint {
        /// The account (username or id).
        #[arg(long)]
        account: String,
        /// The app (name or id; the only app when left out).
        #[arg(long)]
        app: Option<String>,
        /// `instagram` (Instagram Login, the default) or `facebook` (Facebook Login).
        #[arg(long, default_value = "instagram")]
        login: String,
        /// A scope granted (repeat for several); every scope of the login when left out.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// A 60-day token instead of a short-lived one.
        #[arg(long)]
        long_lived: bool,
    },
    /// Show what a token is and whether it works now.
    Inspect { token: String },
    /// End a token as Meta ends one.
    Invalidate {
        token: String,
        /// `revoked` (default), `expired`, `logged_out` or `password_changed`.
        #[arg(long, default_value = "revoked")]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SnapshotAction {
    /// Write the whole state as JSON (to FILE, or stdout).
    Export {
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Replace the whole state with a snapshot file.
    Import { file: PathBuf },
}

/// Runs one control command and prints its outcome.
pub async fn run(target: Target, command: ControlCommand) -> ExitCode {
    let client = Client::new(&target.url, target.control_token.clone());
    match execute(&client, &target, command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("localgram: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Prints the JSON answer with `--json`, the human summary otherwise.
fn emit(target: &Target, value: &Value, human: impl FnOnce(&Value) -> String) {
    if target.json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    } else {
        let text = human(value);
        if !text.is_empty() {
            println!("{text}");
        }
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

async fn execute(client: &Client, target: &Target, command: ControlCommand) -> CliResult<()> {
    match command {
        ControlCommand::Clock { action } => clock(client, target, action).await,
        ControlCommand::People { action } => people(client, target, action).await,
        ControlCommand::Accounts => {
            let value = client.get("/accounts").await?;
            emit(target, &value, |v| {
                lines(v, |a| {
                    format!(
                        "{}  @{}  {}",
                        text(&a["id"]),
                        text(&a["username"]),
                        text(&a["account_type"])
                    )
                })
            });
            Ok(())
        }
        ControlCommand::Apps => {
            let value = client.get("/apps").await?;
            emit(target, &value, |v| {
                lines(v, |a| format!("{}  {}", text(&a["id"]), text(&a["name"])))
            });
            Ok(())
        }
        ControlCommand::Comment(args) => comment(client, target, args).await,
        ControlCommand::Message(args) => message(client, target, args).await,
        ControlCommand::Trigger(args) => trigger(client, target, args).await,
        ControlCommand::Deliveries(args) => deliveries::run(client, target, args).await,
        ControlCommand::Token { action } => token(client, target, action).await,
        ControlCommand::Snapshot { action } => snapshot(client, target, action).await,
        ControlCommand::Seed(args) => seed::run(client, target, args).await,
        ControlCommand::Reset => {
            let value = client.post("/reset", &json!({})).await?;
            emit(target, &value, |_| "state wiped".into());
            Ok(())
        }
    }
}

/// One line per item of `data`, or a note that there are none.
fn lines(value: &Value, line: impl Fn(&Value) -> String) -> String {
    match value["data"].as_array() {
        Some(items) if !items.is_empty() => items.iter().map(line).collect::<Vec<_>>().join("\n"),
        _ => "(none)".into(),
    }
}

fn describe_clock(v: &Value) -> String {
    let frozen = if v["frozen"].as_bool() == Some(true) {
        " (frozen)"
    } else {
        ""
    };
    format!("{}{frozen}", text(&v["now"]))
}

async fn clock(client: &Client, target: &Target, action: Option<ClockAction>) -> CliResult<()> {
    let change = match action.unwrap_or(ClockAction::Show) {
        ClockAction::Show => None,
        ClockAction::Advance { duration } => {
            let seconds = duration::seconds(&duration).map_err(CliError::Usage)?;
            Some(json!({"advance_seconds": seconds}))
        }
        ClockAction::Set { time } => Some(json!({"set": time})),
        ClockAction::Freeze => Some(json!({"frozen": true})),
        ClockAction::Unfreeze => Some(json!({"frozen": false})),
    };
    let value = match change {
        None => client.get("/clock").await?,
        Some(body) => client.post("/clock", &body).await?,
    };
    emit(target, &value, describe_clock);
    Ok(())
}

async fn people(client: &Client, target: &Target, action: PeopleAction) -> CliResult<()> {
    match action {
        PeopleAction::Add {
            username,
            name,
            followers,
            private,
        } => {
            let mut body = json!({"username": username.trim_start_matches('@')});
            if let Some(name) = name {
                body["name"] = json!(name);
            }
            if let Some(followers) = followers {
                body["followers_count"] = json!(followers);
            }
            if private {
                body["is_private"] = json!(true);
            }
            let value = client.post("/people", &body).await?;
            emit(target, &value, |v| {
                format!(
                    "created person @{} (id {})",
                    text(&v["username"]),
                    text(&v["id"])
                )
            });
        }
        PeopleAction::List => {
            let value = client.get("/people").await?;
            emit(target, &value, |v| {
                lines(v, |p| {
                    format!(
                        "{}  @{}  {}",
                        text(&p["id"]),
                        text(&p["username"]),
                        text(&p["name"])
                    )
                })
            });
        }
    }
    Ok(())
}

/// Finds an item of a list route by id or username (`@` optional).
async fn find(client: &Client, path: &str, what: &str, wanted: &str) -> CliResult<Value> {
    let name = wanted.trim_start_matches('@');
    let list = client.get(path).await?;
    list["data"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["id"] == json!(wanted))
                .or_else(|| items.iter().find(|i| i["username"] == json!(name)))
        })
        .cloned()
        .ok_or_else(|| CliError::Local(format!("no {what} {wanted} (by id or username)")))
}

async fn person_id(client: &Client, wanted: &str) -> CliResult<String> {
    let person = find(client, "/people", "person", wanted).await?;
    Ok(text(&person["id"]).to_string())
}

async fn account_id(client: &Client, wanted: &str) -> CliResult<String> {
    let account = find(client, "/accounts", "account", wanted).await?;
    Ok(text(&account["id"]).to_string())
}

/// The app named or given by id, or the only app when none is named.
async fn app_id(client: &Client, wanted: Option<&str>) -> CliResult<String> {
    let list = client.get("/apps").await?;
    let apps = list["data"].as_array().cloned().unwrap_or_default();
    let found = match wanted {
        Some(wanted) => apps
            .iter()
            .find(|a| a["id"] == json!(wanted) || a["name"] == json!(wanted)),
        None if apps.len() == 1 => apps.first(),
        None => {
            let names: Vec<&str> = apps.iter().map(|a| text(&a["name"])).collect();
            return Err(CliError::Usage(if names.is_empty() {
                "there is no app yet: create one first (POST /_localgram/apps)".into()
            } else {
                format!("give --app: there are several apps ({})", names.join(", "))
            }));
        }
    };
    found
        .map(|a| text(&a["id"]).to_string())
        .ok_or_else(|| CliError::Local(format!("no app {}", wanted.unwrap_or_default())))
}

async fn comment(client: &Client, target: &Target, args: CommentArgs) -> CliResult<()> {
    let person = person_id(client, &args.person).await?;
    let mut body = json!({"media_id": args.media, "text": args.text});
    if let Some(parent) = &args.reply_to {
        body["parent_id"] = json!(parent);
    }
    let value = client
        .post(&format!("/people/{person}/comments"), &body)
        .await?;
    emit(target, &value, |v| match &args.reply_to {
        Some(parent) => format!(
            "@{} replied to comment {parent}: comment {}",
            args.person.trim_start_matches('@'),
            text(&v["id"])
        ),
        None => format!(
            "@{} commented on media {}: comment {}",
            args.person.trim_start_matches('@'),
            args.media,
            text(&v["id"])
        ),
    });
    Ok(())
}

async fn message(client: &Client, target: &Target, args: MessageArgs) -> CliResult<()> {
    let person = person_id(client, &args.from).await?;
    let account = account_id(client, &args.to).await?;
    let value = client
        .post(
            &format!("/people/{person}/messages"),
            &json!({"account_id": account, "text": args.text}),
        )
        .await?;
    emit(target, &value, |v| {
        format!(
            "@{} messaged {}: message {}",
            args.from.trim_start_matches('@'),
            args.to,
            text(&v["mid"])
        )
    });
    Ok(())
}

async fn trigger(client: &Client, target: &Target, args: TriggerArgs) -> CliResult<()> {
    let mut body = json!({"field": args.field});
    match &args.account {
        Some(account) => {
            body["account_id"] = json!(account_id(client, account).await?);
        }
        None => {
            body["app_id"] = json!(app_id(client, args.app.as_deref()).await?);
        }
    }
    if let Some(login) = &args.login {
        body["login"] = json!(login);
    }
    let mut value = client.post("/webhooks/test", &body).await?;
    if args.wait {
        let ids: Vec<i64> = value["deliveries"]
            .as_array()
            .map(|ds| ds.iter().filter_map(|d| d["id"].as_i64()).collect())
            .unwrap_or_default();
        let mut done = Vec::with_capacity(ids.len());
        for id in ids {
            done.push(deliveries::wait_until_done(client, id).await?);
        }
        value["deliveries"] = json!(done);
    }
    emit(target, &value, |v| {
        let mut out = format!("triggered {} (event {})", args.field, v["event_id"]);
        for d in v["deliveries"].as_array().into_iter().flatten() {
            out.push('\n');
            out.push_str(&deliveries::describe_line(d));
        }
        out
    });
    Ok(())
}

fn describe_token(v: &Value) -> String {
    let when = |key: &str| {
        v[key]
            .as_i64()
            .map(graph::timefmt::rfc3339)
            .unwrap_or_else(|| "never".into())
    };
    let scopes: Vec<&str> = v["scopes"]
        .as_array()
        .map(|s| s.iter().map(text).collect())
        .unwrap_or_default();
    let mut out = format!(
        "{}\n  status   {}\n  kind     {} of {}\n  app      {}\n  issued   {}\n  expires  {}\n  scopes   {}",
        text(&v["access_token"]),
        text(&v["status"]),
        text(&v["kind"]),
        text(&v["subject_id"]),
        text(&v["app_id"]),
        when("issued_at"),
        when("expires_at"),
        scopes.join(", ")
    );
    if let Some(at) = v["invalidated_at"].as_i64() {
        out.push_str(&format!(
            "\n  ended    {} ({})",
            graph::timefmt::rfc3339(at),
            text(&v["invalidated_reason"])
        ));
    }
    out
}

async fn token(client: &Client, target: &Target, action: TokenAction) -> CliResult<()> {
    match action {
        TokenAction::Mint {
            account,
            app,
            login,
            scopes,
            long_lived,
        } => {
            let mut body = json!({
                "app_id": app_id(client, app.as_deref()).await?,
                "account_id": account_id(client, &account).await?,
                "login": login,
                "long_lived": long_lived,
            });
            if !scopes.is_empty() {
                body["scopes"] = json!(scopes);
            }
            let value = client.post("/tokens", &body).await?;
            // The token alone on stdout: `TOKEN=$(localgram token mint --account acme)`.
            emit(target, &value, |v| text(&v["access_token"]).to_string());
        }
        TokenAction::Inspect { token } => {
            let value = client
                .get_query("/tokens/inspect", &[("access_token", token)])
                .await?;
            emit(target, &value, describe_token);
        }
        TokenAction::Invalidate { token, reason } => {
            let value = client
                .post(
                    "/tokens/invalidate",
                    &json!({"access_token": token, "reason": reason}),
                )
                .await?;
            emit(target, &value, |_| format!("token ended ({reason})"));
        }
    }
    Ok(())
}

async fn snapshot(client: &Client, target: &Target, action: SnapshotAction) -> CliResult<()> {
    match action {
        SnapshotAction::Export { out } => {
            let response = client
                .request(reqwest::Method::GET, "/snapshot")
                .send()
                .await
                .map_err(|e| client.unreachable(e))?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(|e| client.unreachable(e))?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&bytes);
                let message = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                    .unwrap_or_else(|| status.to_string());
                return Err(CliError::Server {
                    status: status.as_u16(),
                    message,
                });
            }
            match out {
                Some(path) => {
                    std::fs::write(&path, &bytes).map_err(|e| {
                        CliError::Local(format!("cannot write {}: {e}", path.display()))
                    })?;
                    if !target.json {
                        println!(
                            "state exported to {} ({} bytes)",
                            path.display(),
                            bytes.len()
                        );
                    } else {
                        println!("{}", json!({"file": path, "bytes": bytes.len()}));
                    }
                }
                None => {
                    use std::io::Write;
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(&bytes)
                        .and_then(|()| stdout.write_all(b"\n"))
                        .map_err(|e| CliError::Local(format!("cannot write the snapshot: {e}")))?;
                }
            }
        }
        SnapshotAction::Import { file } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Local(format!("cannot read {}: {e}", file.display())))?;
            let value = client
                .send(
                    client
                        .request(reqwest::Method::PUT, "/snapshot")
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(bytes),
                )
                .await?;
            emit(target, &value, |_| {
                format!("state replaced by {}", file.display())
            });
        }
    }
    Ok(())
}
