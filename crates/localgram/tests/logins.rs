//! Both login flows and the whole token lifecycle, tested the way a browser and an app use
//! them: load the dialog, submit its form, follow the redirect, exchange the code, use,
//! extend, refresh and lose the token. Reference: Instagram Login 001 L8736-8825, access
//! token 001 L3547-3621, refresh 001 L8884-8964, Facebook Login for Business 001 L8965-9124,
//! Getting Started 001 L1773-1892, scopes 004 L1293 and L1609 (002-004 inventory §1.5-1.6).

mod common;

use common::{Answer, Host, TestServer};
use reqwest::{redirect::Policy, Method, StatusCode};
use serde_json::{json, Value};

/// A browser that does not follow redirects, so tests can read where the dialog sends it. The
/// login dialogs are a browser's pages (HTML forms, `Location` redirects), not Graph calls: their
/// requests are built by hand on this client, not with the `common` call builder.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// A form as a browser sees it: its action and the fields it would submit.
struct Form {
    action: String,
    hidden: Vec<(String, String)>,
    radios: Vec<(String, String)>,
    checkboxes: Vec<(String, String)>,
}

fn parse_form(html: &str) -> Form {
    let form_tag = html
        .split("<form")
        .nth(1)
        .expect("a form")
        .split('>')
        .next()
        .unwrap();
    let action = attribute(form_tag, "action").unwrap();
    let mut form = Form {
        action,
        hidden: vec![],
        radios: vec![],
        checkboxes: vec![],
    };
    for tag in html
        .split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
    {
        let kind = attribute(tag, "type").unwrap_or_default();
        let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) else {
            continue;
        };
        match kind.as_str() {
            "hidden" => form.hidden.push((name, value)),
            "radio" => form.radios.push((name, value)),
            "checkbox" if !tag.contains("disabled") => form.checkboxes.push((name, value)),
            _ => {}
        }
    }
    form
}

/// Submits the dialog's form as a person would: chose `choice` (radio value), keep the
/// permissions in `keep`, press `button`.
async fn submit(
    server: &TestServer,
    form: &Form,
    choice: &str,
    keep: &[&str],
    button: &str,
) -> reqwest::Response {
    let mut fields: Vec<(String, String)> = form.hidden.clone();
    let radio = form
        .radios
        .iter()
        .find(|(_, v)| v == choice)
        .expect("the choice is offered");
    fields.push(radio.clone());
    for (name, value) in &form.checkboxes {
        if keep.contains(&value.as_str()) {
            fields.push((name.clone(), value.clone()));
        }
    }
    fields.push(("action".into(), button.into()));
    browser()
        .post(format!("{}{}", server.base, form.action))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::FOUND, "expected a redirect");
    response.headers()["location"].to_str().unwrap().to_string()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn get_param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

const REDIRECT: &str = "https://app.example/cb";

fn ig_authorize_url(server: &TestServer, client_id: &str, scope: &str, state: &str) -> String {
    format!(
        "{}/oauth/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope={scope}&state={state}",
        server.base,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    )
}

async fn ig_exchange(
    server: &TestServer,
    app: &Value,
    code: &str,
    redirect_uri: &str,
) -> (StatusCode, Value) {
    let response = server
        .graph(Method::POST, "/oauth/access_token")
        .on(API)
        .form(&[
            ("client_id", app["instagram_app_id"].as_str().unwrap()),
            (
                "client_secret",
                app["instagram_app_secret"].as_str().unwrap(),
            ),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ])
        .send()
        .await;
    (response.status, response.body)
}

/// api.instagram.com, where Instagram Login exchanges codes.
const API: Host = Host::Named("api.instagram.com");

#[tokio::test]
async fn instagram_login_from_dialog_to_refreshed_token() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let app = &world.app;
    server.post_control("/clock", json!({"frozen": true})).await;

    // The dialog shows the app, the accounts and the permissions asked.
    let scope = "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments";
    let page = browser()
        .get(ig_authorize_url(
            &server,
            app["instagram_app_id"].as_str().unwrap(),
            scope,
            "xyz",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("Test App wants to access your account"));
    assert!(html.contains("@metricsaurus") && html.contains("@dino.creator"));
    assert!(html.contains(">Allow<") && html.contains(">Cancel<"));
    let form = parse_form(&html);
    assert_eq!(form.action, "/oauth/authorize");
    // The required permission cannot be unticked; the others can.
    assert_eq!(
        form.checkboxes
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>(),
        vec![
            "instagram_business_content_publish",
            "instagram_business_manage_comments"
        ]
    );

    // Allow, unticking comments: a code with Meta's #_ suffix, and the state echoed.
    let redirect = location(
        &submit(
            &server,
            &form,
            world.business_id(),
            &["instagram_business_content_publish"],
            "allow",
        )
        .await,
    );
    assert!(
        redirect.starts_with(&format!("{REDIRECT}?code=AQ")),
        "{redirect}"
    );
    assert!(redirect.ends_with("#_"), "{redirect}");
    let pairs = query_of(&redirect);
    assert_eq!(get_param(&pairs, "state").as_deref(), Some("xyz"));
    let code = get_param(&pairs, "code").unwrap();

    // The app strips #_ and exchanges the code.
    let (status, body) = ig_exchange(&server, app, &code, REDIRECT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["permissions"],
        json!("instagram_business_basic,instagram_business_content_publish")
    );
    let short = body["access_token"].as_str().unwrap().to_string();
    assert!(short.starts_with("IGAA"));
    let me = server.get_ig("/v24.0/me?fields=id,user_id", &short).await;
    assert_eq!(me.body["user_id"], json!(world.business_id()));
    assert_eq!(
        body["user_id"], me.body["id"],
        "user_id is the app-scoped id /me answers"
    );
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["access_token", "user_id", "permissions"]
    );

    // The same code works once.
    let (status, again) = ig_exchange(&server, app, &code, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again,
        json!({"error_type": "OAuthException", "code": 400, "error_message": "This authorization code has been used"})
    );

    // Short-lived → long-lived (ref 001 L3547-3621).
    let secret = app["instagram_app_secret"].as_str().unwrap();
    let long = server
        .get_ig(
            &format!("/access_token?grant_type=ig_exchange_token&client_secret={secret}"),
            &short,
        )
        .await;
    assert_eq!(long.status, StatusCode::OK, "{}", long.text);
    assert_eq!(long.body["token_type"], json!("bearer"));
    assert_eq!(long.body["expires_in"], json!(5_184_000));
    let long_token = long.body["access_token"].as_str().unwrap().to_string();
    let again = server
        .get_ig(
            &format!("/access_token?grant_type=ig_exchange_token&client_secret={secret}"),
            &long_token,
        )
        .await;
    assert_eq!(
        again.error().3,
        "(#100) Only a short-lived access token can be exchanged for a long-lived one"
    );
    let wrong_secret = server
        .get_ig(
            "/access_token?grant_type=ig_exchange_token&client_secret=nope",
            &short,
        )
        .await;
    assert_eq!(
        wrong_secret.error(),
        (
            1,
            None,
            "OAuthException".into(),
            "Error validating client secret.".into()
        )
    );

    // Refresh: not before the token is 24 hours old (ref 001 L8894-8897).
    let early = server
        .get_ig(
            "/refresh_access_token?grant_type=ig_refresh_token",
            &long_token,
        )
        .await;
    assert_eq!(
        early.error().3,
        "(#100) A long-lived access token can be refreshed only once it is at least 24 hours old"
    );
    let short_refresh = server
        .get_ig("/refresh_access_token?grant_type=ig_refresh_token", &short)
        .await;
    assert_eq!(
        short_refresh.error().3,
        "(#100) Only a long-lived access token can be refreshed"
    );
    server
        .post_control("/clock", json!({"advance_seconds": 86_400}))
        .await;
    let refreshed = server
        .get_ig(
            "/refresh_access_token?grant_type=ig_refresh_token",
            &long_token,
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text);
    assert_eq!(refreshed.body["expires_in"], json!(5_184_000));
    assert_ne!(refreshed.body["access_token"], json!(long_token));
    // The short-lived token has long expired by now.
    assert_eq!(
        server.get_ig("/v24.0/me", &short).await.error().1,
        Some(463)
    );
    server.stop().await;
}

#[tokio::test]
async fn instagram_login_cancel_and_dialog_errors() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let ig_app = world.app["instagram_app_id"].as_str().unwrap().to_string();
    let page = browser()
        .get(ig_authorize_url(
            &server,
            &ig_app,
            "instagram_business_basic",
            "s1",
        ))
        .send()
        .await
        .unwrap();
    let form = parse_form(&page.text().await.unwrap());
    let redirect = location(&submit(&server, &form, world.business_id(), &[], "cancel").await);
    // ref 001 L8811-8822
    assert_eq!(
        redirect,
        format!("{REDIRECT}?error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=s1")
    );

    let cases = [
        (ig_authorize_url(&server, "12345", "instagram_business_basic", "s"), "Invalid platform app"),
        (ig_authorize_url(&server, world.app_id(), "instagram_business_basic", "s"), "Invalid platform app"),
        (ig_authorize_url(&server, &ig_app, "instagram_business_content_publish", "s"), "Invalid scope: instagram_business_basic is required"),
        (ig_authorize_url(&server, &ig_app, "instagram_business_basic,pages_show_list", "s"), "Invalid scope: pages_show_list"),
        (ig_authorize_url(&server, &ig_app, "business_basic", "s"), "Invalid scope: business_basic"),
        (
            format!("{}/oauth/authorize?client_id={ig_app}&redirect_uri=https://evil.example/&response_type=code&scope=instagram_business_basic", server.base),
            "Invalid redirect_uri",
        ),
        (
            format!("{}/oauth/authorize?client_id={ig_app}&redirect_uri={REDIRECT}&response_type=token&scope=instagram_business_basic", server.base),
            "Invalid response_type: set response_type to code",
        ),
    ];
    for (url, message) in cases {
        let response = browser().get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
            "{url}"
        );
    }

    // Before January 27, 2025 the old scope names still worked, mapped to the new ones.
    server
        .post_control("/clock", json!({"set": "2025-01-10T00:00:00Z"}))
        .await;
    let old = browser()
        .get(ig_authorize_url(&server, &ig_app, "business_basic", "s"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::OK);
    assert!(old
        .text()
        .await
        .unwrap()
        .contains("value=\"instagram_business_basic\""));
    server.stop().await;
}

#[tokio::test]
async fn instagram_code_exchange_errors() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let app = world.app.clone();
    server
        .post_control("/login/next", json!({"account_id": world.business_id()}))
        .await;
    let ig_app = app["instagram_app_id"].as_str().unwrap();
    let redirect = location(
        &browser()
            .get(ig_authorize_url(
                &server,
                ig_app,
                "instagram_business_basic",
                "s",
            ))
            .send()
            .await
            .unwrap(),
    );
    let code = get_param(&query_of(&redirect), "code").unwrap();

    // A code left with its #_ suffix is not a code.
    let (_, body) = ig_exchange(&server, &app, &format!("{code}#_"), REDIRECT).await;
    assert_eq!(body["error_message"], json!("Invalid authorization code"));
    let (_, body) = ig_exchange(&server, &app, &code, "https://app.example/other").await;
    assert_eq!(
        body["error_message"],
        json!("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
    );
    let response = server
        .graph(Method::POST, "/oauth/access_token")
        .on(API)
        .form(&[
            ("client_id", ig_app),
            ("client_secret", "wrong"),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", &code),
        ])
        .send()
        .await;
    assert_eq!(
        response.body["error_message"],
        json!("Error validating client secret.")
    );
    let response = server
        .graph(Method::POST, "/oauth/access_token")
        .on(API)
        .form(&[("client_id", ig_app)])
        .send()
        .await;
    assert_eq!(
        response.body["error_message"],
        json!("You must provide a client_secret")
    );

    // Codes live one hour (ref 001 L8805-8808).
    server
        .post_control("/clock", json!({"advance_seconds": 3600}))
        .await;
    let (status, body) = ig_exchange(&server, &app, &code, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error_message"],
        json!("This authorization code has expired")
    );
    server.stop().await;
}

#[tokio::test]
async fn next_login_answers_at_once_and_standard_access_limits_who_logs_in() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let standard = server
        .post_control(
            "/apps",
            json!({"name": "Standard", "redirect_uris": [REDIRECT], "access_level": "standard"}),
        )
        .await;
    let ig_app = standard["instagram_app_id"].as_str().unwrap().to_string();
    let url = ig_authorize_url(&server, &ig_app, "instagram_business_basic", "s");

    // Under Standard Access nobody without a role can log in (ref 004 L91-114).
    let page = browser()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("No account can log in"));
    server
        .post_control(
            &format!("/apps/{}/roles", standard["id"].as_str().unwrap()),
            json!({"account_id": world.business_id()}),
        )
        .await;
    let page = browser()
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("@metricsaurus") && !page.contains("@dino.creator"));

    // A test decides the next visit: no page, straight back to the app.
    server
        .post_control(
            "/login/next",
            json!({"account_id": world.business_id(), "deny": true}),
        )
        .await;
    let denied = location(&browser().get(&url).send().await.unwrap());
    assert!(denied.contains("error=access_denied"));
    let creator = world.creator["id"].as_str().unwrap();
    server
        .post_control("/login/next", json!({"account_id": creator}))
        .await;
    let refused = browser().get(&url).send().await.unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::BAD_REQUEST,
        "the creator has no role on the app"
    );
    server
        .post_control("/login/next", json!({"account_id": world.business_id()}))
        .await;
    let allowed = location(&browser().get(&url).send().await.unwrap());
    assert!(allowed.contains("code=AQ"));
    // It applies to one visit only.
    assert_eq!(
        browser().get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn the_dialog_escapes_what_it_echoes() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let evil =
        url::form_urlencoded::byte_serialize(b"\"><script>alert(1)</script>").collect::<String>();
    let page = browser()
        .get(ig_authorize_url(
            &server,
            world.app["instagram_app_id"].as_str().unwrap(),
            "instagram_business_basic",
            &evil,
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    server.stop().await;
}

fn fb_dialog_url(server: &TestServer, client_id: &str, response_type: &str, scope: &str) -> String {
    format!(
        "{}/v24.0/dialog/oauth?client_id={client_id}&display=page&extras=%7B%22setup%22%3A%7B%22channel%22%3A%22IG_API_ONBOARDING%22%7D%7D&redirect_uri={}&response_type={response_type}&scope={scope}&state=st",
        server.base,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    )
}

const FB_SCOPES: &str = "instagram_basic,instagram_content_publish,instagram_manage_comments,pages_show_list,pages_read_engagement";

#[tokio::test]
async fn facebook_login_code_flow_pages_and_page_tokens() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let app = &world.app;
    let page = browser()
        .get(fb_dialog_url(&server, world.app_id(), "code", FB_SCOPES))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Metricsaurus Admin")
            && html.contains("manages Metricsaurus (@metricsaurus)")
    );
    let form = parse_form(&html);
    assert_eq!(form.action, "/v24.0/dialog/oauth");
    let fb_user = world.business["facebook_user_id"].as_str().unwrap();
    let all: Vec<&str> = FB_SCOPES.split(',').collect();
    let redirect = location(&submit(&server, &form, fb_user, &all, "allow").await);
    assert!(redirect.ends_with("#_=_"), "{redirect}");
    let code = get_param(&query_of(&redirect), "code").unwrap();

    // Code exchange on graph.facebook.com (docs/decisions.md).
    let secret = app["secret"].as_str().unwrap();
    let exchange = |code: String| {
        let server = &server;
        let app_id = world.app_id().to_string();
        async move {
            server.graph(Method::GET, &format!("/v24.0/oauth/access_token?client_id={app_id}&redirect_uri={REDIRECT}&client_secret={secret}&code={code}")).send()
                .await
        }
    };
    let short = exchange(code.clone()).await;
    assert_eq!(short.status, StatusCode::OK, "{}", short.text);
    assert_eq!(short.body["token_type"], json!("bearer"));
    assert_eq!(short.body["expires_in"], json!(7200));
    let user_token = short.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        exchange(code).await.error(),
        (
            100,
            Some(36009),
            "OAuthException".into(),
            "This authorization code has been used.".into()
        )
    );

    // fb_exchange_token: long-lived.
    let long = server.graph(Method::GET, &format!("/v24.0/oauth/access_token?grant_type=fb_exchange_token&client_id={}&client_secret={secret}&fb_exchange_token={user_token}", world.app_id())).send()
        .await;
    assert_eq!(long.body["expires_in"], json!(5_184_000), "{}", long.text);
    let long_token = long.body["access_token"].as_str().unwrap().to_string();

    // /me/accounts as the Getting Started guide shows (sample 001-me-accounts-get-L9080).
    let accounts = server
        .get_fb(
            "/v24.0/me/accounts?fields=id,name,access_token,instagram_business_account",
            &long_token,
        )
        .await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.text);
    let entry = &accounts.body["data"][0];
    assert_eq!(entry["id"], json!(world.page_id()));
    assert_eq!(
        entry["instagram_business_account"],
        json!({"id": world.business_id()})
    );
    let page_token = entry["access_token"].as_str().unwrap().to_string();
    assert!(page_token.starts_with("EAA"));
    assert!(accounts.body["paging"]["cursors"]["before"].is_string());
    // Defaults: access_token, category, category_list, name, id, tasks (001 L1801-1832).
    let defaults = server.get_fb("/v24.0/me/accounts", &long_token).await;
    assert_eq!(
        defaults.body["data"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec![
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks"
        ]
    );
    assert_eq!(
        defaults.body["data"][0]["access_token"],
        json!(page_token),
        "one page token per user token"
    );
    assert_eq!(
        defaults.body["data"][0]["tasks"],
        json!([
            "ANALYZE",
            "ADVERTISE",
            "MESSAGING",
            "MODERATE",
            "CREATE_CONTENT",
            "MANAGE"
        ])
    );

    // The Page token acts as the Page and reaches its IG account.
    let me = server
        .get_fb(
            "/v24.0/me?fields=id,name,instagram_business_account",
            &page_token,
        )
        .await;
    assert_eq!(
        me.body,
        json!({"id": world.page_id(), "name": "Metricsaurus", "instagram_business_account": {"id": world.business_id()}})
    );
    let ig = server
        .get_fb(
            &format!("/v24.0/{}?fields=username", world.business_id()),
            &page_token,
        )
        .await;
    assert_eq!(ig.body["username"], json!("metricsaurus"));
    let page_node = server
        .get_fb(
            &format!("/v24.0/{}?fields=access_token", world.page_id()),
            &long_token,
        )
        .await;
    assert_eq!(page_node.body["access_token"], json!(page_token));

    // Ending the user token ends the Page tokens taken from it.
    server
        .post_control(
            "/tokens/invalidate",
            json!({"access_token": long_token, "reason": "logged_out"}),
        )
        .await;
    assert_eq!(
        server.get_fb("/v24.0/me", &page_token).await.error().1,
        Some(467)
    );
    server.stop().await;
}

#[tokio::test]
async fn facebook_login_token_response_cancel_and_errors() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let fb_user = world.business["facebook_user_id"].as_str().unwrap();
    server.post_control("/clock", json!({"frozen": true})).await;

    // response_type=token: both tokens in the fragment (ref 001 L9030-9063).
    let form = parse_form(
        &browser()
            .get(fb_dialog_url(&server, world.app_id(), "token", FB_SCOPES))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let redirect = location(
        &submit(
            &server,
            &form,
            fb_user,
            &["instagram_basic", "pages_show_list"],
            "allow",
        )
        .await,
    );
    let (before, fragment) = redirect.split_once('#').unwrap();
    assert_eq!(before, format!("{REDIRECT}?"));
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        pairs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec![
            "access_token",
            "data_access_expiration_time",
            "expires_in",
            "long_lived_token",
            "state"
        ]
    );
    assert_eq!(get_param(&pairs, "expires_in").as_deref(), Some("7200"));
    let short = get_param(&pairs, "access_token").unwrap();
    let permissions = server.get_fb("/v24.0/me/permissions", &short).await;
    assert_eq!(
        permissions.body,
        json!({"data": [{"permission": "instagram_basic", "status": "granted"}, {"permission": "pages_show_list", "status": "granted"}]})
    );
    let long = get_param(&pairs, "long_lived_token").unwrap();
    assert_eq!(
        server.get_fb("/v24.0/me", &long).await.status,
        StatusCode::OK
    );

    // Cancel: the manual flow's error parameters, with #_=_.
    let form = parse_form(
        &browser()
            .get(fb_dialog_url(&server, world.app_id(), "code", FB_SCOPES))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let cancelled = location(&submit(&server, &form, fb_user, &[], "cancel").await);
    assert_eq!(
        cancelled,
        format!("{REDIRECT}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=st#_=_")
    );

    for (url, title) in [
        (
            fb_dialog_url(&server, "42", "code", FB_SCOPES),
            "Invalid App ID",
        ),
        (
            fb_dialog_url(&server, world.app_id(), "code", "instagram_business_basic"),
            "Invalid Scopes",
        ),
        (
            fb_dialog_url(&server, world.app_id(), "code", FB_SCOPES)
                .replace("app.example", "evil.example"),
            "URL Blocked",
        ),
    ] {
        let response = browser().get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains(&format!("<h1>{title}</h1>")),
            "{url}"
        );
    }

    // Graph errors of the code exchange.
    let secret = world.app["secret"].as_str().unwrap();
    let cases = [
        (
            format!("client_id=42&client_secret={secret}&redirect_uri={REDIRECT}&code=x"),
            (101, None),
        ),
        (
            format!(
                "client_id={}&client_secret=nope&redirect_uri={REDIRECT}&code=x",
                world.app_id()
            ),
            (1, None),
        ),
        (
            format!(
                "client_id={}&client_secret={secret}&redirect_uri={REDIRECT}&code=nonsense",
                world.app_id()
            ),
            (100, None),
        ),
    ];
    for (query, (code, subcode)) in cases {
        let answer = server
            .graph(Method::GET, &format!("/v24.0/oauth/access_token?{query}"))
            .send()
            .await;
        assert_eq!(
            (answer.error().0, answer.error().1),
            (code, subcode),
            "{query}: {}",
            answer.text
        );
    }
    server
        .post_control("/login/next", json!({"account_id": world.business_id()}))
        .await;
    let redirect = location(
        &browser()
            .get(fb_dialog_url(&server, world.app_id(), "code", FB_SCOPES))
            .send()
            .await
            .unwrap(),
    );
    let code = get_param(&query_of(&redirect), "code").unwrap();
    let mismatch = server.graph(Method::GET, &format!("/v24.0/oauth/access_token?client_id={}&client_secret={secret}&redirect_uri=https://app.example/x&code={code}", world.app_id())).send()
        .await;
    assert_eq!(mismatch.error().1, Some(36008));
    server
        .post_control("/clock", json!({"advance_seconds": 3600}))
        .await;
    let expired = server.graph(Method::GET, &format!("/v24.0/oauth/access_token?client_id={}&client_secret={secret}&redirect_uri={REDIRECT}&code={code}", world.app_id())).send()
        .await;
    assert_eq!(
        expired.error(),
        (
            100,
            Some(36007),
            "OAuthException".into(),
            "This authorization code has expired.".into()
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn app_tokens_client_tokens_and_debug_token() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let secret = world.app["secret"].as_str().unwrap();
    let credentials = server.graph(Method::GET, &format!("/v24.0/oauth/access_token?grant_type=client_credentials&client_id={}&client_secret={secret}", world.app_id())).send()
        .await;
    assert_eq!(
        credentials.body,
        json!({"access_token": world.app["app_token"], "token_type": "bearer"})
    );
    let app_token = world.app["app_token"].as_str().unwrap();

    let debug = server
        .get_fb(
            &format!("/v24.0/debug_token?input_token={}", world.fb_token),
            app_token,
        )
        .await;
    assert_eq!(debug.status, StatusCode::OK, "{}", debug.text);
    let data = &debug.body["data"];
    assert_eq!(data["app_id"], json!(world.app_id()));
    assert_eq!(data["type"], json!("USER"));
    assert_eq!(data["application"], json!("Test App"));
    assert_eq!(data["is_valid"], json!(true));
    assert_eq!(data["user_id"], world.business["facebook_user_id"]);
    assert_eq!(
        data["expires_at"].as_i64().unwrap() - data["issued_at"].as_i64().unwrap(),
        5_184_000
    );
    assert!(data["scopes"]
        .as_array()
        .unwrap()
        .contains(&json!("pages_show_list")));

    server
        .post_control(
            "/tokens/invalidate",
            json!({"access_token": world.fb_token, "reason": "password_changed"}),
        )
        .await;
    let ended = server
        .get_fb(
            &format!("/v24.0/debug_token?input_token={}", world.fb_token),
            app_token,
        )
        .await;
    assert_eq!(ended.body["data"]["is_valid"], json!(false));
    assert_eq!(ended.body["data"]["error"]["subcode"], json!(460));
    let garbage = server
        .get_fb("/v24.0/debug_token?input_token=garbage", app_token)
        .await;
    assert_eq!(garbage.body["data"]["is_valid"], json!(false));
    assert_eq!(garbage.body["data"]["error"]["code"], json!(190));

    let other = server.new_app("Other").await;
    let mismatch = server
        .get_fb(
            &format!("/v24.0/debug_token?input_token={}", world.ig_token),
            other["app_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(
        mismatch.error().3,
        "(#100) The App_id in the input_token did not match the Viewing App"
    );

    // A client token is not an app token, and a wrong secret is no token at all.
    let client = format!(
        "{}|{}",
        world.app_id(),
        world.app["client_token"].as_str().unwrap()
    );
    let as_client = server
        .get_fb(
            &format!("/v24.0/debug_token?input_token={}", world.ig_token),
            &client,
        )
        .await;
    assert_eq!(as_client.error().1, Some(33));
    let wrong = server
        .get_fb(
            "/v24.0/debug_token?input_token=x",
            &format!("{}|nope", world.app_id()),
        )
        .await;
    assert_eq!(wrong.error().0, 190);
    server.stop().await;
}

#[tokio::test]
async fn appsecret_proof_is_checked_when_required_or_given() {
    let server = TestServer::start().await;
    let app = server
        .post_control(
            "/apps",
            json!({"name": "Strict", "redirect_uris": [REDIRECT], "require_appsecret_proof": true}),
        )
        .await;
    let account = server
        .post_control(
            "/accounts",
            json!({"username": "strict", "facebook_page": true}),
        )
        .await;
    let fb = server
        .token(
            app["id"].as_str().unwrap(),
            account["id"].as_str().unwrap(),
            "facebook",
            None,
        )
        .await;
    let ig = server
        .token(
            app["id"].as_str().unwrap(),
            account["id"].as_str().unwrap(),
            "instagram",
            None,
        )
        .await;
    let proof = |secret: &str, token: &str| {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(token.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let missing = server.get_fb("/v24.0/me", &fb).await;
    assert_eq!(
        missing.error(),
        (
            100,
            None,
            "GraphMethodException".into(),
            "API calls from the server require an appsecret_proof argument".into()
        )
    );
    let wrong = server.get_fb("/v24.0/me?appsecret_proof=00", &fb).await;
    assert_eq!(
        wrong.error().3,
        "Invalid appsecret_proof provided in the API argument"
    );
    let good = server
        .get_fb(
            &format!(
                "/v24.0/me?appsecret_proof={}",
                proof(app["secret"].as_str().unwrap(), &fb)
            ),
            &fb,
        )
        .await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.text);
    // Instagram Login tokens are signed with the Instagram app secret.
    let ig_good = server
        .get_ig(
            &format!(
                "/v24.0/me?appsecret_proof={}",
                proof(app["instagram_app_secret"].as_str().unwrap(), &ig)
            ),
            &ig,
        )
        .await;
    assert_eq!(ig_good.status, StatusCode::OK, "{}", ig_good.text);
    server.stop().await;
}

#[tokio::test]
async fn each_way_a_token_ends_has_its_own_error() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let mut fresh = Vec::new();
    for _ in 0..4 {
        fresh.push(
            server
                .token(world.app_id(), world.business_id(), "instagram", None)
                .await,
        );
    }
    let scoped = server.get_ig("/v24.0/me", &fresh[0]).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = scoped;
    for (token, reason) in
        fresh
            .iter()
            .zip(["expired", "revoked", "logged_out", "password_changed"])
    {
        let Answer { status, .. } = server
            .control_api(reqwest::Method::POST, "/tokens/invalidate")
            .json(json!({"access_token": token, "reason": reason}))
            .send()
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let errors: Vec<_> = futures_collect(&server, &fresh).await;
    assert_eq!(errors[0].1, Some(463));
    assert!(errors[0]
        .3
        .starts_with("Error validating access token: Session has expired on "));
    assert_eq!(
        errors[1],
        (
            190,
            Some(458),
            "OAuthException".into(),
            format!(
                "Error validating access token: User {} has not authorized application {}.",
                world.business_id(),
                world.app_id()
            )
        )
    );
    assert_eq!(errors[2].1, Some(467));
    assert_eq!(errors[3].1, Some(460));
    let Answer { status, body, .. } = server
        .control_api(reqwest::Method::POST, "/tokens/invalidate")
        .json(json!({"access_token": world.ig_token, "reason": "lost"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let Answer { status, .. } = server
        .control_api(reqwest::Method::POST, "/tokens/invalidate")
        .json(json!({"access_token": "nope", "reason": "revoked"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

async fn futures_collect(
    server: &TestServer,
    tokens: &[String],
) -> Vec<(i64, Option<i64>, String, String)> {
    let mut out = Vec::new();
    for token in tokens {
        let answer = server.get_ig("/v24.0/me", token).await;
        assert!(answer
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
        out.push(answer.error());
    }
    out
}

#[tokio::test]
async fn removing_the_app_revokes_its_tokens() {
    let server = TestServer::start().await;
    let world = server.world().await;
    let second = server
        .token(world.app_id(), world.business_id(), "facebook", None)
        .await;
    let removed = server
        .graph(Method::DELETE, "/v24.0/me/permissions")
        .on(Host::Facebook)
        .bearer(&world.fb_token)
        .send()
        .await;
    assert_eq!(removed.body, json!({"success": true}));
    for token in [&world.fb_token, &second] {
        assert_eq!(server.get_fb("/v24.0/me", token).await.error().1, Some(458));
    }
    // The Instagram token of the same account is a different authorization; Instagram Login has
    // its own removal.
    assert_eq!(
        server.get_ig("/v24.0/me", &world.ig_token).await.status,
        StatusCode::OK
    );
    let ig_removed = server
        .graph(Method::DELETE, "/v24.0/me/permissions")
        .bearer(&world.ig_token)
        .send()
        .await;
    assert_eq!(ig_removed.body, json!({"success": true}));
    assert_eq!(
        server.get_ig("/v24.0/me", &world.ig_token).await.error().1,
        Some(458)
    );
    server.stop().await;
}

#[tokio::test]
async fn business_manager_page_roles_need_an_ads_permission() {
    // ref 001 L5860-5875, L8845-8849: ads_management or ads_read on top.
    let server = TestServer::start().await;
    let app = server.new_app("BM").await;
    let account = server
        .post_control("/accounts", json!({"username": "agency_client", "facebook_page": true, "page_role_via_business_manager": true}))
        .await;
    let id = account["id"].as_str().unwrap();
    let without = server
        .token(
            app["id"].as_str().unwrap(),
            id,
            "facebook",
            Some(vec![
                "instagram_basic",
                "pages_read_engagement",
                "pages_show_list",
            ]),
        )
        .await;
    assert_eq!(
        server
            .get_fb(&format!("/v24.0/{id}"), &without)
            .await
            .error()
            .0,
        10
    );
    let with = server
        .token(
            app["id"].as_str().unwrap(),
            id,
            "facebook",
            Some(vec!["instagram_basic", "pages_read_engagement", "ads_read"]),
        )
        .await;
    assert_eq!(
        server
            .get_fb(&format!("/v24.0/{id}?fields=username"), &with)
            .await
            .body["username"],
        json!("agency_client")
    );
    server.stop().await;
}

#[tokio::test]
async fn old_scope_names_stop_working_on_january_27_2025() {
    // ref 004 L1293, L1609 (002-004 inventory §1.5).
    let server = TestServer::start().await;
    let world = server.world().await;
    server
        .post_control("/clock", json!({"set": "2025-01-20T00:00:00Z"}))
        .await;
    let old = server
        .token(
            world.app_id(),
            world.business_id(),
            "instagram",
            Some(vec!["business_basic"]),
        )
        .await;
    assert_eq!(
        server.get_ig("/v24.0/me?fields=username", &old).await.body["username"],
        json!("metricsaurus")
    );
    let after = server
        .post_control("/clock", json!({"set": "2025-01-27T00:00:00Z"}))
        .await;
    assert_eq!(after["now"], json!("2025-01-27T00:00:00Z"));
    assert_eq!(
        server
            .get_ig("/v24.0/me?fields=username", &old)
            .await
            .error()
            .0,
        10
    );
    server.stop().await;
}
