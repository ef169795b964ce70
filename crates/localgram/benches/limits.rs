//! The cost of rate limits on a node read (issue #14): the same `GET /{ig-user-id}` on a
//! server with limits off and on (Meta's limits × 1000, never reached), and the counting and
//! usage headers alone (`Limits::count_resolved`, the work the hot path adds), all in
//! one run. Everything runs in-process over loopback HTTP; run with
//! `cargo bench -p localgram --bench limits`.

use criterion::{criterion_group, criterion_main, Criterion};
use localgram::limits::{classify, usage, Settings};
use localgram::router::{NodeKind, On, Verb};
use localgram::Config;
use serde_json::{json, Value};

struct Fixture {
    url: String,
    token: String,
    account: String,
    server: localgram::RunningServer,
}

async fn fixture(rate_limits: Settings) -> Fixture {
    let server = localgram::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(3),
        rate_limits,
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
    let token = post("/tokens", json!({"app_id": app["id"], "account_id": account["id"], "login": "instagram", "long_lived": true})).await
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let account = account["id"].as_str().unwrap().to_string();
    Fixture {
        url: format!(
            "{base}/v24.0/{account}?fields=id,username,followers_count&access_token={token}"
        ),
        token,
        account,
        server,
    }
}

fn limits(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut on_settings = Settings::meta();
    on_settings.scale = 1000.0;
    let off = rt.block_on(fixture(Settings::off()));
    let on = rt.block_on(fixture(on_settings));
    let http = reqwest::Client::new();
    let mut group = c.benchmark_group("node_read");
    for (name, fixture) in [("limits_off", &off), ("limits_on", &on)] {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| {
                let request = http.get(&fixture.url);
                async move {
                    let response = request.send().await.unwrap();
                    assert!(response.status().is_success());
                    response.bytes().await.unwrap()
                }
            })
        });
    }
    group.finish();
    // The work a counted call adds, alone: finding what its kind of call counts in, the
    // count and the headers, as a node read by this caller does.
    let state = on.server.state.clone();
    let now = state.clock.now_ms().div_euclid(1000);
    let caller = rt
        .block_on(localgram::auth::tokens::resolve(
            &state.db, &on.token, None, now,
        ))
        .unwrap();
    let target = localgram::nodes::kinds::Target {
        id: on.account.clone(),
        addressed_as: on.account.clone(),
        kind: NodeKind::IgUser,
    };
    let budget = classify::budget(On::Node(NodeKind::IgUser), Verb::Get, caller.kind, false);
    c.bench_function("count_and_headers", |b| {
        b.iter(|| {
            let mut headers = usage::Headers::new();
            let now_ms = state.clock.now_ms();
            let refused = match state.limits.count_resolved(
                &state.db,
                now_ms,
                &caller,
                budget,
                Some(&target),
                &mut headers,
            ) {
                Some(refused) => refused,
                None => rt
                    .block_on(state.limits.count_graph_call(
                        &state,
                        now_ms,
                        &caller,
                        budget,
                        Some(&target),
                        &mut headers,
                    ))
                    .unwrap(),
            };
            (refused.is_none(), headers)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = limits
}
criterion_main!(benches);
