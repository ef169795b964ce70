//! Slow clients hold no database connection (issue #10, Quality: "No request path can deadlock
//! or exhaust the pool on a slow client"). Database work runs only once a request has been
//! read in full, and finishes before its answer is written: a client that sends its body
//! slowly, or never reads its answers, ties up its own connection and nothing else.
//! Runs on both engines (the PostgreSQL pass gives the server a schema of its own there).

mod common;

use std::time::Duration;

use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far more stalled clients than the store has connections (SQLite: 4 readers and 1 writer;
/// PostgreSQL: a pool of 10).
const STALLED: usize = 48;
/// A hang detector, not a speed target: the calls below take milliseconds when nothing is
/// held, and would never finish if stalled clients held the connections.
const HANG: Duration = Duration::from_secs(60);

fn address(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// A POST whose headers promise a body that never comes in full.
async fn stalled_upload(address: &str, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\nmessage="
    );
    stream.write_all(head.as_bytes()).await.expect("sends");
    stream
}

/// Many pipelined GETs whose answers are never read: the server's writes to it block once the
/// socket's buffers are full.
async fn never_reading(address: &str, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let one = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let pipelined = one.repeat(400);
    // The server reads requests only as it answers them; send what the socket takes now.
    let _ = tokio::time::timeout(
        Duration::from_millis(200),
        stream.write_all(pipelined.as_bytes()),
    )
    .await;
    stream
}

#[tokio::test]
async fn slow_uploads_and_unread_answers_hold_no_database_connection() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let account = world.business_id().to_string();
    let token = world.ig_token.clone();
    let media = server
        .post_control(
            &format!("/accounts/{account}/media"),
            json!({"caption": "Slow clients welcome"}),
        )
        .await["id"]
        .as_str()
        .expect("a media id")
        .to_string();
    for n in 0..30 {
        server
            .post_control(
                &format!("/accounts/{account}/media"),
                json!({"caption": format!("post {n} with a caption long enough to fill pages")}),
            )
            .await;
    }
    let node_read = || {
        server
            .graph(Method::GET, &format!("/v24.0/{account}"))
            .token(&token)
            .query(&[("fields", "id,username,followers_count")])
            .send()
    };
    let expected_node = node_read().await.body;
    assert_eq!(expected_node["username"], json!("metricsaurus"));
    let addr = address(&server);
    let page = format!(
        "/v24.0/{account}/media?fields=id,caption,media_type,timestamp,permalink&limit=100&access_token={token}"
    );
    let upload = format!("/v24.0/{media}/comments?access_token={token}");
    let mut stalled = Vec::new();
    for _ in 0..STALLED / 2 {
        stalled.push(stalled_upload(&addr, &upload).await);
        stalled.push(never_reading(&addr, &page).await);
    }

    // Meanwhile an app reads and writes as usual, many calls at once.
    let calls = async {
        let reads = (0..40).map(|_| node_read());
        let writes = (0..10).map(|n| {
            server
                .graph(Method::POST, &format!("/v24.0/{media}/comments"))
                .token(&token)
                .form(&[("message", format!("reply {n}"))])
                .send()
        });
        let (reads, writes) = tokio::join!(
            futures_util::future::join_all(reads),
            futures_util::future::join_all(writes)
        );
        (reads, writes)
    };
    let (reads, writes) = tokio::time::timeout(HANG, calls)
        .await
        .expect("calls answer while slow clients stall (a pool held by them would hang here)");
    for read in &reads {
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert_eq!(read.body, expected_node);
    }
    for write in &writes {
        assert_eq!(write.status, StatusCode::OK, "{}", write.text);
        assert!(write.body["id"].is_string(), "{}", write.text);
    }
    // Every comment written is there, and none of the stalled uploads made one.
    let listed = server
        .graph(Method::GET, &format!("/v24.0/{media}/comments"))
        .token(&token)
        .query(&[("fields", "text"), ("limit", "50")])
        .send()
        .await;
    let mut texts: Vec<String> = listed.body["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|c| c["text"].as_str().unwrap_or_default().to_string())
        .collect();
    texts.sort();
    let mut expected: Vec<String> = (0..10).map(|n| format!("reply {n}")).collect();
    expected.sort();
    assert_eq!(texts, expected);

    // The stalled connections are still open (nothing was answered to the uploads), and go
    // away without harm.
    let mut probe = [0u8; 1];
    let still_waiting =
        tokio::time::timeout(Duration::from_millis(50), stalled[0].read(&mut probe))
            .await
            .is_err();
    assert!(still_waiting, "a half-sent upload got an answer");
    drop(stalled);
    assert_eq!(node_read().await.body, expected_node);
    server.stop().await;
}
