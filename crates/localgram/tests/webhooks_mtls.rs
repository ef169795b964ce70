//! Webhooks over HTTPS with mutual TLS (7.15, ref 004 L2446-2495): localgram presents a client
//! certificate whose common name is `client.webhooks.fbclientcerts.com`, signed by a CA a
//! receiver downloads from the control API, and verifies the callback's own certificate (004
//! L2466). The receiver here is a rustls server on 127.0.0.1 that requires the client
//! certificate, in front of the signature-checking receiver the webhook suites share.

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use support::*;

const CLIENT_CN: &str = "client.webhooks.fbclientcerts.com";

/// A receiver's server certificate for 127.0.0.1 and the CA (PEM) that signed it.
fn server_identity() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut ca = CertificateParams::default();
    ca.distinguished_name
        .push(DnType::CommonName, "receiver test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.subject_alt_names = vec![SanType::IpAddress("127.0.0.1".parse().unwrap())];
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    (
        ca_cert.pem(),
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// TLS on 127.0.0.1 requiring a client certificate that chains to `client_ca_pem`, passing
/// the decrypted bytes to the plain receiver at `plain`. Records each accepted client's
/// certificate (DER) → the https URL of `/webhooks`.
async fn tls_front(
    plain: String,
    client_ca_pem: &str,
    server: (CertificateDer<'static>, PrivateKeyDer<'static>),
) -> (String, Arc<parking_lot::Mutex<Vec<Vec<u8>>>>) {
    // ring, as the proxy front uses (src/proxy/tls.rs): no process-wide provider.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for der in rustls_pemfile_certs(client_ca_pem) {
        roots.add(der).unwrap();
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server.0], server.1)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/webhooks", listener.local_addr().unwrap());
    let seen = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, plain, record) = (acceptor.clone(), plain.clone(), record.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Some(first) = tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
                    record.lock().push(first.as_ref().to_vec());
                }
                let Ok(mut inner) = tokio::net::TcpStream::connect(&plain).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut inner).await;
            });
        }
    });
    (url, seen)
}

/// The DER certificates of a PEM text.
fn rustls_pemfile_certs(pem: &str) -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .map(|c| c.unwrap())
        .collect()
}

async fn tls_settings(s: &Setup, body: Value) -> Answer {
    s.server
        .control_api(Method::POST, "/webhooks/tls")
        .json(body)
        .send()
        .await
}

#[tokio::test]
async fn deliveries_present_metas_client_certificate_to_an_https_receiver() {
    let s = setup().await;
    // The CA a receiver installs (004 L2468 "Install the root certificate"), from the
    // control API.
    let Answer { body: tls, .. } = s
        .server
        .control_api(Method::GET, "/webhooks/tls")
        .send()
        .await;
    assert_eq!(tls["client_certificate"], json!(false));
    assert_eq!(tls["client_common_name"], json!(CLIENT_CN));
    assert_eq!(tls["trusted_certificates"], json!(0));
    let client_ca = tls["client_ca_pem"].as_str().unwrap().to_string();
    assert!(client_ca.starts_with("-----BEGIN CERTIFICATE-----"));

    let (server_ca, cert, key) = server_identity();
    let plain = s
        .receiver
        .url("/webhooks")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (url, clients) = tls_front(plain, &client_ca, (cert, key)).await;

    // The receiver's certificate is not trusted yet: verification fails on TLS, clearly.
    let answer = s.configure(&url, Some("comments")).await;
    assert_eq!(answer.error().0, 2200, "{}", answer.text);
    assert!(
        answer.error().3.contains("SSL connect error"),
        "{}",
        answer.text
    );

    // Trusted, but without the client certificate the receiver refuses the handshake.
    let trusted = tls_settings(&s, json!({"trust_pem": [server_ca]})).await;
    assert_eq!(trusted.status, StatusCode::OK, "{}", trusted.text);
    assert_eq!(trusted.body["trusted_certificates"], json!(1));
    let answer = s.configure(&url, Some("comments")).await;
    assert_eq!(answer.error().0, 2200, "{}", answer.text);
    assert!(clients.lock().is_empty());

    // mTLS on: the verification request and the deliveries carry the certificate.
    let on = tls_settings(&s, json!({"client_certificate": true})).await;
    assert_eq!(on.body["client_certificate"], json!(true));
    assert_eq!(
        on.body["client_ca_pem"],
        json!(client_ca),
        "the CA stays the same"
    );
    let answer = s.configure(&url, Some("comments")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(s.receiver.verifications().len(), 1);
    let answer = s.subscribe_ig("comments").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("17865799348089039", "over TLS")),
    )
    .await;
    wait_for!(
        "the delivery over TLS",
        !texts_of(&s.receiver, s.account_id()).is_empty()
    );
    assert_eq!(
        texts_of(&s.receiver, s.account_id()),
        vec!["over TLS".to_string()]
    );
    // Every accepted client presented the certificate with Meta's common name (004 L2470).
    let seen = clients.lock().clone();
    assert!(seen.len() >= 2, "{} clients", seen.len());
    for der in seen {
        assert!(
            der.windows(CLIENT_CN.len())
                .any(|w| w == CLIENT_CN.as_bytes()),
            "the client certificate names {CLIENT_CN}"
        );
    }

    // Bad settings are refused and change nothing.
    let bad = tls_settings(&s, json!({"trust_pem": ["not a certificate"]})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    let Answer { body: now, .. } = s
        .server
        .control_api(Method::GET, "/webhooks/tls")
        .send()
        .await;
    assert_eq!(now["trusted_certificates"], json!(1));
    assert_eq!(now["client_certificate"], json!(true));
}
