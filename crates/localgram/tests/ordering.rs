//! Every order is total and stable (issue #11): edges order by time, and what was made within
//! the same second (or millisecond) keeps the order it was made in, on both paging
//! directions, across pages and across a restart. Reference: comments newest first 001 L4995
//! (chronological before v3.2, 004 L1563-1565), replies 001 L3871-3907, media 001 L385-438,
//! stories 001 L8530-8604, conversations 000 L1834-1935, welcome flows 000 L977-1087.

mod common;

use common::{Answer, Host, TestServer};
use localgram::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", answer.text))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn cursor(answer: &Answer, which: &str) -> String {
    answer.body["paging"]["cursors"][which]
        .as_str()
        .unwrap_or_else(|| panic!("no {which} cursor: {}", answer.text))
        .to_string()
}

/// Walks an edge forward two at a time, then back from the end with `before`: the whole list
/// both ways.
async fn walk(server: &TestServer, path: &str, token: &str) -> (Vec<String>, Vec<String>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut forward = Vec::new();
    let mut page = server.get_ig(&format!("{path}{sep}limit=2"), token).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let mut last = page.body.clone();
    loop {
        forward.extend(ids(&page));
        if page.body["paging"].get("next").is_none() {
            break;
        }
        let after = cursor(&page, "after");
        page = server
            .get_ig(&format!("{path}{sep}limit=2&after={after}"), token)
            .await;
        last = page.body.clone();
    }
    // Back from the last page.
    let mut backward: Vec<String> = Vec::new();
    let mut before = last["paging"]["cursors"]["before"]
        .as_str()
        .map(str::to_string);
    let mut tail: Vec<String> = last["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    tail.reverse();
    backward.extend(tail);
    while let Some(key) = before {
        let previous = server
            .get_ig(&format!("{path}{sep}limit=2&before={key}"), token)
            .await;
        let mut got = ids(&previous);
        if got.is_empty() {
            break;
        }
        got.reverse();
        backward.extend(got);
        before = previous.body["paging"]
            .get("previous")
            .and_then(|_| previous.body["paging"]["cursors"]["before"].as_str())
            .map(str::to_string);
    }
    backward.reverse();
    (forward, backward)
}

async fn freeze(server: &TestServer) {
    server
        .post_control(
            "/clock",
            json!({"set": "2026-02-01T08:00:00Z", "frozen": true}),
        )
        .await;
}

#[tokio::test]
async fn comments_made_in_the_same_second_keep_their_order() {
    // ref 001 L4995: newest first on v3.2 and later; chronological on v3.1 and older.
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze(&server).await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "Same second"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut made = Vec::new();
    for i in 0..7 {
        let person = server
            .post_control("/people", json!({"username": format!("p{i}")}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        made.push(
            server
                .post_control(
                    &format!("/people/{person}/comments"),
                    json!({"media_id": media, "text": format!("comment {i}")}),
                )
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut newest_first = made.clone();
    newest_first.reverse();
    let path = format!("/v24.0/{media}/comments");
    let (forward, backward) = walk(&server, &path, &world.ig_token).await;
    assert_eq!(forward, newest_first);
    assert_eq!(backward, newest_first);
    // One page: the same order.
    let all = server.get_ig(&path, &world.ig_token).await;
    assert_eq!(ids(&all), newest_first);
    // v3.1 and older (served until 2020): oldest first, in the order they were made (004
    // L1563-1565); the same media read in 2019.
    server
        .post_control(
            "/clock",
            json!({"set": "2019-06-01T00:00:00Z", "frozen": true}),
        )
        .await;
    let old = server
        .get_ig(&format!("/v3.1/{media}/comments"), &world.ig_token)
        .await;
    assert_eq!(old.header("facebook-api-version"), Some("v3.1"));
    assert_eq!(ids(&old), made);
    let (forward, backward) =
        walk(&server, &format!("/v3.1/{media}/comments"), &world.ig_token).await;
    assert_eq!(forward, made);
    assert_eq!(backward, made);
    freeze(&server).await;
    // Replies made in the same second too (ref 001 L3871-3907).
    let mut replies = Vec::new();
    for i in 0..3 {
        let reply = server
            .graph(Method::POST, &format!("/v24.0/{}/replies", made[0]))
            .on(Host::Instagram)
            .token(&world.ig_token)
            .form(&[("message", format!("reply {i}"))])
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        replies.push(reply.body["id"].as_str().unwrap().to_string());
    }
    replies.reverse();
    let listed = server
        .get_ig(&format!("/v24.0/{}/replies", made[0]), &world.ig_token)
        .await;
    assert_eq!(ids(&listed), replies);
    server.stop().await;
}

#[tokio::test]
async fn media_and_stories_made_in_the_same_second_keep_their_order() {
    // ref 001 L385-438 (/media), L8530-8604 (/stories).
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze(&server).await;
    let mut posts = Vec::new();
    let mut stories = Vec::new();
    for i in 0..5 {
        posts.push(
            server
                .post_control(
                    &format!("/accounts/{}/media", world.business_id()),
                    json!({"caption": format!("post {i}")}),
                )
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        stories.push(
            server
                .post_control(
                    &format!("/accounts/{}/media", world.business_id()),
                    json!({"media_product_type": "STORY"}),
                )
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    posts.reverse();
    stories.reverse();
    let (forward, backward) = walk(
        &server,
        &format!("/v24.0/{}/media", world.business_id()),
        &world.ig_token,
    )
    .await;
    assert_eq!(forward, posts);
    assert_eq!(backward, posts);
    let (forward, backward) = walk(
        &server,
        &format!("/v24.0/{}/stories", world.business_id()),
        &world.ig_token,
    )
    .await;
    assert_eq!(forward, stories);
    assert_eq!(backward, stories);
    server.stop().await;
}

#[tokio::test]
async fn conversations_touched_in_the_same_millisecond_keep_their_order() {
    // ref 000 L1834-1935: newest activity first.
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze(&server).await;
    let mut people = Vec::new();
    for i in 0..4 {
        let person = server
            .post_control("/people", json!({"username": format!("c{i}")}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        server
            .post_control(
                &format!("/people/{person}/messages"),
                json!({"account_id": world.business_id(), "text": "hi"}),
            )
            .await;
        people.push(person);
    }
    // The first one writes again: it moves to the top, the clock still frozen.
    server
        .post_control(
            &format!("/people/{}/messages", people[0]),
            json!({"account_id": world.business_id(), "text": "again"}),
        )
        .await;
    let list = server
        .get_ig(
            &format!(
                "/v24.0/{}/conversations?fields=participants",
                world.business_id()
            ),
            &world.ig_token,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let names: Vec<String> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["participants"]["data"][1]["username"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["c0", "c3", "c2", "c1"]);
    server.stop().await;
}

#[tokio::test]
async fn welcome_flows_made_in_the_same_second_keep_their_order() {
    // 000 L977-1087: newest first.
    let server = TestServer::start().await;
    let world = server.world().await;
    freeze(&server).await;
    let path = format!("/v24.0/{}/welcome_message_flows", world.business_id());
    let mut made = Vec::new();
    for i in 0..3 {
        let created = server
            .graph(Method::POST, &path)
            .on(Host::Instagram)
            .bearer(&world.ig_token)
            .json(json!({"name": format!("flow {i}"), "welcome_message_flow": [{"message": {"text": "Welcome!"}}], "eligible_platforms": ["instagram"]}))
            .send()
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.text);
        made.push(created.body["flow_id"].as_str().unwrap().to_string());
    }
    made.reverse();
    let list = server.get_ig(&path, &world.ig_token).await;
    assert_eq!(ids(&list), made);
    server.stop().await;
}

#[tokio::test]
async fn the_order_survives_a_restart() {
    // The sequence is stored with each row: a restarted localgram lists the same order and
    // takes cursors it handed out before.
    let dir = tempfile::tempdir().expect("a directory");
    let config = || Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        data_dir: Some(dir.path().join("data")),
        ..Config::default()
    };
    let server = TestServer::start_with(config()).await;
    let world = server.world().await;
    freeze(&server).await;
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "Same second"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = server
        .post_control("/people", json!({"username": "talker"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..4 {
        server
            .post_control(
                &format!("/people/{person}/comments"),
                json!({"media_id": media, "text": format!("c{i}")}),
            )
            .await;
    }
    let path = format!("/v24.0/{media}/comments?fields=text");
    let before: Value = server.get_ig(&path, &world.ig_token).await.body;
    let first_page = server
        .get_ig(&format!("{path}&limit=2"), &world.ig_token)
        .await;
    let after = cursor(&first_page, "after");
    server.stop().await;

    let server = TestServer::start_with(config()).await;
    let again = server.get_ig(&path, &world.ig_token).await;
    assert_eq!(again.body["data"], before["data"]);
    let texts: Vec<&str> = again.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["c3", "c2", "c1", "c0"]);
    let rest = server
        .get_ig(&format!("{path}&limit=2&after={after}"), &world.ig_token)
        .await;
    assert_eq!(
        rest.body["data"],
        json!(before["data"].as_array().unwrap()[2..])
    );
    server.stop().await;
}
