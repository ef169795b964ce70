//! Comments at scale (issue #5): the first and a deep page of a media with 100,000 comments,
//! and hiding a comment while readers page through the same media. Everything runs in-process
//! over loopback HTTP against a real server; run with `cargo bench -p localgram --bench comments`.

use criterion::{criterion_group, criterion_main, Criterion};
use graph::ids::IdKind;
use localgram::store::{comments, objects};
use localgram::Config;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const COMMENTS: usize = 100_000;

struct Fixture {
    base: String,
    token: String,
    media: String,
    deep_cursor: String,
    target: String,
    _server: localgram::RunningServer,
}

async fn fixture() -> Fixture {
    let server = localgram::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(3),
        ..Config::default()
    })
    .await
    .expect("server");
    let base = server.base_url();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        let http = http.clone();
        let url = format!("{base}/_localgram{path}");
        async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let app = post("/apps", json!({"name": "bench"})).await;
    let account = post("/accounts", json!({"username": "bench"})).await;
    let person = post("/people", json!({"username": "commenter"})).await;
    let token = post("/tokens", json!({"app_id": app["id"], "account_id": account["id"], "login": "instagram", "long_lived": true})).await
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let media = post(
        &format!("/accounts/{}/media", account["id"].as_str().unwrap()),
        json!({"caption": "busy"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // 100,000 comments in one transaction, straight through the store.
    let state = server.state.clone();
    let person_id = person["id"].as_str().unwrap().to_string();
    let (deep_key, target) = state
        .db
        .write_blocking(
            |tx| -> Result<(String, String), localgram::store::StoreError> {
                let mut keys = Vec::with_capacity(COMMENTS);
                for i in 0..COMMENTS {
                    let id =
                        objects::mint(tx, &state.ids, IdKind::Comment, "ig_comment", i as i64)?;
                    let comment = comments::Comment {
                        id: id.clone(),
                        media_id: media.clone(),
                        author_kind: "person".into(),
                        author_id: person_id.clone(),
                        text: format!("comment {i}"),
                        created_at: 1_700_000_000 + i as i64,
                        ..Default::default()
                    };
                    let key = comments::insert(tx, &comment)?;
                    keys.push((key, id));
                }
                keys.sort();
                // The key just before the last page: a deep page.
                let deep = keys[COMMENTS - 60].0.clone();
                Ok((deep, keys[COMMENTS / 2].1.clone()))
            },
        )
        .expect("seeded");
    Fixture {
        deep_cursor: graph::paging::encode_cursor(&deep_key),
        base,
        token,
        media,
        target,
        _server: server,
    }
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(fixture());
    let http = reqwest::Client::new();
    let first = format!(
        "{}/v24.0/{}/comments?fields=id,text,timestamp&access_token={}",
        f.base, f.media, f.token
    );
    let deep = format!("{first}&after={}", f.deep_cursor);

    let mut group = c.benchmark_group("comments_100k");
    // The reference, same run: the smallest node read (`GET /me?fields=id`).
    let reference = format!("{}/v24.0/me?fields=id&access_token={}", f.base, f.token);
    group.bench_function("reference_me", |b| {
        b.to_async(&rt).iter(|| async {
            let answer: Value = http
                .get(&reference)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(answer["id"].is_string());
        })
    });
    group.bench_function("first_page", |b| {
        b.to_async(&rt).iter(|| async {
            let answer: Value = http.get(&first).send().await.unwrap().json().await.unwrap();
            assert_eq!(answer["data"].as_array().map(|d| d.len()), Some(50));
        })
    });
    group.bench_function("deep_page", |b| {
        b.to_async(&rt).iter(|| async {
            let answer: Value = http.get(&deep).send().await.unwrap().json().await.unwrap();
            assert!(answer["data"].as_array().is_some_and(|d| !d.is_empty()));
        })
    });

    // Hiding while 8 readers page through the same media.
    let stop = Arc::new(AtomicBool::new(false));
    for _ in 0..8 {
        let (http, url, stop) = (http.clone(), first.clone(), stop.clone());
        rt.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let _ = http.get(&url).send().await.map(|r| r.status());
            }
        });
    }
    let hide = format!("{}/v24.0/{}", f.base, f.target);
    let mut flag = false;
    group.bench_function("hide_under_load", |b| {
        b.to_async(&rt).iter(|| {
            flag = !flag;
            let request = http
                .post(&hide)
                .bearer_auth(&f.token)
                .form(&[("hide", if flag { "true" } else { "false" })]);
            async move {
                let answer: Value = request.send().await.unwrap().json().await.unwrap();
                assert_eq!(answer, json!({"success": true}));
            }
        })
    });
    stop.store(true, Ordering::Relaxed);
    group.finish();
}

criterion_group! {
    name = comments_bench;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}
criterion_main!(comments_bench);
