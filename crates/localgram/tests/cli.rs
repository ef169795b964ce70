//! `localgram <command>` against a running localgram (issue #15): each command's human output,
//! its `--json` output, and its exit code (0 done, 1 refused by the server, 2 a wrong command,
//! 3 no localgram there), with the server's refusal as one line on stderr.

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use std::io::BufRead;
use std::process::{Command, Stdio};

use support::*;

/// What one run of the command printed and how it ended.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn command(base: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_localgram"));
    command
        .arg("--url")
        .arg(base)
        .args(args)
        .env_remove("LOCALGRAM_URL")
        .env_remove("LOCALGRAM_CONTROL_TOKEN")
        .env("RUST_LOG", "off");
    command
}

/// Runs `localgram --url BASE ARGS...` off the async workers (the server runs on them).
async fn cli(base: &str, args: &[&str]) -> Run {
    let mut command = command(base, args);
    let output = tokio::task::spawn_blocking(move || command.output().expect("the CLI runs"))
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The run succeeded: exit 0, nothing on stderr.
fn ok(run: &Run) -> &str {
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    run.stdout.trim_end()
}

/// The run failed with `code` and exactly this one line on stderr, nothing on stdout.
fn failed(run: &Run, code: i32, line: &str) {
    assert_eq!(run.code, code, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert_eq!(run.stderr, format!("localgram: {line}\n"));
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

async fn person(server: &TestServer, username: &str) -> String {
    server
        .post_control("/people", json!({"username": username}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn media_of(server: &TestServer, account_id: &str, caption: &str) -> String {
    server
        .post_control(
            &format!("/accounts/{account_id}/media"),
            json!({"caption": caption}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn clock_shows_advances_freezes_and_sets_virtual_time() {
    let server = start_server().await;
    let base = server.base.clone();
    ok(&cli(&base, &["clock", "set", "2025-03-01T10:00:00Z"]).await);
    let frozen = cli(&base, &["clock", "freeze"]).await;
    assert_eq!(ok(&frozen), "2025-03-01T10:00:00Z (frozen)");
    assert_eq!(
        ok(&cli(&base, &["clock", "advance", "1d"]).await),
        "2025-03-02T10:00:00Z (frozen)"
    );
    assert_eq!(
        ok(&cli(&base, &["clock", "advance", "2h30m"]).await),
        "2025-03-02T12:30:00Z (frozen)"
    );
    // A negative duration moves it back (the value is not taken for a flag).
    assert_eq!(
        ok(&cli(&base, &["clock", "advance", "-30m"]).await),
        "2025-03-02T12:00:00Z (frozen)"
    );
    assert_eq!(
        ok(&cli(&base, &["clock"]).await),
        "2025-03-02T12:00:00Z (frozen)"
    );
    let json = cli(&base, &["--json", "clock", "show"]).await.json();
    assert_eq!(json["now"], json!("2025-03-02T12:00:00Z"));
    assert_eq!(json["now_unix"], json!(1_740_916_800));
    assert_eq!(json["frozen"], json!(true));
    let running = cli(&base, &["clock", "unfreeze"]).await;
    assert!(
        ok(&running).starts_with("2025-03-02T12:00:0"),
        "{running:?}"
    );
    assert!(!running.stdout.contains("frozen"));
    // A duration that is not one: refused before asking the server, as a usage error.
    failed(
        &cli(&base, &["clock", "advance", "tomorrow"]).await,
        2,
        "\"tomorrow\" is not a duration: write numbers with units, such as 1d, 2h30m, 90s or 1w",
    );
    // The server's refusal, as one line.
    failed(
        &cli(&base, &["clock", "set", "yesterday"]).await,
        1,
        "set must be an RFC 3339 time, not \"yesterday\" (HTTP 400)",
    );
    server.stop().await;
}

#[tokio::test]
async fn people_are_added_and_listed() {
    let server = start_server().await;
    let base = server.base.clone();
    let added = cli(&base, &["people", "add", "ana", "--name", "Ana Sousa"]).await;
    let listed = server.get_control("/people").await;
    let id = listed["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(ok(&added), format!("created person @ana (id {id})"));
    assert_eq!(listed["data"][0]["name"], json!("Ana Sousa"));
    let json = cli(
        &base,
        &[
            "--json",
            "people",
            "add",
            "@bo",
            "--followers",
            "12",
            "--private",
        ],
    )
    .await
    .json();
    assert_eq!(json["username"], json!("bo"));
    assert_eq!(json["followers_count"], json!(12));
    assert_eq!(json["is_private"], json!(true));
    let bo = json["id"].as_str().unwrap();
    // In the control API's order (oldest first), one line each.
    let expected: Vec<String> = server.get_control("/people").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}  @{}  {}",
                text(&p["id"]),
                text(&p["username"]),
                text(&p["name"])
            )
        })
        .collect();
    assert_eq!(expected.len(), 2);
    assert!(expected.contains(&format!("{id}  @ana  Ana Sousa")));
    assert!(expected.contains(&format!("{bo}  @bo  bo")));
    assert_eq!(
        ok(&cli(&base, &["people", "list"]).await),
        expected.join("\n")
    );
    failed(
        &cli(&base, &["people", "add", "ana"]).await,
        1,
        "username ana is taken (HTTP 409)",
    );
    server.stop().await;
}

#[tokio::test]
async fn a_person_comments_and_replies_by_username() {
    let s = setup().await;
    let base = s.server.base.clone();
    let ana = person(&s.server, "ana").await;
    let media = media_of(&s.server, s.account_id(), "Our new roast").await;
    let run = cli(
        &base,
        &[
            "comment",
            "--as",
            "ana",
            "--on",
            &media,
            "Looks <b>great</b>",
        ],
    )
    .await;
    let thread = s.server.get_control(&format!("/media/{media}")).await;
    let comment = thread["comments"][0].clone();
    let comment_id = comment["id"].as_str().unwrap();
    assert_eq!(
        ok(&run),
        format!("@ana commented on media {media}: comment {comment_id}")
    );
    assert_eq!(comment["text"], json!("Looks <b>great</b>"));
    assert_eq!(
        comment["from"],
        json!({"kind": "person", "id": ana, "username": "ana"})
    );
    // By id too, replying; --json answers the control API's body.
    let reply = cli(
        &base,
        &[
            "--json",
            "comment",
            "--as",
            &ana,
            "--on",
            &media,
            "--reply-to",
            comment_id,
            "me again",
        ],
    )
    .await
    .json();
    assert_eq!(reply["parent_id"], json!(comment_id));
    let thread = s.server.get_control(&format!("/media/{media}")).await;
    assert_eq!(
        thread["comments"][0]["replies"][0]["text"],
        json!("me again")
    );
    assert_eq!(thread["comments_count"], json!(2));
    // Nobody by that name: found out before asking the server to comment.
    failed(
        &cli(&base, &["comment", "--as", "nobody", "--on", &media, "hi"]).await,
        1,
        "no person nobody (by id or username)",
    );
    failed(
        &cli(&base, &["comment", "--as", "ana", "--on", "1234", "hi"]).await,
        1,
        "no media 1234 (HTTP 404)",
    );
    s.server.stop().await;
}

#[tokio::test]
async fn a_person_messages_an_account() {
    let s = setup().await;
    let base = s.server.base.clone();
    let ana = person(&s.server, "ana").await;
    let run = cli(
        &base,
        &[
            "message",
            "--from",
            "ana",
            "--to",
            "dino.shop",
            "Is the shop open?",
        ],
    )
    .await;
    let thread = s
        .server
        .get_control(&format!(
            "/people/{ana}/messages?account_id={}",
            s.account_id()
        ))
        .await;
    let mid = thread["data"][0]["mid"].as_str().unwrap();
    assert_eq!(ok(&run), format!("@ana messaged dino.shop: message {mid}"));
    assert_eq!(thread["data"][0]["text"], json!("Is the shop open?"));
    failed(
        &cli(&base, &["message", "--from", "ana", "--to", "nope", "hi"]).await,
        1,
        "no account nope (by id or username)",
    );
    s.server.stop().await;
}

#[tokio::test]
async fn trigger_sends_a_fields_sample_and_waits_for_the_delivery() {
    // The App Dashboard's Test button sends the field's documented sample (ref 004 L2230-2260).
    let s = hooked().await;
    let base = s.server.base.clone();
    let run = cli(&base, &["trigger", "comments", "--wait"]).await;
    let out = ok(&run);
    let log = s.deliveries("").await;
    let delivery = &log["data"][0];
    let id = delivery["id"].as_i64().unwrap();
    assert_eq!(delivery["status"], json!("delivered"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        format!("triggered comments (event {})", delivery["event_id"])
    );
    assert!(
        lines[1].contains(&format!(
            "#{id}  comments  app {} (instagram)  delivered: 200 in ",
            s.app_id()
        )),
        "{out}"
    );
    // The receiver got the sample, signed.
    wait_for!("the sample", !s.receiver.received().is_empty());
    let got = s.receiver.received();
    assert_eq!(
        got[0].json["entry"][0]["changes"][0]["field"],
        json!("comments")
    );
    assert!(got[0].signed_by.is_some());
    // On an account: decided like a real event, for every app connected to it.
    let json = cli(
        &base,
        &[
            "--json",
            "trigger",
            "mentions",
            "--account",
            "dino.shop",
            "--wait",
        ],
    )
    .await
    .json();
    assert_eq!(json["field"], json!("mentions"));
    assert_eq!(json["deliveries"][0]["status"], json!("delivered"));
    assert_eq!(json["deliveries"][0]["field"], json!("mentions"));
    failed(
        &cli(&base, &["trigger", "nonsense"]).await,
        1,
        &format!(
            "nonsense is not an Instagram webhook field; fields: {} (HTTP 400)",
            localgram::webhooks::fields::names().join(", ")
        ),
    );
    s.server.stop().await;
}

#[tokio::test]
async fn deliveries_are_listed_with_their_outcome() {
    let s = hooked().await;
    let base = s.server.base.clone();
    let media = media_of(&s.server, s.account_id(), "pour-over").await;
    person(&s.server, "ana").await;
    ok(&cli(&base, &["comment", "--as", "ana", "--on", &media, "Nice"]).await);
    // An account that logged in to the app but never enabled it: its event is skipped.
    let other = s
        .server
        .post_control("/accounts", json!({"username": "other.shop"}))
        .await;
    s.server
        .token(s.app_id(), other["id"].as_str().unwrap(), "instagram", None)
        .await;
    ok(&cli(&base, &["trigger", "mentions", "--account", "other.shop"]).await);
    wait_for!(
        "the comment's delivery",
        s.deliveries("?status=delivered").await["data"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    let out = cli(&base, &["deliveries"]).await;
    let lines: Vec<&str> = ok(&out).lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    assert!(lines[0].contains("  mentions  app "), "{out:?}");
    assert!(
        lines[0].ends_with(
            "skipped: the account did not subscribe the app: enable it with POST /{ig-user-id}/subscribed_apps"
        ),
        "{out:?}"
    );
    assert!(lines[1].contains("  comments  app "), "{out:?}");
    assert!(lines[1].contains("delivered: 200 in "), "{out:?}");
    let json = cli(&base, &["--json", "deliveries", "--no-skipped"])
        .await
        .json();
    assert_eq!(json["data"].as_array().unwrap().len(), 1);
    assert_eq!(json["data"][0]["field"], json!("comments"));
    let only = cli(&base, &["deliveries", "--status", "skipped"]).await;
    assert_eq!(ok(&only).lines().count(), 1);
    failed(
        &cli(&base, &["deliveries", "--status", "lost"]).await,
        1,
        "status must be pending, delivered, failed or skipped (HTTP 400)",
    );
    s.server.stop().await;
}

#[tokio::test]
async fn deliveries_follow_prints_each_delivery_as_it_happens() {
    let s = hooked().await;
    let base = s.server.base.clone();
    let media = media_of(&s.server, s.account_id(), "latte art").await;
    person(&s.server, "ana").await;
    // Already in the log before following: not printed.
    ok(&cli(&base, &["trigger", "comments", "--wait"]).await);
    let mut child = command(&base, &["deliveries", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let ready = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stderr)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    assert_eq!(
        ready,
        format!("Following webhook deliveries of {base} (Ctrl-C to stop)\n")
    );
    ok(&cli(&base, &["comment", "--as", "ana", "--on", &media, "first!"]).await);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|l: &String| l.contains("delivered: 200")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, lines.recv()).await {
            Ok(Some(line)) => seen.push(line),
            _ => panic!("no delivered line; saw {seen:?}"),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    // Only the new comment's delivery: first recorded (pending), then delivered.
    assert!(
        seen.iter().all(|l| l.contains("  comments  app ")),
        "{seen:?}"
    );
    let ids: std::collections::BTreeSet<&str> =
        seen.iter().filter_map(|l| l.split("  ").nth(1)).collect();
    assert_eq!(ids.len(), 1, "{seen:?}");
    let log = s.deliveries("").await;
    assert_eq!(
        ids.into_iter().next().unwrap(),
        format!("#{}", log["data"][0]["id"])
    );
    s.server.stop().await;
}

#[tokio::test]
async fn tokens_are_minted_inspected_and_invalidated() {
    let s = setup().await;
    let base = s.server.base.clone();
    s.server
        .post_control("/clock", json!({"set": "2025-03-01T10:00:00Z"}))
        .await;
    let minted = cli(
        &base,
        &["token", "mint", "--account", "dino.shop", "--long-lived"],
    )
    .await;
    let token = ok(&minted).to_string();
    assert!(token.starts_with("IGAA"), "{token}");
    assert!(!token.contains(char::is_whitespace));
    let account = s.account_id().to_string();
    let app = s.app_id().to_string();
    assert_eq!(
        ok(&cli(&base, &["token", "inspect", &token]).await),
        format!(
            "{token}\n  status   valid\n  kind     instagram_user of {account}\n  app      {app}\n  issued   2025-03-01T10:00:00Z\n  expires  2025-04-30T10:00:00Z\n  scopes   instagram_business_basic, instagram_business_content_publish, instagram_business_manage_comments, instagram_business_manage_messages, instagram_business_manage_insights"
        )
    );
    // Scopes and the login chosen.
    let fb = cli(
        &base,
        &[
            "--json",
            "token",
            "mint",
            "--account",
            &account,
            "--login",
            "facebook",
            "--scope",
            "instagram_basic",
            "--scope",
            "pages_show_list",
        ],
    )
    .await
    .json();
    assert!(fb["access_token"].as_str().unwrap().starts_with("EAA"));
    assert_eq!(fb["scopes"], json!(["instagram_basic", "pages_show_list"]));
    assert_eq!(
        ok(&cli(
            &base,
            &["token", "invalidate", &token, "--reason", "logged_out"]
        )
        .await),
        "token ended (logged_out)"
    );
    let inspected = cli(&base, &["--json", "token", "inspect", &token])
        .await
        .json();
    assert_eq!(inspected["status"], json!("logged_out"));
    assert_eq!(inspected["is_valid"], json!(false));
    assert_eq!(inspected["invalidated_at"], json!(1_740_823_200));
    // The Graph API refuses it as Meta does for a logged-out session (code 190, subcode 467).
    let answer = s.server.get_ig("/v24.0/me?fields=id", &token).await;
    assert_eq!(answer.error().0, 190);
    assert_eq!(answer.error().1, Some(467));
    failed(
        &cli(&base, &["token", "inspect", "IGAAnope"]).await,
        1,
        "no such access token (HTTP 404)",
    );
    failed(
        &cli(&base, &["token", "invalidate", &token, "--reason", "lost"]).await,
        1,
        "reason must be \"expired\", \"revoked\", \"logged_out\" or \"password_changed\" (HTTP 400)",
    );
    s.server.stop().await;
}

#[tokio::test]
async fn snapshots_export_and_import_and_reset_wipes() {
    let server = start_server().await;
    let base = server.base.clone();
    person(&server, "ana").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let file_arg = file.to_str().unwrap();
    let exported = cli(&base, &["snapshot", "export", "--out", file_arg]).await;
    let size = std::fs::metadata(&file).unwrap().len();
    assert_eq!(
        ok(&exported),
        format!("state exported to {file_arg} ({size} bytes)")
    );
    // To stdout, the same document.
    let printed = cli(&base, &["snapshot", "export"]).await;
    let from_file: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(printed.json(), from_file);
    assert_eq!(ok(&cli(&base, &["reset"]).await), "state wiped");
    assert_eq!(server.get_control("/people").await["data"], json!([]));
    assert_eq!(
        ok(&cli(&base, &["snapshot", "import", file_arg]).await),
        format!("state replaced by {file_arg}")
    );
    assert_eq!(
        server.get_control("/people").await["data"][0]["username"],
        json!("ana")
    );
    failed(
        &cli(&base, &["snapshot", "import", "/nonexistent/state.json"]).await,
        1,
        "cannot read /nonexistent/state.json: No such file or directory (os error 2)",
    );
    std::fs::write(&file, b"{\"not\": \"a snapshot\"}").unwrap();
    let refused = cli(&base, &["snapshot", "import", file_arg]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.starts_with("localgram: "), "{refused:?}");
    assert!(refused.stderr.ends_with(" (HTTP 400)\n"), "{refused:?}");
    assert_eq!(refused.stderr.lines().count(), 1);
    server.stop().await;
}

#[tokio::test]
async fn no_localgram_there_is_exit_code_3() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let run = cli(&base, &["clock"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with(&format!("localgram: cannot reach localgram at {base}: ")),
        "{run:?}"
    );
    assert!(run
        .stderr
        .ends_with(" (is `localgram serve` running? --url picks another)\n"));
}

#[tokio::test]
async fn beyond_loopback_the_control_api_needs_the_control_token() {
    // Listening on every interface; the test still talks to 127.0.0.1 only.
    let server = TestServer::start_with(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        control_token: Some("s3cret".into()),
        ..Config::default()
    })
    .await;
    let base = format!("http://127.0.0.1:{}", server.server.addr.port());
    let refused = cli(&base, &["clock"]).await;
    failed(
        &refused,
        1,
        "localgram listens beyond loopback: the control API and the console need the control token (Authorization: Bearer, X-Localgram-Token or ?localgram_token=) (HTTP 401)",
    );
    let mut with_token = command(&base, &["--json", "clock"]);
    with_token.env("LOCALGRAM_CONTROL_TOKEN", "s3cret");
    let output = tokio::task::spawn_blocking(move || with_token.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let clock: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(clock["frozen"], json!(false));
    let wrong = cli(&base, &["--control-token", "guess", "clock"]).await;
    assert_eq!(wrong.code, 1);
    // The other ways to give it, and the console page itself, which holds no state.
    let remote = Remote::new(&base);
    let bearer = remote
        .control_api(Method::GET, "/clock")
        .bearer("s3cret")
        .send()
        .await;
    assert_eq!(bearer.status, StatusCode::OK);
    let param = remote
        .control_api(Method::GET, "/people?localgram_token=s3cret")
        .send()
        .await;
    assert_eq!(param.status, StatusCode::OK);
    assert_eq!(
        remote
            .control_api(Method::GET, "/people")
            .send()
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        remote
            .control_api(Method::GET, "/console")
            .send()
            .await
            .status,
        StatusCode::OK
    );
    // The Graph API is not the control API: it answers with Meta's own errors as always.
    let graph = remote.get("/v24.0/me", "IGAAnope").await;
    assert_eq!(graph.error().0, 190);
    server.stop().await;
}

#[tokio::test]
async fn a_generated_control_token_is_printed_by_serve() {
    // `serve` beyond loopback with no token makes one and prints where to use it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_localgram"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env_remove("LOCALGRAM_CONTROL_TOKEN")
        .env("RUST_LOG", "off")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .take(3)
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[0].starts_with("localgram listening on http://0.0.0.0:"),
        "{lines:?}"
    );
    let token = lines[1]
        .strip_prefix("localgram listens beyond loopback: the control API and the console need the control token ")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(token.len(), 32);
    assert!(lines[2].ends_with(&format!("/_localgram/console?localgram_token={token}")));
}

#[tokio::test]
async fn seed_builds_a_world_from_flags_and_a_seed_file() {
    let server = start_server().await;
    let base = server.base.clone();
    server
        .post_control(
            "/clock",
            json!({"set": "2025-06-01T12:00:00Z", "frozen": true}),
        )
        .await;
    let run = cli(
        &base,
        &[
            "seed",
            "--accounts",
            "1",
            "--people",
            "3",
            "--media",
            "2500",
            "--comments-per-media",
            "2",
            "--conversations",
            "2",
            "--messages-per-conversation",
            "2",
            "--prefix",
            "t",
        ],
    )
    .await;
    let out = ok(&run);
    assert!(
        out.starts_with("seeded 1 accounts, 3 people, 2500 media, 5000 comments, 2 conversations, 4 messages in "),
        "{out}"
    );
    let accounts = server.get_control("/accounts").await;
    assert_eq!(accounts["data"][0]["username"], json!("t_shop_1"));
    let account = accounts["data"][0]["id"].as_str().unwrap();
    // Newest first, one an hour back from now, across two batches.
    let grid = server
        .get_control(&format!("/accounts/{account}/media?limit=1"))
        .await;
    assert_eq!(grid["media_count"], json!(2500));
    assert_eq!(
        grid["data"][0]["caption"],
        json!("Seeded post 1 #localgram")
    );
    assert_eq!(grid["data"][0]["timestamp"], json!("2025-06-01T12:00:00Z"));
    assert_eq!(grid["data"][0]["comments_count"], json!(2));
    // The Graph API sees them as any media: the account's media_count and its comments.
    let app = server.new_app("Reader").await;
    let token = server
        .token(app["id"].as_str().unwrap(), account, "instagram", None)
        .await;
    let me = server.get_ig("/v24.0/me?fields=media_count", &token).await;
    assert_eq!(me.body["media_count"], json!(2500));
    let media = grid["data"][0]["id"].as_str().unwrap();
    let thread = server
        .get_ig(
            &format!("/v24.0/{media}/comments?fields=text,username"),
            &token,
        )
        .await;
    let mut authors: Vec<&str> = thread.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["username"].as_str().unwrap())
        .collect();
    authors.sort_unstable();
    assert_eq!(authors, ["t_person_1", "t_person_2"]);
    let people = server.get_control("/people").await;
    assert_eq!(people["data"].as_array().unwrap().len(), 3);
    let inbox = server
        .get_control(&format!("/accounts/{account}/conversations"))
        .await;
    assert_eq!(inbox["data"].as_array().unwrap().len(), 2);
    assert_eq!(inbox["data"][0]["message_count"], json!(2));
    assert_eq!(inbox["data"][0]["window_open"], json!(true));
    // From a seed file, a flag overriding it; the names continue after the taken ones.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("world.json");
    std::fs::write(
        &file,
        br#"{"accounts": 1, "people": 1, "media": 50, "comments_per_media": 0, "conversations": 0, "prefix": "t"}"#,
    )
    .unwrap();
    let json = cli(
        &base,
        &[
            "--json",
            "seed",
            "--file",
            file.to_str().unwrap(),
            "--media",
            "7",
        ],
    )
    .await
    .json();
    assert_eq!(json["media"], json!(7));
    assert_eq!(json["comments"], json!(0));
    assert_eq!(json["people"], json!(1));
    let accounts = server.get_control("/accounts").await;
    assert_eq!(accounts["data"][1]["username"], json!("t_shop_2"));
    std::fs::write(&file, br#"{"acounts": 1}"#).unwrap();
    let refused = cli(&base, &["seed", "--file", file.to_str().unwrap()]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("is not a seed file: unknown field `acounts`"),
        "{refused:?}"
    );
    // One batch is bounded.
    let big = server
        .control_api(Method::POST, "/seed")
        .json(json!({"account_ids": [account], "media": 10_001}))
        .send()
        .await;
    assert_eq!(big.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        big.body["error"]["message"],
        json!("media is at most 10000 per batch")
    );
    server.stop().await;
}

#[tokio::test]
async fn serve_imports_a_snapshot_and_exports_one_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    {
        let server =
            common::ChildServer::spawn(["--export-on-exit".as_ref(), first.as_os_str()]).await;
        assert_eq!(
            ok(&cli(&server.base, &["people", "add", "ana"]).await),
            format!(
                "created person @ana (id {})",
                Remote::new(&server.base).get_control("/people").await["data"][0]["id"]
                    .as_str()
                    .unwrap()
            )
        );
        // Dropped: SIGTERM, a clean stop, the export.
    }
    let exported: Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    assert!(exported["tables"]["people"]
        .as_array()
        .is_some_and(|p| p.len() == 1));
    {
        let server = common::ChildServer::spawn([
            "--import".as_ref(),
            first.as_os_str(),
            "--export-on-exit".as_ref(),
            second.as_os_str(),
        ])
        .await;
        let people = Remote::new(&server.base).get_control("/people").await;
        assert_eq!(people["data"][0]["username"], json!("ana"));
        ok(&cli(&server.base, &["people", "add", "bo"]).await);
    }
    let again: Value = serde_json::from_slice(&std::fs::read(&second).unwrap()).unwrap();
    assert_eq!(again["tables"]["people"].as_array().unwrap().len(), 2);
    // A file that is not a snapshot: serve refuses to start.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_localgram"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--import",
                "/nonexistent.json",
            ])
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "localgram: cannot read /nonexistent.json: No such file or directory (os error 2)\n"
    );
}
