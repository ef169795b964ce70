//! The app model (issue #13): what the App Dashboard settles about an app and what follows
//! from it — Live and Development mode, Business Verification, one login per app, Business-type
//! apps, Advanced Access per permission through App Review, public test accounts, the business
//! login settings' deauthorize and data deletion callbacks, the retired Basic Display API, Page
//! tasks in the Facebook dialog and system user tokens. Reference: 004 L52-180 (overview,
//! access levels, App Review, Business Verification, tasks), 004 L700-806 (creating an app),
//! 004 L1674-1752 (App Review), 004 L1252-1260 (Basic Display), 004 L2246-2266 (webhook
//! requirements).

mod common;

use common::{Answer, Host, TestServer};
use reqwest::{redirect::Policy, Method, StatusCode};
use serde_json::{json, Value};

const REDIRECT: &str = "https://app.example/cb";

/// The login dialogs are a browser's pages: requests built by hand on a client that does not
/// follow redirects (as tests/logins.rs does).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn ig_dialog(server: &TestServer, app: &Value, scope: &str) -> String {
    format!(
        "{}/oauth/authorize?client_id={}&redirect_uri={}&response_type=code&scope={scope}",
        server.base,
        app["instagram_app_id"].as_str().unwrap(),
        encode(REDIRECT)
    )
}

fn fb_dialog(server: &TestServer, app: &Value, scope: &str) -> String {
    format!(
        "{}/v24.0/dialog/oauth?client_id={}&redirect_uri={}&response_type=code&scope={scope}",
        server.base,
        app["id"].as_str().unwrap(),
        encode(REDIRECT)
    )
}

/// Visits a dialog after `/login/next` chose `account`: the redirect's `code`, or the refusal's
/// status and text.
async fn log_in(
    server: &TestServer,
    url: &str,
    account: &str,
) -> Result<String, (StatusCode, String)> {
    server
        .post_control("/login/next", json!({"account_id": account}))
        .await;
    let response = browser().get(url).send().await.unwrap();
    if response.status() != StatusCode::FOUND {
        let status = response.status();
        return Err((status, response.text().await.unwrap()));
    }
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let query = location.split_once('?').unwrap().1;
    let query = query.split('#').next().unwrap();
    Ok(url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code"))
}

/// Instagram Login's code exchange: the granted permissions.
async fn ig_granted(server: &TestServer, app: &Value, code: &str) -> String {
    let answer = server
        .graph(Method::POST, "/oauth/access_token")
        .on(Host::Named("api.instagram.com"))
        .form(&[
            ("client_id", app["instagram_app_id"].as_str().unwrap()),
            (
                "client_secret",
                app["instagram_app_secret"].as_str().unwrap(),
            ),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", code),
        ])
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["permissions"].as_str().unwrap().to_string()
}

async fn control(server: &TestServer, method: Method, path: &str, body: Value) -> Answer {
    server.control_api(method, path).json(body).send().await
}

async fn new_app(server: &TestServer, settings: Value) -> Value {
    let mut body = json!({"name": "Dashboard", "redirect_uris": [REDIRECT]});
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let answer = control(server, Method::POST, "/apps", body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body
}

async fn change(server: &TestServer, app: &Value, settings: Value) -> Answer {
    let path = format!("/apps/{}", app["id"].as_str().unwrap());
    control(server, Method::POST, &path, settings).await
}

async fn account(server: &TestServer, username: &str, extra: Value) -> String {
    let mut body = json!({"username": username, "facebook_page": true});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    server.post_control("/accounts", body).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn add_role(server: &TestServer, app: &Value, account: &str) -> Answer {
    let path = format!("/apps/{}/roles", app["id"].as_str().unwrap());
    control(server, Method::POST, &path, json!({"account_id": account})).await
}

async fn review(server: &TestServer, app: &Value, body: Value) -> Value {
    let path = format!("/apps/{}/review", app["id"].as_str().unwrap());
    let answer = control(server, Method::POST, &path, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["data"].clone()
}

#[tokio::test]
async fn an_app_shows_its_settings_and_the_defaults_keep_every_app_as_before() {
    let server = TestServer::start().await;
    let app = new_app(&server, json!({})).await;
    // Existing apps and apps that say nothing: Live, verified, either login (docs/decisions.md).
    assert_eq!(app["mode"], json!("live"));
    assert_eq!(app["business_verified"], json!(true));
    assert_eq!(app["login_type"], json!("either"));
    assert_eq!(app["app_type"], json!("business"));
    assert_eq!(app["advanced_permissions"], json!([]));
    assert_eq!(app["deauthorize_callback_url"], Value::Null);
    // ref 004 L774-781: the embed URL starts Instagram Login with the redirect URL.
    assert_eq!(
        app["embed_url"],
        json!(format!(
            "https://www.instagram.com/oauth/authorize?force_reauth=true&client_id={}&redirect_uri={}&response_type=code&scope={}",
            app["instagram_app_id"].as_str().unwrap(),
            encode(REDIRECT),
            encode("instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments,instagram_business_manage_messages")
        ))
    );
    // The embed URL opens the authorization window (localgram serves the path on its origin).
    let embed = app["embed_url"].as_str().unwrap();
    let local = embed.replace("https://www.instagram.com", &server.base);
    let dialog = browser().get(local).send().await.unwrap();
    assert_eq!(dialog.status(), StatusCode::OK);
    // The window itself (no account has a role on this Standard Access app yet).
    assert!(dialog
        .text()
        .await
        .unwrap()
        .contains("No account can log in"));
    // ref 004 L155-159: the products follow the login.
    let igl = change(&server, &app, json!({"login_type": "instagram"})).await;
    assert_eq!(
        igl.body["products"],
        json!(["instagram_api_with_instagram_login"])
    );
    let fbl = change(&server, &app, json!({"login_type": "facebook", "mode": "development", "deauthorize_callback_url": "http://127.0.0.1:9/d"})).await;
    assert_eq!(
        fbl.body["products"],
        json!([
            "facebook_login_for_business",
            "messenger",
            "instagram_api_with_facebook_login"
        ])
    );
    let read = server
        .get_control(&format!(
            "/apps/{}",
            app["instagram_app_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(read["called_permissions"], json!([]));
    let mut read_settings = read.clone();
    read_settings
        .as_object_mut()
        .unwrap()
        .remove("called_permissions");
    assert_eq!(
        read_settings, fbl.body,
        "an app reads back by either of its ids"
    );
    assert_eq!(read["mode"], json!("development"));
    assert_eq!(
        read["deauthorize_callback_url"],
        json!("http://127.0.0.1:9/d")
    );
    let cleared = change(&server, &app, json!({"deauthorize_callback_url": ""})).await;
    assert_eq!(cleared.body["deauthorize_callback_url"], Value::Null);

    // What cannot be.
    let refused = |answer: Answer| (answer.status, answer.body["error"]["message"].clone());
    // ref 004 L714-719: only a Business-type app can add the Instagram product.
    assert_eq!(
        refused(control(&server, Method::POST, "/apps", json!({"name": "C", "app_type": "consumer"})).await),
        (
            StatusCode::BAD_REQUEST,
            json!("app_type \"consumer\" cannot add the Instagram product: only a business type app can (ref 004 L714-719)")
        )
    );
    // ref 004 L127-129: Advanced Access requires Business Verification.
    let unverified = json!({"name": "U", "access_level": "advanced", "business_verified": false});
    assert_eq!(
        refused(control(&server, Method::POST, "/apps", unverified).await),
        (
            StatusCode::BAD_REQUEST,
            json!("Advanced Access requires Business Verification: set business_verified to true (ref 004 L127-129)")
        )
    );
    let advanced = new_app(&server, json!({"access_level": "advanced"})).await;
    assert_eq!(
        change(&server, &advanced, json!({"business_verified": false}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    for bad in [
        json!({"mode": "beta"}),
        json!({"login_type": "both"}),
        json!({"advanced_permissions": ["nope"]}),
        json!({"data_deletion_url": "ftp://x"}),
        json!({"unknown": 1}),
    ] {
        assert_eq!(
            change(&server, &app, bad.clone()).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(
        control(&server, Method::GET, "/apps/123", json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test]
async fn development_mode_lets_only_people_with_a_role_log_in() {
    // ref 004 L789-806 and 001 L1886-1891: until the app is Live only people with a role on it
    // use it; once Live, anyone (with Advanced Access, ref 004 L76-90).
    let server = TestServer::start().await;
    let app = new_app(
        &server,
        json!({"access_level": "advanced", "mode": "development"}),
    )
    .await;
    let owner = account(&server, "owner.shop", json!({})).await;
    let stranger = account(&server, "stranger.shop", json!({})).await;
    add_role(&server, &app, &owner).await;
    let url = ig_dialog(&server, &app, "instagram_business_basic");
    let (status, text) = log_in(&server, &url, &stranger).await.unwrap_err();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("the next login's account cannot log in to this app"),
        "{text}"
    );
    assert!(log_in(&server, &url, &owner).await.is_ok());
    let fb = fb_dialog(&server, &app, "instagram_basic");
    assert_eq!(
        log_in(&server, &fb, &stranger).await.unwrap_err().0,
        StatusCode::BAD_REQUEST
    );
    assert!(log_in(&server, &fb, &owner).await.is_ok());

    change(&server, &app, json!({"mode": "live"})).await;
    assert!(log_in(&server, &url, &stranger).await.is_ok());
    assert!(log_in(&server, &fb, &stranger).await.is_ok());
    server.stop().await;
}

#[tokio::test]
async fn app_review_grants_advanced_access_after_a_successful_call() {
    // ref 004 L1674-1689: an app for one's own business needs Standard Access and no review;
    // serving others needs Advanced Access through App Review, which asks for at least one
    // successful call with each permission (ref 004 L1752).
    let server = TestServer::start().await;
    let app = new_app(&server, json!({})).await;
    let owner = account(&server, "owner.shop", json!({})).await;
    let stranger = account(&server, "stranger.shop", json!({})).await;
    add_role(&server, &app, &owner).await;
    let scope = "instagram_business_basic,instagram_business_content_publish";
    let url = ig_dialog(&server, &app, scope);
    // Standard Access: the owner logs in and grants everything asked; the stranger cannot.
    let code = log_in(&server, &url, &owner).await.unwrap();
    assert_eq!(ig_granted(&server, &app, &code).await, scope);
    assert!(log_in(&server, &url, &stranger).await.is_err());

    let rejected = review(
        &server,
        &app,
        json!({"permissions": ["instagram_business_basic"]}),
    )
    .await;
    assert_eq!(
        rejected,
        json!([{"permission": "instagram_business_basic", "status": "rejected",
                "reason": "the app has not made a successful API call with instagram_business_basic: at least one is needed (ref 004 L1752)"}])
    );
    // A successful call with the permission (the owner's token), then the review passes.
    let token = server
        .token(
            app["id"].as_str().unwrap(),
            &owner,
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    assert_eq!(
        server
            .get_ig("/v24.0/me?fields=username", &token)
            .await
            .status,
        StatusCode::OK
    );
    // The note reaches the database behind the call.
    let path = format!("/apps/{}", app["id"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get_control(&path).await["called_permissions"]
        != json!(["instagram_business_basic"])
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the call was never noted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let approved = review(&server, &app, json!({"permissions": ["instagram_business_basic", "instagram_business_content_publishing"]})).await;
    assert_eq!(
        approved[0],
        json!({"permission": "instagram_business_basic", "status": "approved"})
    );
    // The App Review spelling is the _publish permission (004 L1717), never called yet.
    assert_eq!(
        approved[1]["permission"],
        json!("instagram_business_content_publish")
    );
    assert_eq!(approved[1]["status"], json!("rejected"));
    let read = server
        .get_control(&format!("/apps/{}", app["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        read["advanced_permissions"],
        json!(["instagram_business_basic"])
    );

    // Now anyone can log in, granting only what has Advanced Access (ref 004 L76-90).
    let code = log_in(&server, &url, &stranger).await.unwrap();
    assert_eq!(
        ig_granted(&server, &app, &code).await,
        "instagram_business_basic"
    );
    let code = log_in(&server, &url, &owner).await.unwrap();
    assert_eq!(
        ig_granted(&server, &app, &code).await,
        scope,
        "a role keeps everything"
    );

    // A reset forgets the calls: the same review is rejected again.
    server.post_control("/reset", json!({})).await;
    let app = new_app(&server, json!({})).await;
    let again = review(
        &server,
        &app,
        json!({"permissions": ["instagram_business_basic"]}),
    )
    .await;
    assert_eq!(again[0]["status"], json!("rejected"));
    server.stop().await;
}

#[tokio::test]
async fn app_review_needs_business_verification_and_limits_private_apps() {
    let server = TestServer::start().await;
    let world = server.world().await;
    // Calls with instagram_basic, instagram_manage_comments and instagram_manage_insights.
    let app = new_app(
        &server,
        json!({"business_verified": false, "login_type": "facebook"}),
    )
    .await;
    let app_id = app["id"].as_str().unwrap();
    let fb = server
        .token(app_id, world.business_id(), "facebook", None)
        .await;
    for path in [
        format!("/v24.0/{}?fields=username", world.business_id()),
        format!(
            "/v24.0/{}/insights?metric=reach&period=day",
            world.business_id()
        ),
    ] {
        assert_eq!(
            server.get_fb(&path, &fb).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let media = server
        .post_control(
            &format!("/accounts/{}/media", world.business_id()),
            json!({"caption": "c"}),
        )
        .await;
    let comments = format!("/v24.0/{}/comments", media["id"].as_str().unwrap());
    assert_eq!(server.get_fb(&comments, &fb).await.status, StatusCode::OK);

    // ref 004 L127-129 (and 004 L1571-1573): no Advanced Access without Business Verification.
    let asked = json!({"permissions": ["instagram_basic", "instagram_manage_comments", "instagram_manage_insights"], "private": true});
    let verdicts = review(&server, &app, asked.clone()).await;
    assert!(verdicts.as_array().unwrap().iter().all(|v| v["reason"]
        == json!("the app's business has not completed Business Verification, which Advanced Access requires (ref 004 L127-129)")));

    // ref 004 L92-97: a private app can be approved only for instagram_basic and
    // instagram_manage_comments.
    change(&server, &app, json!({"business_verified": true})).await;
    let verdicts = review(&server, &app, asked).await;
    assert_eq!(
        verdicts,
        json!([
            {"permission": "instagram_basic", "status": "approved"},
            {"permission": "instagram_manage_comments", "status": "approved"},
            {"permission": "instagram_manage_insights", "status": "rejected",
             "reason": "a private app can be approved only for instagram_basic and instagram_manage_comments, not instagram_manage_insights (ref 004 L92-97)"}
        ])
    );
    // ref 004 L1695-1719: each login has its own reviewable permissions.
    let verdicts = review(
        &server,
        &app,
        json!({"permissions": ["instagram_business_basic"]}),
    )
    .await;
    assert_eq!(
        verdicts[0]["reason"],
        json!("Advanced Access cannot be requested for instagram_business_basic with this app's login (ref 004 L1695-1719)")
    );
    assert_eq!(
        control(
            &server,
            Method::POST,
            &format!("/apps/{app_id}/review"),
            json!({"permissions": ["nope"]})
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    // ref 004 L1721-1732: moving to Instagram Login brings Advanced Access for the
    // counterparts.
    let moved = change(&server, &app, json!({"login_type": "instagram"})).await;
    assert_eq!(
        moved.body["advanced_permissions"],
        json!([
            "instagram_business_basic",
            "instagram_business_manage_comments"
        ])
    );
    server.stop().await;
}

#[tokio::test]
async fn an_app_uses_facebook_login_or_instagram_login_not_both() {
    // ref 004 L1695.
    let server = TestServer::start().await;
    let owner = account(&server, "owner.shop", json!({})).await;
    let igl = new_app(
        &server,
        json!({"access_level": "advanced", "login_type": "instagram"}),
    )
    .await;
    let page = browser()
        .get(fb_dialog(&server, &igl, "instagram_basic"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Facebook Login is currently unavailable for this app."));
    let refused = control(
        &server,
        Method::POST,
        "/tokens",
        json!({"app_id": igl["id"], "account_id": owner, "login": "facebook"}),
    )
    .await;
    assert_eq!(
        (refused.status, refused.body["error"]["message"].clone()),
        (
            StatusCode::BAD_REQUEST,
            json!("the app uses Instagram Login, not Facebook Login: an app uses one or the other (ref 004 L1695)")
        )
    );
    assert!(log_in(
        &server,
        &ig_dialog(&server, &igl, "instagram_business_basic"),
        &owner
    )
    .await
    .is_ok());

    let fbl = new_app(
        &server,
        json!({"access_level": "advanced", "login_type": "facebook"}),
    )
    .await;
    let answer = browser()
        .get(ig_dialog(&server, &fbl, "instagram_business_basic"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"})
    );
    assert!(log_in(
        &server,
        &fb_dialog(&server, &fbl, "instagram_basic"),
        &owner
    )
    .await
    .is_ok());
    server.stop().await;
}

#[tokio::test]
async fn instagram_test_accounts_added_to_an_app_must_be_public() {
    // ref 004 L742-749: "This account must be public. Multiple accounts can be added for
    // multiple testers."
    let server = TestServer::start().await;
    let app = new_app(&server, json!({})).await;
    let private = account(&server, "hidden.shop", json!({"is_private": true})).await;
    let refused = add_role(&server, &app, &private).await;
    assert_eq!(
        (refused.status, refused.body["error"]["message"].clone()),
        (
            StatusCode::BAD_REQUEST,
            json!("@hidden.shop is private: an Instagram account added to an app must be public")
        )
    );
    let first = account(&server, "first.shop", json!({})).await;
    let second = account(&server, "second.shop", json!({})).await;
    assert_eq!(add_role(&server, &app, &first).await.status, StatusCode::OK);
    assert_eq!(
        add_role(&server, &app, &second).await.status,
        StatusCode::OK
    );
    let roles = server
        .get_control(&format!("/apps/{}/roles", app["id"].as_str().unwrap()))
        .await;
    assert_eq!(roles["data"].as_array().unwrap().len(), 2);
    server.stop().await;
}

/// An app's callback on 127.0.0.1: records each form body and answers `reply`.
async fn callback_server(
    reply: Value,
) -> (String, std::sync::Arc<parking_lot::Mutex<Vec<String>>>) {
    use axum::routing::post;
    let seen = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/{*path}",
        post(move |body: String| {
            let (record, reply) = (record.clone(), reply.clone());
            async move {
                record.lock().push(body);
                axum::Json(reply)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// Decodes and checks a `signed_request` form body with `secret`: its payload.
fn verify_signed_request(form: &str, secret: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let signed = url::form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == "signed_request")
        .map(|(_, v)| v.into_owned())
        .expect("a signed_request");
    let (signature, payload) = signed.split_once('.').unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap())
        .expect("signed with the secret");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn removing_the_app_and_asking_for_deletion_call_the_apps_callbacks() {
    // ref 004 L774-787: the business login settings' deauthorize callback URL and data
    // deletion request URL; the payload is Meta's signed_request (docs/decisions.md).
    let server = TestServer::start().await;
    let world = server.world().await;
    let (base, seen) = callback_server(
        json!({"url": "https://app.example/deletion?id=abc", "confirmation_code": "abc"}),
    )
    .await;
    let app = &world.app;
    let app_id = world.app_id();
    let updated = change(&server, app, json!({"deauthorize_callback_url": format!("{base}/deauthorize"), "data_deletion_url": format!("{base}/delete")})).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    let scoped = server.get_ig("/v24.0/me", &world.ig_token).await.body["id"].clone();

    let removed = control(
        &server,
        Method::POST,
        &format!("/apps/{app_id}/deauthorize"),
        json!({"account_id": world.business_id()}),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(removed.body["success"], json!(true));
    assert_eq!(removed.body["user_id"], scoped);
    assert_eq!(removed.body["revoked_tokens"], json!(1));
    assert_eq!(removed.body["callback"]["status"], json!(200));
    // The person's Instagram Login token ended; the Facebook Login one is another
    // authorization.
    assert_eq!(
        server.get_ig("/v24.0/me", &world.ig_token).await.error().1,
        Some(458)
    );
    assert_eq!(
        server.get_fb("/v24.0/me", &world.fb_token).await.status,
        StatusCode::OK
    );
    let payload = verify_signed_request(
        &seen.lock()[0],
        app["instagram_app_secret"].as_str().unwrap(),
    );
    assert_eq!(payload["algorithm"], json!("HMAC-SHA256"));
    assert_eq!(payload["user_id"], scoped);
    assert!(payload["issued_at"].as_i64().unwrap() > 1_700_000_000);

    // Facebook Login: the Facebook user, signed with the app secret.
    let deleted = control(
        &server,
        Method::POST,
        &format!("/apps/{app_id}/data_deletion"),
        json!({"account_id": world.business_id(), "login": "facebook"}),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert_eq!(
        deleted.body["url"],
        json!("https://app.example/deletion?id=abc")
    );
    assert_eq!(deleted.body["confirmation_code"], json!("abc"));
    let payload = verify_signed_request(&seen.lock()[1], app["secret"].as_str().unwrap());
    assert_eq!(payload["user_id"], world.business["facebook_user_id"]);

    // A callback that answers something else is reported, not trusted.
    let (bad_base, _) = callback_server(json!({"ok": true})).await;
    change(
        &server,
        app,
        json!({"data_deletion_url": format!("{bad_base}/delete")}),
    )
    .await;
    let deleted = control(
        &server,
        Method::POST,
        &format!("/apps/{app_id}/data_deletion"),
        json!({"account_id": world.business_id()}),
    )
    .await;
    assert_eq!(
        deleted.body["error"],
        json!("the data deletion callback must answer JSON {\"url\", \"confirmation_code\"}")
    );
    change(&server, app, json!({"data_deletion_url": ""})).await;
    let none = control(
        &server,
        Method::POST,
        &format!("/apps/{app_id}/data_deletion"),
        json!({"account_id": world.business_id()}),
    )
    .await;
    assert_eq!(none.status, StatusCode::CONFLICT);
    server.stop().await;
}

#[tokio::test]
async fn the_basic_display_api_answers_that_it_is_deprecated() {
    // ref 004 L1252-1260: since December 4, 2024 every Basic Display request returns an
    // error; instagram_graph_user_profile was its permission (001 L3592-3593).
    let server = TestServer::start().await;
    let world = server.world().await;
    let answer = browser()
        .get(ig_dialog(&server, &world.app, "user_profile,user_media"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error_type": "OAuthException", "code": 400, "error_message": "Invalid scope: user_profile. The Instagram Basic Display API has been deprecated: use the Instagram API with Instagram Login scopes (instagram_business_*)"})
    );
    let token = control(&server, Method::POST, "/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "instagram", "scopes": ["instagram_graph_user_profile"]})).await;
    assert_eq!(token.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        token.body["error"]["message"],
        json!("Invalid scope: instagram_graph_user_profile. The Instagram Basic Display API has been deprecated: use the Instagram API with Instagram Login scopes (instagram_business_*)")
    );
    server.stop().await;
}

#[tokio::test]
async fn page_tasks_decide_what_a_person_can_grant() {
    // ref 004 L165-180: a person grants the Instagram permissions their Page tasks allow.
    let server = TestServer::start().await;
    let app = new_app(&server, json!({"access_level": "advanced"})).await;
    let analyst = account(&server, "analysed.shop", json!({"page_tasks": ["ANALYZE"]})).await;
    let url = fb_dialog(
        &server,
        &app,
        "instagram_basic,instagram_content_publish,instagram_manage_insights,pages_show_list",
    );
    let code = log_in(&server, &url, &analyst).await.unwrap();
    let secret = app["secret"].as_str().unwrap();
    let exchanged = server
        .graph(Method::GET, &format!("/v24.0/oauth/access_token?client_id={}&redirect_uri={REDIRECT}&client_secret={secret}&code={code}", app["id"].as_str().unwrap()))
        .send()
        .await;
    assert_eq!(exchanged.status, StatusCode::OK, "{}", exchanged.text);
    let token = exchanged.body["access_token"].as_str().unwrap();
    let inspected = server
        .get_control(&format!("/tokens/inspect?access_token={token}"))
        .await;
    assert_eq!(
        inspected["scopes"],
        json!([
            "instagram_basic",
            "instagram_manage_insights",
            "pages_show_list"
        ])
    );
    server.stop().await;
}

#[tokio::test]
async fn system_user_tokens_never_expire_and_reach_messaging_through_the_page() {
    // ref 000 L369-378 and L921-931: the API takes user and system user access tokens.
    let server = TestServer::start().await;
    let world = server.world().await;
    let issued = control(&server, Method::POST, "/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "facebook", "system_user": true})).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    assert!(issued.body.get("expires_in").is_none(), "{}", issued.body);
    let token = issued.body["access_token"].as_str().unwrap().to_string();
    let debug = server
        .get_fb(
            &format!("/v24.0/debug_token?input_token={token}"),
            world.app["app_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(debug.body["data"]["type"], json!("SYSTEM_USER"));
    assert_eq!(debug.body["data"]["expires_at"], json!(0));
    assert_eq!(debug.body["data"]["is_valid"], json!(true));
    // A year later it still works, and its Page token reads the Instagram inbox.
    server
        .post_control("/clock", json!({"advance_seconds": 365 * 86_400}))
        .await;
    let pages = server
        .get_fb("/v24.0/me/accounts?fields=id,access_token", &token)
        .await;
    assert_eq!(pages.status, StatusCode::OK, "{}", pages.text);
    let page_token = pages.body["data"][0]["access_token"].as_str().unwrap();
    let inbox = server
        .get_fb(
            &format!(
                "/v24.0/{}/conversations?platform=instagram",
                world.page_id()
            ),
            page_token,
        )
        .await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    assert_eq!(inbox.body["data"], json!([]));
    // Only Facebook Login has system users.
    let wrong = control(&server, Method::POST, "/tokens", json!({"app_id": world.app_id(), "account_id": world.business_id(), "login": "instagram", "system_user": true})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}
