//! Micro-benchmarks of the protocol pieces every Graph request goes through:
//! `fields` parsing, Meta-escaped JSON output, cursors and query-string decoding.
//!
//! Run with `cargo bench -p graph --bench protocol` (add `-- --quick` for a short pass).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use graph::json::to_meta_vec;
use graph::paging::{decode_cursor, encode_cursor};
use graph::{FieldSelection, Params};
use serde_json::{json, Value};
use std::hint::black_box;

const SIMPLE_FIELDS: &str = "id,username,followers_count";
const NESTED_FIELDS: &str = "id,username,media.limit(5){id,caption,comments{text,from}}";
const TYPICAL_QUERY: &str = "fields=id%2Cusername%2Cfollowers_count%2Cmedia_count\
    &access_token=IGAA5oAvaYE5EXvyjB5EsCcD5VF1sypuK0amttTABb2X6lwpLj30Pbee3JylQQqWy6tTP0d9e\
    &limit=25&after=QVFIMTc4NDE0MDAwMDAwMDAwMDE";

/// About 1 KB once serialised: an edge page of media with URLs (escaped `/`) and a caption
/// with non-ASCII text (escaped as `\uXXXX`), as `GET /{ig-user-id}/media` answers.
fn media_page() -> Value {
    let item = |n: u32| {
        json!({
            "id": format!("1790000000000000{n}"),
            "caption": "Morning light at the café ☕ — #coffee",
            "media_type": "IMAGE",
            "media_url": format!("https://scontent.cdninstagram.com/v/t51/{n}_n.jpg"),
            "permalink": format!("https://www.instagram.com/p/C{n}xYz/"),
            "timestamp": "2024-05-01T08:30:00+0000",
            "like_count": 42 + n,
        })
    };
    json!({
        "data": [item(1), item(2), item(3)],
        "paging": {
            "cursors": {"before": encode_cursor("0001"), "after": encode_cursor("0003")},
        },
    })
}

fn fields(c: &mut Criterion) {
    let mut group = c.benchmark_group("fields");
    group.bench_function("parse_simple", |b| {
        b.iter(|| FieldSelection::parse(black_box(SIMPLE_FIELDS)))
    });
    group.bench_function("parse_nested", |b| {
        b.iter(|| FieldSelection::parse(black_box(NESTED_FIELDS)))
    });
    group.finish();
}

fn json_output(c: &mut Criterion) {
    let value = media_page();
    let size = to_meta_vec(&value).len() as u64;
    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("to_meta_vec_1k", |b| {
        b.iter(|| to_meta_vec(black_box(&value)))
    });
    // serde_json's own compact writer on the same value, for comparison.
    group.bench_function("serde_json_to_vec_1k", |b| {
        b.iter(|| serde_json::to_vec(black_box(&value)))
    });
    group.finish();
}

fn paging(c: &mut Criterion) {
    let key = "2024-05-01T08:30:00Z|17900000000000001";
    let cursor = encode_cursor(key);
    let mut group = c.benchmark_group("paging");
    group.bench_function("encode_cursor", |b| {
        b.iter(|| encode_cursor(black_box(key)))
    });
    group.bench_function("decode_cursor", |b| {
        b.iter(|| decode_cursor(black_box(&cursor)))
    });
    group.finish();
}

fn params(c: &mut Criterion) {
    let mut group = c.benchmark_group("params");
    group.bench_function("from_urlencoded_typical", |b| {
        b.iter(|| Params::from_urlencoded(black_box(TYPICAL_QUERY.as_bytes())))
    });
    group.finish();
}

criterion_group!(benches, fields, json_output, paging, params);
criterion_main!(benches);
