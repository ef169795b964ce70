//! The app model's webhook conditions (issue #13): an app receives notifications only when
//! Live (in Development mode, for accounts with a role on it), with its business verified, and
//! with Advanced Access for the field's permissions (ref 004 L2246-2266; 003 L31-45).

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use support::*;

#[tokio::test]
async fn mode_verification_and_advanced_access_decide_who_is_notified() {
    let s = hooked().await;
    let account = s.account_id().to_string();
    let app_path = format!("/apps/{}", s.app_id());
    let set = |settings: Value| {
        let (server, path) = (&s.server, app_path.clone());
        async move {
            let answer = server
                .control_api(Method::POST, &path)
                .json(settings)
                .send()
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        }
    };
    let decision = |r: &Value| {
        (
            r["deliveries"][0]["status"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r["deliveries"][0]["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };

    // Live, verified, Advanced Access: delivered (the suite's usual case).
    let r = s.event(&account, "comments", None).await;
    assert_eq!(decision(&r).0, "pending", "{r}");

    // Development mode: only accounts with a role on the app.
    set(json!({"mode": "development"})).await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        decision(&r),
        (
            "skipped".into(),
            "the app is in Development mode: it receives notifications only for accounts with a role on the app until it is Live".into()
        )
    );
    s.server
        .post_control(
            &format!("/apps/{}/roles", s.app_id()),
            json!({"account_id": account}),
        )
        .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(decision(&r).0, "pending", "{r}");

    // Business Verification lost (which takes Advanced Access with it).
    set(json!({"mode": "live", "access_level": "standard", "business_verified": false})).await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        decision(&r),
        (
            "skipped".into(),
            "the app's business has not completed Business Verification, which webhook notifications require".into()
        )
    );

    // Advanced Access per permission: the field needs it for each of its permissions.
    set(json!({"business_verified": true, "advanced_permissions": ["instagram_business_basic"]}))
        .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        decision(&r),
        (
            "skipped".into(),
            "the app has Standard Access only: comments notifications with Instagram Login need Advanced Access".into()
        )
    );
    set(json!({"advanced_permissions": ["instagram_business_basic", "instagram_business_manage_comments"]})).await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(decision(&r).0, "pending", "{r}");
    s.server.stop().await;
}
