//! The front layer for apps that keep Meta's URLs (issue #16): the intercepting proxy
//! (`--proxy`), tunnelling of other hosts, `--proxy-only-meta`, the CA kept in the data
//! directory, and the TLS listener (`--tls-listen`) with SNI. Everything talks to 127.0.0.1.

mod common;

use bytes::Bytes;
use common::{Answer, TestServer, World};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use localgram::proxy::ProxyConfig;
use localgram::Config;
use reqwest::{Method, StatusCode};
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A server with the proxy and the TLS listener on free ports, its CA in `ca_dir`.
async fn start(ca_dir: &Path, only_meta: bool, data_dir: Option<&Path>) -> TestServer {
    TestServer::start_with(Config {
        listen: loopback(),
        seed: Some(7),
        data_dir: data_dir.map(Path::to_path_buf),
        proxy: ProxyConfig {
            proxy: Some(loopback()),
            tls_listen: Some(loopback()),
            only_meta,
            ca_dir: data_dir.is_none().then(|| ca_dir.to_path_buf()),
        },
        ..Config::default()
    })
    .await
}

fn proxy_addr(server: &TestServer) -> SocketAddr {
    server.server.front.proxy_addr.expect("proxy listening")
}

fn tls_addr(server: &TestServer) -> SocketAddr {
    server.server.front.tls_addr.expect("TLS listening")
}

fn ca_pem(server: &TestServer) -> String {
    server
        .server
        .front
        .authority
        .as_ref()
        .expect("a CA")
        .cert_pem()
        .to_string()
}

/// An HTTPS client that trusts only localgram's CA and goes through its proxy. The proxy, TLS,
/// ALPN and the real hostnames in the URL are what this suite tests, so its requests are built
/// by hand on such clients rather than with the `common` call builder.
fn proxied_client(server: &TestServer) -> reqwest::ClientBuilder {
    let ca = reqwest::Certificate::from_pem(ca_pem(server).as_bytes()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .proxy(reqwest::Proxy::all(format!("http://{}", proxy_addr(server))).unwrap())
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| json!(text)),
    )
}

/// Sends `CONNECT target` on a fresh connection to the proxy; returns the stream and the
/// proxy's answer head.
async fn connect_raw(proxy: SocketAddr, target: &str) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(proxy).await.unwrap();
    stream
        .write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "the proxy closed before answering CONNECT");
        head.push(byte[0]);
    }
    (stream, String::from_utf8(head).unwrap())
}

/// A rustls client trusting only `ca`, offering `alpn`.
fn tls_connector(ca: &str, alpn: &[&[u8]]) -> tokio_rustls::TlsConnector {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
        .unwrap();
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

async fn world_with_media(server: &TestServer, count: usize) -> World {
    let world = server.world().await;
    for i in 0..count {
        server
            .post_control(
                &format!("/accounts/{}/media", world.business_id()),
                json!({"caption": format!("post {i}")}),
            )
            .await;
    }
    world
}

#[tokio::test]
async fn connect_to_a_meta_host_is_answered_by_localgram_over_tls() {
    // ref 000 L2873 (and L1285-1287): Instagram Login's host is graph.instagram.com, Facebook
    // Login's graph.facebook.com; the host decides the API here as at Meta.
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let world = world_with_media(&server, 3).await;
    let client = proxied_client(&server).build().unwrap();

    let me = client
        .get(format!(
            "https://graph.instagram.com/v24.0/me?fields=user_id,username&access_token={}",
            world.ig_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(me.version(), reqwest::Version::HTTP_2, "ALPN chose h2");
    assert_eq!(
        me.headers()["content-type"],
        "application/json; charset=UTF-8"
    );
    let (status, body) = json_of(me).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user_id"], json!(world.business_id()));
    assert_eq!(body["username"], json!("metricsaurus"));

    // ref 001 L4296-4310: paging links name Meta's host; through the proxy they name the host
    // the app called, with https.
    let (status, page) = json_of(
        client
            .get(format!(
                "https://graph.instagram.com/v24.0/me/media?fields=caption&limit=1&access_token={}",
                world.ig_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let first = page["data"][0]["caption"].as_str().unwrap().to_string();
    assert!(first.starts_with("post "), "{page}");
    let next = page["paging"]["next"].as_str().unwrap();
    assert!(
        next.starts_with("https://graph.instagram.com/v24.0/"),
        "{next}"
    );
    let (status, second) = json_of(client.get(next).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let after = second["data"][0]["caption"].as_str().unwrap();
    assert!(after.starts_with("post ") && after != first, "{second}");

    // graph.facebook.com speaks Facebook Login: the IG token is not one of its tokens
    // (the same answer as tests/protocol.rs gives on the plain port).
    let (status, error) = json_of(
        client
            .get(format!(
                "https://graph.facebook.com/v24.0/me?access_token={}",
                world.ig_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], json!(190));
    assert_eq!(
        error["error"]["message"],
        json!("Invalid OAuth access token - Cannot parse access token")
    );
    // ref 001 L6069-6082: the IG User read with Facebook Login, exactly.
    let id = world.business_id();
    let (status, user) = json_of(
        client
            .get(format!(
                "https://graph.facebook.com/v24.0/{id}?fields=biography,id,username,website&access_token={}",
                world.fb_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        user,
        json!({"biography": "Dino data crunching app", "id": id, "username": "metricsaurus", "website": "http://www.metricsaurus.com/"})
    );
    server.stop().await;
}

#[tokio::test]
async fn http1_clients_get_http1_and_keep_the_connection_alive() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let world = server.world().await;

    // reqwest limited to HTTP/1.1 negotiates http/1.1.
    let client = proxied_client(&server).http1_only().build().unwrap();
    let answer = client
        .get(format!(
            "https://graph.instagram.com/me?fields=username&access_token={}",
            world.ig_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.version(), reqwest::Version::HTTP_11);

    // One CONNECT, one TLS session, three requests: keep-alive inside the tunnel.
    let (tcp, head) = connect_raw(proxy_addr(&server), "graph.instagram.com:443").await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let connector = tls_connector(&ca_pem(&server), &[b"http/1.1"]);
    let tls = connector
        .connect(ServerName::try_from("graph.instagram.com").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(connection);
    for field in ["username", "user_id", "username"] {
        sender.ready().await.unwrap();
        let request = hyper::Request::get(format!(
            "/v24.0/me?fields={field}&access_token={}",
            world.ig_token
        ))
        .header("host", "graph.instagram.com")
        .body(Empty::<Bytes>::new())
        .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value =
            serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes())
                .unwrap();
        let expected = if field == "username" {
            json!("metricsaurus")
        } else {
            json!(world.business_id())
        };
        assert_eq!(body[field], expected);
    }
    server.stop().await;
}

#[tokio::test]
async fn plain_http_proxy_requests_to_meta_hosts_are_answered_too() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let world = server.world().await;
    let client = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(format!("http://{}", proxy_addr(&server))).unwrap())
        .build()
        .unwrap();
    let (status, body) = json_of(
        client
            .get(format!(
                "http://graph.instagram.com/v24.0/me?fields=username&access_token={}",
                world.ig_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], json!("metricsaurus"));
    server.stop().await;
}

#[tokio::test]
async fn the_login_hosts_are_answered_through_the_proxy_too() {
    // ref 001 L8736-8762 (api.instagram.com: the authorization window and the code exchange)
    // and 001 L8988-9021 (www.facebook.com/{v}/dialog/oauth): the same origin answers them.
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let world = server.world().await;
    let client = proxied_client(&server)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = "https%3A%2F%2Fapp.example%2Fcb";
    server
        .post_control("/login/next", json!({"account_id": world.business_id()}))
        .await;
    let authorized = client
        .get(format!(
            "https://api.instagram.com/oauth/authorize?client_id={}&redirect_uri={redirect}&response_type=code&scope=instagram_business_basic",
            world.app["instagram_app_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(authorized.status(), StatusCode::FOUND);
    let location = authorized.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let code = location
        .split_once("code=")
        .unwrap()
        .1
        .trim_end_matches("#_")
        .to_string();
    let (status, exchanged) = json_of(
        client
            .post("https://api.instagram.com/oauth/access_token")
            .form(&[
                ("client_id", world.app["instagram_app_id"].as_str().unwrap()),
                (
                    "client_secret",
                    world.app["instagram_app_secret"].as_str().unwrap(),
                ),
                ("grant_type", "authorization_code"),
                ("redirect_uri", "https://app.example/cb"),
                ("code", &code),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{exchanged}");
    assert_eq!(exchanged["permissions"], json!("instagram_business_basic"));
    let dialog = client
        .get(format!(
            "https://www.facebook.com/v24.0/dialog/oauth?client_id={}&redirect_uri={redirect}&response_type=code&scope=instagram_basic",
            world.app_id()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(dialog.status(), StatusCode::OK);
    assert!(dialog
        .text()
        .await
        .unwrap()
        .contains("Log in with Facebook"));
    server.stop().await;
}

/// A TCP server that echoes what it receives, once per connection.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut read, mut write) = stream.split();
                let _ = tokio::io::copy(&mut read, &mut write).await;
            });
        }
    });
    addr
}

/// An HTTP server that answers with the request headers it saw.
async fn header_echo_server() -> SocketAddr {
    use axum::http::HeaderMap;
    let app = axum::Router::new().fallback(|headers: HeaderMap, uri: axum::http::Uri| async move {
        let names: Vec<String> = headers.keys().map(|k| k.to_string()).collect();
        axum::Json(json!({
            "uri": uri.to_string(),
            "host": headers.get("host").and_then(|h| h.to_str().ok()),
            "headers": names,
        }))
    });
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn other_hosts_are_tunnelled_untouched() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;

    // CONNECT to a non-Meta host: a byte-for-byte TCP tunnel.
    let echo = echo_server().await;
    let (mut tunnel, head) = connect_raw(proxy_addr(&server), &echo.to_string()).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let payload = b"\x16\x03\x01 not TLS, not HTTP: anything goes\r\n\r\n";
    tunnel.write_all(payload).await.unwrap();
    let mut back = vec![0u8; payload.len()];
    tunnel.read_exact(&mut back).await.unwrap();
    assert_eq!(back, payload);

    // Absolute-form plain HTTP to another host: forwarded, without the proxy's own headers.
    let upstream = header_echo_server().await;
    let client = reqwest::Client::builder()
        .proxy(
            reqwest::Proxy::http(format!("http://{}", proxy_addr(&server)))
                .unwrap()
                .basic_auth("user", "secret"),
        )
        .build()
        .unwrap();
    let (status, seen) = json_of(
        client
            .get(format!("http://{upstream}/hello?x=1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["uri"], json!("/hello?x=1"));
    assert_eq!(seen["host"], json!(upstream.to_string()));
    let names = seen["headers"].as_array().unwrap();
    assert!(!names.contains(&json!("proxy-authorization")), "{seen}");

    // A host nobody listens on: 502 with the reason, not a hang.
    let closed = TcpListener::bind(loopback())
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let (_, head) = connect_raw(proxy_addr(&server), &closed.to_string()).await;
    assert!(head.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{head}");
    server.stop().await;
}

#[tokio::test]
async fn only_meta_refuses_every_other_host_with_one_line() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), true, None).await;
    let world = server.world().await;
    let echo = echo_server().await;

    let (mut stream, head) = connect_raw(proxy_addr(&server), &echo.to_string()).await;
    assert!(head.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{head}");
    assert!(
        head.contains("content-type: text/plain; charset=utf-8\r\n"),
        "{head}"
    );
    let mut body = vec![0u8; 200];
    let n = stream.read(&mut body).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&body[..n]),
        format!("localgram proxy: 127.0.0.1 is not a Meta host localgram serves, and --proxy-only-meta refuses other hosts\n")
    );

    let client = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(format!("http://{}", proxy_addr(&server))).unwrap())
        .build()
        .unwrap();
    let refused = client.get("http://example.com/").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        refused.text().await.unwrap(),
        "localgram proxy: example.com is not a Meta host localgram serves, and --proxy-only-meta refuses other hosts\n"
    );

    // Meta's hosts still answer.
    let client = proxied_client(&server).build().unwrap();
    let (status, body) = json_of(
        client
            .get(format!(
                "https://graph.instagram.com/v24.0/me?fields=username&access_token={}",
                world.ig_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], json!("metricsaurus"));
    server.stop().await;
}

#[tokio::test]
async fn the_ca_is_kept_in_the_data_directory_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    let unused = tempfile::tempdir().unwrap();
    let first = start(unused.path(), false, Some(data.path())).await;
    let pem = ca_pem(&first);
    let authority_dir = first
        .server
        .front
        .authority
        .as_ref()
        .unwrap()
        .dir()
        .to_path_buf();
    first.stop().await;
    assert_eq!(authority_dir, data.path().join("ca"));
    assert_eq!(
        std::fs::read_to_string(data.path().join("ca/ca-cert.pem")).unwrap(),
        pem
    );
    assert!(data.path().join("ca/ca-key.pem").exists());
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));

    let second = start(unused.path(), false, Some(data.path())).await;
    assert_eq!(ca_pem(&second), pem, "the same CA after a restart");
    // ... and a client trusting the first run's CA trusts the second run's leaves.
    let world = second.world().await;
    let client = proxied_client(&second).build().unwrap();
    let answer = client
        .get(format!(
            "https://graph.instagram.com/v24.0/me?fields=username&access_token={}",
            world.ig_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    second.stop().await;
    assert!(
        std::fs::read_dir(unused.path()).unwrap().next().is_none(),
        "--ca-dir is not used when the data directory holds the CA"
    );
}

#[tokio::test]
async fn the_tls_listener_serves_meta_hostnames_picked_by_sni() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let world = server.world().await;
    let addr = tls_addr(&server);
    let root = reqwest::Certificate::from_pem(ca_pem(&server).as_bytes()).unwrap();
    // As a container with `--add-host graph.facebook.com:...` reaches it.
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root)
        .no_proxy()
        .resolve("graph.facebook.com", addr)
        .resolve("graph.instagram.com", addr)
        .build()
        .unwrap();
    let id = world.business_id();
    let port = addr.port();
    let (status, user) = json_of(
        client
            .get(format!(
                "https://graph.facebook.com:{port}/v24.0/{id}?fields=biography,id,username,website&access_token={}",
                world.fb_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    // ref 001 L6069-6082
    assert_eq!(
        user,
        json!({"biography": "Dino data crunching app", "id": id, "username": "metricsaurus", "website": "http://www.metricsaurus.com/"})
    );
    let (status, me) = json_of(
        client
            .get(format!(
                "https://graph.instagram.com:{port}/v24.0/me?fields=username&access_token={}",
                world.ig_token
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], json!("metricsaurus"));

    // Each SNI name gets its own leaf, naming that host.
    let connector = tls_connector(&ca_pem(&server), &[b"h2", b"http/1.1"]);
    let mut leaves = Vec::new();
    for name in ["graph.instagram.com", "rupload.facebook.com"] {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let tls = connector
            .connect(ServerName::try_from(name).unwrap(), tcp)
            .await
            .unwrap();
        let session = tls.get_ref().1;
        assert_eq!(session.alpn_protocol(), Some(&b"h2"[..]));
        let chain = session.peer_certificates().unwrap();
        assert_eq!(chain.len(), 2, "leaf and CA");
        let leaf = chain[0].as_ref().to_vec();
        assert!(leaf.windows(name.len()).any(|w| w == name.as_bytes()));
        leaves.push(leaf);
    }
    assert_ne!(leaves[0], leaves[1]);

    // A name localgram does not serve gets no certificate at all.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let refused = connector
        .connect(ServerName::try_from("example.com").unwrap(), tcp)
        .await;
    assert!(refused.is_err());
    server.stop().await;
}

#[tokio::test]
async fn garbage_on_the_proxy_port_is_an_error_not_a_crash() {
    let ca = tempfile::tempdir().unwrap();
    let server = start(ca.path(), false, None).await;
    let mut stream = TcpStream::connect(proxy_addr(&server)).await.unwrap();
    stream
        .write_all(b"\x16\x03\x01\x00\x05hello\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
    );
    // CONNECT without a port, and TLS garbage after an intercepted CONNECT.
    let (mut tunnel, head) = connect_raw(proxy_addr(&server), "graph.facebook.com:443").await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    tunnel.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    let mut rest = Vec::new();
    let _ = tunnel.read_to_end(&mut rest).await;
    // The server still answers.
    let Answer { status, .. } = server.control_api(Method::GET, "/clock").send().await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}
